using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Which printer renders which resource. Kinds without a printer of their own get upstream's
/// default table (apiserver pkg/registry/rest/table.go): Name and "Created At" as an RFC 3339
/// date, which kubectl shows as NAME and CREATED AT.
/// </summary>
internal static class TablePrinters
{
    private static readonly Dictionary<(string Group, string Resource), TablePrinter> ByResource = new()
    {
        [("", "pods")] = PodPrinter.Printer,
        [("", "nodes")] = NodePrinter.Printer,
        [("", "services")] = NetworkPrinters.Service,
        [("", "endpoints")] = NetworkPrinters.Endpoints,
        [("", "events")] = EventPrinter.Printer,
        [("", "namespaces")] = ClusterPrinters.Namespace,
        [("", "configmaps")] = ClusterPrinters.ConfigMap,
        [("", "secrets")] = ClusterPrinters.Secret,
        [("", "serviceaccounts")] = ClusterPrinters.ServiceAccount,
        [("", "componentstatuses")] = ClusterPrinters.ComponentStatus,
        [("", "replicationcontrollers")] = WorkloadPrinters.ReplicationController,
        [("", "persistentvolumes")] = StoragePrinters.PersistentVolume,
        [("", "persistentvolumeclaims")] = StoragePrinters.PersistentVolumeClaim,
        [("apps", "deployments")] = WorkloadPrinters.Deployment,
        [("apps", "replicasets")] = WorkloadPrinters.ReplicaSet,
        [("apps", "statefulsets")] = WorkloadPrinters.StatefulSet,
        [("apps", "daemonsets")] = WorkloadPrinters.DaemonSet,
        [("apps", "controllerrevisions")] = WorkloadPrinters.ControllerRevision,
        [("batch", "jobs")] = WorkloadPrinters.Job,
        [("batch", "cronjobs")] = WorkloadPrinters.CronJob,
        [("coordination.k8s.io", "leases")] = ClusterPrinters.Lease,
        [("discovery.k8s.io", "endpointslices")] = NetworkPrinters.EndpointSlice,
        [("policy", "poddisruptionbudgets")] = ClusterPrinters.PodDisruptionBudget,
        [("storage.k8s.io", "storageclasses")] = StoragePrinters.StorageClass,
        [("", "resourcequotas")] = ClusterPrinters.ResourceQuota,
        [("", "podtemplates")] = GroupPrinters.PodTemplate,
        [("events.k8s.io", "events")] = EventPrinter.Printer,
        [("networking.k8s.io", "ingresses")] = GroupPrinters.Ingress,
        [("networking.k8s.io", "ingressclasses")] = GroupPrinters.IngressClass,
        [("networking.k8s.io", "networkpolicies")] = GroupPrinters.NetworkPolicy,
        [("autoscaling", "horizontalpodautoscalers")] = GroupPrinters.HorizontalPodAutoscaler,
        [("node.k8s.io", "runtimeclasses")] = GroupPrinters.RuntimeClass,
        [("scheduling.k8s.io", "priorityclasses")] = GroupPrinters.PriorityClass,
        [("rbac.authorization.k8s.io", "rolebindings")] = GroupPrinters.RoleBinding,
        [("rbac.authorization.k8s.io", "clusterrolebindings")] = GroupPrinters.RoleBinding,
        [("storage.k8s.io", "csidrivers")] = GroupPrinters.CsiDriver,
        [("storage.k8s.io", "csinodes")] = GroupPrinters.CsiNode,
        [("storage.k8s.io", "volumeattachments")] = GroupPrinters.VolumeAttachment,
        [("certificates.k8s.io", "certificatesigningrequests")] = GroupPrinters.CertificateSigningRequest,
        [("admissionregistration.k8s.io", "mutatingwebhookconfigurations")] = AdmissionPrinters.WebhookConfiguration,
        [("admissionregistration.k8s.io", "validatingwebhookconfigurations")] = AdmissionPrinters.WebhookConfiguration,
        [("admissionregistration.k8s.io", "validatingadmissionpolicies")] = AdmissionPrinters.ValidatingAdmissionPolicy,
        [("admissionregistration.k8s.io", "validatingadmissionpolicybindings")] = AdmissionPrinters.ValidatingAdmissionPolicyBinding,
        [("apiregistration.k8s.io", "apiservices")] = AdmissionPrinters.ApiService,
    };

    public static TablePrinter Default { get; } = new(
        [TableColumn.ObjectName, new TableColumn("Created At", "date", "The time the object was created (metadata.creationTimestamp).")],
        (obj, _) =>
        [
            Cells.Name(obj),
            (JsonFields.Time(obj, "metadata", "creationTimestamp") ?? DateTimeOffset.MinValue).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ]);

    public static TablePrinter For(ResourceType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.Custom is { } custom)
        {
            return CustomResourcePrinters.For(custom.Definition, custom.Version);
        }
        return ByResource.TryGetValue((type.Group, type.Name), out var printer) ? printer : Default;
    }
}
