using k8s.Models;

namespace MiniKube.ApiServer.Schema;

/// <summary>
/// The strategic-merge-patch strategies of the built-in kinds' list fields: the
/// <c>patchStrategy</c>/<c>patchMergeKey</c> struct tags of kubernetes/api core/v1, apps/v1
/// and apimachinery meta/v1 types.go, which the C# models do not carry.
/// </summary>
internal static class PatchStrategies
{
    internal sealed record Strategy(string? MergeKey, bool RetainKeys);

    // "" as merge key: a primitive list merged as a set.
    private static readonly Dictionary<(Type, string), Strategy> Table = new()
    {
        [(typeof(V1PodSpec), "containers")] = new("name", false),
        [(typeof(V1PodSpec), "initContainers")] = new("name", false),
        [(typeof(V1PodSpec), "ephemeralContainers")] = new("name", false),
        [(typeof(V1PodSpec), "volumes")] = new("name", true),
        [(typeof(V1PodSpec), "imagePullSecrets")] = new("name", false),
        [(typeof(V1PodSpec), "hostAliases")] = new("ip", false),
        [(typeof(V1PodSpec), "topologySpreadConstraints")] = new("topologyKey", false),
        [(typeof(V1PodSpec), "schedulingGates")] = new("name", false),
        [(typeof(V1PodSpec), "resourceClaims")] = new("name", true),
        [(typeof(V1Container), "env")] = new("name", false),
        [(typeof(V1Container), "ports")] = new("containerPort", false),
        [(typeof(V1Container), "volumeMounts")] = new("mountPath", false),
        [(typeof(V1Container), "volumeDevices")] = new("devicePath", false),
        [(typeof(V1EphemeralContainer), "env")] = new("name", false),
        [(typeof(V1EphemeralContainer), "ports")] = new("containerPort", false),
        [(typeof(V1EphemeralContainer), "volumeMounts")] = new("mountPath", false),
        [(typeof(V1EphemeralContainer), "volumeDevices")] = new("devicePath", false),
        [(typeof(V1PodStatus), "conditions")] = new("type", false),
        [(typeof(V1PodStatus), "podIPs")] = new("ip", false),
        [(typeof(V1PodStatus), "hostIPs")] = new("ip", false),
        [(typeof(V1NodeStatus), "conditions")] = new("type", false),
        [(typeof(V1NodeStatus), "addresses")] = new("type", false),
        [(typeof(V1NodeSpec), "podCIDRs")] = new("", false),
        [(typeof(V1NamespaceStatus), "conditions")] = new("type", false),
        [(typeof(V1DeploymentStatus), "conditions")] = new("type", false),
        [(typeof(V1ReplicaSetStatus), "conditions")] = new("type", false),
        [(typeof(V1StatefulSetStatus), "conditions")] = new("type", false),
        [(typeof(V1DaemonSetStatus), "conditions")] = new("type", false),
        [(typeof(V1ReplicationControllerStatus), "conditions")] = new("type", false),
        [(typeof(V1PersistentVolumeClaimStatus), "conditions")] = new("type", false),
        [(typeof(V1ComponentStatus), "conditions")] = new("type", false),
        [(typeof(V1ServiceSpec), "ports")] = new("port", false),
        [(typeof(V1ServiceAccount), "secrets")] = new("name", false),
        [(typeof(V1ObjectMeta), "ownerReferences")] = new("uid", false),
        [(typeof(V1ObjectMeta), "finalizers")] = new("", false),
        [(typeof(V1DeploymentSpec), "strategy")] = new(null, true),
    };

    public static Strategy? Find(Type model, string jsonName) => Table.GetValueOrDefault((model, jsonName));
}
