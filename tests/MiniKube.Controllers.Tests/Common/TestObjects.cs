using k8s.Models;

namespace MiniKube.Controllers.Tests.Common;

/// <summary>Small objects for controller unit tests, named and labelled the way the API server would leave them.</summary>
internal static class TestObjects
{
    public const string Namespace = "ns";

    public static V1PodTemplateSpec Template(IDictionary<string, string> labels, string restartPolicy = "Always", string image = "busybox") => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
        Spec = new V1PodSpec
        {
            RestartPolicy = restartPolicy,
            Containers = [new V1Container { Name = "c", Image = image }],
        },
    };

    /// <summary>A pod controlled by <paramref name="owner"/> in the given phase, created at <paramref name="created"/>.</summary>
    public static V1Pod Pod(string name, V1OwnerReference owner, IDictionary<string, string> labels, string phase = "Pending", DateTime? created = null, bool ready = false, string? node = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = Namespace,
            Uid = "uid-" + name,
            ResourceVersion = "1",
            CreationTimestamp = created ?? new DateTime(2025, 1, 1, 11, 0, 0, DateTimeKind.Utc),
            Labels = new Dictionary<string, string>(labels),
            OwnerReferences = [owner],
        },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "busybox" }] },
        Status = new V1PodStatus
        {
            Phase = phase,
            Conditions = ready ? [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = created ?? new DateTime(2025, 1, 1, 11, 0, 0, DateTimeKind.Utc) }] : null,
        },
    };

    public static V1OwnerReference Owner(string apiVersion, string kind, string name) =>
        new() { ApiVersion = apiVersion, Kind = kind, Name = name, Uid = "uid-" + name, Controller = true, BlockOwnerDeletion = true };
}
