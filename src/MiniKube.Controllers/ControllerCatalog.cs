namespace MiniKube.Controllers;

/// <summary>Every controller the manager can run, by name, in the order they start.</summary>
public static class ControllerCatalog
{
    public static IReadOnlyList<(string Name, Func<ControllerContext, IController> Create)> All { get; } =
    [
        ("replicaset", c => new ReplicaSet.ReplicaSetController(c)),
        ("replicationcontroller", c => ReplicaSet.ReplicaSetController.ForReplicationControllers(c)),
        ("deployment", c => new Deployment.DeploymentController(c)),
        ("garbagecollector", c => new GarbageCollector.GarbageCollector(c)),
        ("serviceaccount", c => new ServiceAccount.ServiceAccountsController(c)),
        ("serviceaccount-token", c => new ServiceAccount.TokensController(c)),
        ("root-ca-cert-publisher", c => new Certificates.RootCaCertPublisher(c)),
        ("endpoint", c => new Endpoints.EndpointsController(c)),
        ("endpointslice", c => new EndpointSlice.EndpointSliceController(c)),
        ("nodelifecycle", c => new NodeLifecycle.NodeLifecycleController(c)),
        ("taint-eviction-controller", c => new NodeLifecycle.TaintEvictionController(c)),
        ("job", c => new Job.JobController(c)),
        ("ttl-after-finished", c => new Job.TtlAfterFinishedController(c)),
        ("cronjob", c => new CronJob.CronJobController(c)),
        ("daemonset", c => new DaemonSet.DaemonSetController(c)),
        ("statefulset", c => new StatefulSet.StatefulSetController(c)),
        ("persistentvolume-binder", c => new PersistentVolume.PersistentVolumeBinder(c)),
        ("disruption", c => new Disruption.DisruptionController(c)),
        ("namespace", c => new Namespace.NamespaceController(c)),
        ("resourcequota", c => new ResourceQuota.ResourceQuotaController(c)),
        ("clusterrole-aggregation", c => new ClusterRoleAggregation.ClusterRoleAggregationController(c)),
    ];
}
