namespace MiniKube.Controllers;

/// <summary>Every controller the manager can run, by name, in the order they start.</summary>
public static class ControllerCatalog
{
    public static IReadOnlyList<(string Name, Func<ControllerContext, IController> Create)> All { get; } =
    [
        ("job", c => new Job.JobController(c)),
        ("ttl-after-finished", c => new Job.TtlAfterFinishedController(c)),
        ("cronjob", c => new CronJob.CronJobController(c)),
        ("daemonset", c => new DaemonSet.DaemonSetController(c)),
        ("statefulset", c => new StatefulSet.StatefulSetController(c)),
    ];
}
