using k8s;
using k8s.Models;

namespace MiniKube.Client;

/// <summary>
/// Ready-made list+watch sources over <see cref="IKubernetes"/>, across all namespaces, for the kinds the
/// scheduler and controllers watch. The optional selectors narrow what is listed and watched
/// (a kubelet watches <c>spec.nodeName=NODE</c>); a shared informer uses none.
/// </summary>
public static class KubeListWatches
{
    public static IListWatch<V1Pod> Pods(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1Pod, V1PodList>(
            ct => client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1Node> Nodes(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1Node, V1NodeList>(
            ct => client.CoreV1.ListNodeAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListNodeAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1Namespace> Namespaces(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1Namespace, V1NamespaceList>(
            ct => client.CoreV1.ListNamespaceAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListNamespaceAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1NetworkPolicy> NetworkPolicies(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1NetworkPolicy, V1NetworkPolicyList>(
            ct => client.NetworkingV1.ListNetworkPolicyForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.NetworkingV1.WatchListNetworkPolicyForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1Service> Services(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1Service, V1ServiceList>(
            ct => client.CoreV1.ListServiceForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListServiceForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1Endpoints> Endpoints(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1Endpoints, V1EndpointsList>(
            ct => client.CoreV1.ListEndpointsForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListEndpointsForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1EndpointSlice> EndpointSlices(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1EndpointSlice, V1EndpointSliceList>(
            ct => client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1ReplicaSet> ReplicaSets(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1ReplicaSet, V1ReplicaSetList>(
            ct => client.AppsV1.ListReplicaSetForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.AppsV1.WatchListReplicaSetForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1ReplicationController> ReplicationControllers(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1ReplicationController, V1ReplicationControllerList>(
            ct => client.CoreV1.ListReplicationControllerForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListReplicationControllerForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1Deployment> Deployments(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1Deployment, V1DeploymentList>(
            ct => client.AppsV1.ListDeploymentForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.AppsV1.WatchListDeploymentForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1DaemonSet> DaemonSets(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1DaemonSet, V1DaemonSetList>(
            ct => client.AppsV1.ListDaemonSetForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.AppsV1.WatchListDaemonSetForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1StatefulSet> StatefulSets(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1StatefulSet, V1StatefulSetList>(
            ct => client.AppsV1.ListStatefulSetForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.AppsV1.WatchListStatefulSetForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1PodDisruptionBudget> PodDisruptionBudgets(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1PodDisruptionBudget, V1PodDisruptionBudgetList>(
            ct => client.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.PolicyV1.WatchListPodDisruptionBudgetForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1ControllerRevision> ControllerRevisions(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1ControllerRevision, V1ControllerRevisionList>(
            ct => client.AppsV1.ListControllerRevisionForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.AppsV1.WatchListControllerRevisionForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1Job> Jobs(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1Job, V1JobList>(
            ct => client.BatchV1.ListJobForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.BatchV1.WatchListJobForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1CronJob> CronJobs(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1CronJob, V1CronJobList>(
            ct => client.BatchV1.ListCronJobForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.BatchV1.WatchListCronJobForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V2HorizontalPodAutoscaler> HorizontalPodAutoscalers(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V2HorizontalPodAutoscaler, V2HorizontalPodAutoscalerList>(
            ct => client.AutoscalingV2.ListHorizontalPodAutoscalerForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.AutoscalingV2.WatchListHorizontalPodAutoscalerForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1PersistentVolume> PersistentVolumes(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1PersistentVolume, V1PersistentVolumeList>(
            ct => client.CoreV1.ListPersistentVolumeAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListPersistentVolumeAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1PersistentVolumeClaim> PersistentVolumeClaims(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1PersistentVolumeClaim, V1PersistentVolumeClaimList>(
            ct => client.CoreV1.ListPersistentVolumeClaimForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListPersistentVolumeClaimForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1StorageClass> StorageClasses(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1StorageClass, V1StorageClassList>(
            ct => client.StorageV1.ListStorageClassAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.StorageV1.WatchListStorageClassAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1ServiceAccount> ServiceAccounts(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1ServiceAccount, V1ServiceAccountList>(
            ct => client.CoreV1.ListServiceAccountForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListServiceAccountForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1ConfigMap> ConfigMaps(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1ConfigMap, V1ConfigMapList>(
            ct => client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListConfigMapForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1ResourceQuota> ResourceQuotas(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1ResourceQuota, V1ResourceQuotaList>(
            ct => client.CoreV1.ListResourceQuotaForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListResourceQuotaForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1Secret> Secrets(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1Secret, V1SecretList>(
            ct => client.CoreV1.ListSecretForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListSecretForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1Lease> Leases(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1Lease, V1LeaseList>(
            ct => client.CoordinationV1.ListLeaseForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoordinationV1.WatchListLeaseForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1ClusterRole> ClusterRoles(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1ClusterRole, V1ClusterRoleList>(
            ct => client.RbacAuthorizationV1.ListClusterRoleAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.RbacAuthorizationV1.WatchListClusterRoleAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<Corev1Event> Events(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<Corev1Event, Corev1EventList>(
            ct => client.CoreV1.ListEventForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListEventForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1Ingress> Ingresses(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1Ingress, V1IngressList>(
            ct => client.NetworkingV1.ListIngressForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.NetworkingV1.WatchListIngressForAllNamespacesAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }

    public static IListWatch<V1IngressClass> IngressClasses(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ListWatch<V1IngressClass, V1IngressClassList>(
            ct => client.NetworkingV1.ListIngressClassAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct),
            (version, timeout, onError, ct) => client.NetworkingV1.WatchListIngressClassAsync(
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, allowWatchBookmarks: true,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
    }
}
