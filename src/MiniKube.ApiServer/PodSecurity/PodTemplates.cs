using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.PodSecurity;

/// <summary>
/// Where the pod of a workload lives (pod-security-admission admission/admission.go
/// DefaultPodSpecExtractor): pods themselves, and the templates of ReplicationControllers,
/// PodTemplates, ReplicaSets, Deployments, StatefulSets, DaemonSets, Jobs and CronJobs.
/// </summary>
public static class PodTemplates
{
    private static readonly HashSet<(string Group, string Resource)> Workloads =
    [
        ("", "replicationcontrollers"),
        ("", "podtemplates"),
        ("apps", "replicasets"),
        ("apps", "deployments"),
        ("apps", "statefulsets"),
        ("apps", "daemonsets"),
        ("batch", "jobs"),
        ("batch", "cronjobs"),
    ];

    /// <summary>True for the workload resources that carry a pod template (pods excluded).</summary>
    public static bool IsWorkload(string group, string resource) => Workloads.Contains((group, resource));

    /// <summary>
    /// The pod a Pod or workload describes; null when a ReplicationController has no template (it
    /// is optional there). Other kinds always have one upstream, so a missing template is an
    /// empty pod, as Go's zero value is.
    /// </summary>
    public static PodSpecView? Extract(string resource, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (resource == "pods")
        {
            return View(obj);
        }
        var template = resource switch
        {
            "podtemplates" => obj.Obj("template"),
            "cronjobs" => obj.Obj("spec").Obj("jobTemplate").Obj("spec").Obj("template"),
            _ => obj.Obj("spec").Obj("template"),
        };
        if (template is null && resource == "replicationcontrollers")
        {
            return null;
        }
        return View(template);
    }

    private static PodSpecView View(JsonObject? podLike) => new(podLike.Obj("metadata"), podLike.Obj("spec") ?? []);
}
