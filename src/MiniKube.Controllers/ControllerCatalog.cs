namespace MiniKube.Controllers;

/// <summary>
/// One controller the manager can run: its name (what <see cref="ControllerManagerOptions.Disabled"/>
/// lists), the kube-system service account it acts as when the manager runs with service-account
/// credentials (null: the manager's own identity, as upstream runs the token controller with its
/// root client), and how it is made.
/// </summary>
/// <param name="Name">kube-controller-manager's controller name.</param>
/// <param name="ServiceAccount">The account bound to <c>system:controller:ACCOUNT</c> by the bootstrap policy (controller_policy.go), or null.</param>
/// <param name="Create">Builds the controller from its context.</param>
public sealed record ControllerDescriptor(string Name, string? ServiceAccount, Func<ControllerContext, IController> Create);

/// <summary>Every controller the manager can run, by name, in the order they start, with upstream's service account for each.</summary>
public static class ControllerCatalog
{
    public static IReadOnlyList<ControllerDescriptor> All { get; } =
    [
        new("replicaset", "replicaset-controller", c => new ReplicaSet.ReplicaSetController(c)),
        new("replicationcontroller", "replication-controller", c => ReplicaSet.ReplicaSetController.ForReplicationControllers(c)),
        new("deployment", "deployment-controller", c => new Deployment.DeploymentController(c)),
        new("garbagecollector", "generic-garbage-collector", c => new GarbageCollector.GarbageCollector(c)),
        new("serviceaccount", "service-account-controller", c => new ServiceAccount.ServiceAccountsController(c)),
        // Upstream starts the token controller with the root client: it writes token Secrets of every account.
        new("serviceaccount-token", null, c => new ServiceAccount.TokensController(c)),
        new("root-ca-cert-publisher", "root-ca-cert-publisher", c => new Certificates.RootCaCertPublisher(c)),
        new("endpoint", "endpoint-controller", c => new Endpoints.EndpointsController(c)),
        new("endpointslice", "endpointslice-controller", c => new EndpointSlice.EndpointSliceController(c)),
        new("nodelifecycle", "node-controller", c => new NodeLifecycle.NodeLifecycleController(c)),
        new("taint-eviction-controller", "taint-eviction-controller", c => new NodeLifecycle.TaintEvictionController(c, new NodeLifecycle.NodeLifecycleOptions())),
        new("job", "job-controller", c => new Job.JobController(c)),
        new("ttl-after-finished", "ttl-after-finished-controller", c => new Job.TtlAfterFinishedController(c)),
        new("cronjob", "cronjob-controller", c => new CronJob.CronJobController(c)),
        new("daemonset", "daemon-set-controller", c => new DaemonSet.DaemonSetController(c)),
        new("statefulset", "statefulset-controller", c => new StatefulSet.StatefulSetController(c)),
        new("persistentvolume-binder", "persistent-volume-binder", c => new PersistentVolume.PersistentVolumeBinder(c)),
        new("disruption", "disruption-controller", c => new Disruption.DisruptionController(c)),
        new("namespace", "namespace-controller", c => new Namespace.NamespaceController(c)),
        new("resourcequota", "resourcequota-controller", c => new ResourceQuota.ResourceQuotaController(c)),
        new(PodAutoscaler.HorizontalController.ControllerName, "horizontal-pod-autoscaler", c => new PodAutoscaler.HorizontalController(c, new PodAutoscaler.HorizontalPodAutoscalerOptions())),
        new("clusterrole-aggregation", "clusterrole-aggregation-controller", c => new ClusterRoleAggregation.ClusterRoleAggregationController(c)),
        // k3s' ServiceLB (not a kube-controller-manager controller): its own account, role in the bootstrap policy.
        new("service-lb", "service-lb-controller", c => new ServiceLb.ServiceLbController(c)),
    ];
}
