using k8s.Models;

namespace MiniKube.ApiServer.Schema;

/// <summary>How server-side apply treats a list: replaced whole, merged as a set, or merged by keys.</summary>
public enum ListType
{
    Atomic,
    Set,
    Map,
}

/// <summary>
/// The structural facts server-side apply needs and the C# models lack: the
/// <c>+listType</c>/<c>+listMapKey</c>, <c>+mapType=atomic</c> and <c>+structType=atomic</c>
/// markers of kubernetes/api and apimachinery meta/v1 types.go (what OpenAPI publishes as
/// x-kubernetes-list-type, -list-map-keys, -map-type). A list without a marker follows its
/// strategic merge strategy as kube-openapi's schemaconv does (a merge key makes it a map list, a
/// primitive merge list a set); anything else is atomic.
/// </summary>
public static class ListTypes
{
    private static readonly Dictionary<(Type, string), (ListType Type, string[] Keys)> Lists = new()
    {
        [(typeof(V1Container), "ports")] = (ListType.Map, ["containerPort", "protocol"]),
        [(typeof(V1EphemeralContainer), "ports")] = (ListType.Map, ["containerPort", "protocol"]),
        [(typeof(V1ServiceSpec), "ports")] = (ListType.Map, ["port", "protocol"]),
        [(typeof(V1PodSpec), "topologySpreadConstraints")] = (ListType.Map, ["topologyKey", "whenUnsatisfiable"]),
        [(typeof(V1PodSpec), "tolerations")] = (ListType.Atomic, []),
        [(typeof(V1PodStatus), "hostIPs")] = (ListType.Atomic, []),
        [(typeof(V1ServiceAccount), "imagePullSecrets")] = (ListType.Atomic, []),
        [(typeof(V1ResourceRequirements), "claims")] = (ListType.Map, ["name"]),
        [(typeof(V1ContainerStatus), "volumeMounts")] = (ListType.Map, ["mountPath"]),
        [(typeof(V1ServiceStatus), "conditions")] = (ListType.Map, ["type"]),
        [(typeof(V1PodDisruptionBudgetStatus), "conditions")] = (ListType.Map, ["type"]),
        [(typeof(V1JobStatus), "conditions")] = (ListType.Atomic, []),
        [(typeof(V1UncountedTerminatedPods), "succeeded")] = (ListType.Set, []),
        [(typeof(V1UncountedTerminatedPods), "failed")] = (ListType.Set, []),
        [(typeof(V1PodFailurePolicyOnExitCodesRequirement), "values")] = (ListType.Set, []),
        [(typeof(V1Endpoint), "addresses")] = (ListType.Set, []),
        [(typeof(V1VolumeMount), "bindMountOptions")] = (ListType.Set, []),
        [(typeof(V1ObjectMeta), "ownerReferences")] = (ListType.Map, ["uid"]),
        [(typeof(V1ObjectMeta), "finalizers")] = (ListType.Set, []),
        [(typeof(V1ObjectMeta), "managedFields")] = (ListType.Atomic, []),
    };

    // +mapType=atomic on map fields.
    private static readonly HashSet<(Type, string)> AtomicMaps =
    [
        (typeof(V1PodSpec), "nodeSelector"),
        (typeof(V1ServiceSpec), "selector"),
        (typeof(V1ReplicationControllerSpec), "selector"),
    ];

    // +structType=atomic types: owned whole, never field by field.
    private static readonly HashSet<Type> AtomicStructs =
    [
        typeof(V1LabelSelector), typeof(V1ObjectReference), typeof(V1LocalObjectReference),
        typeof(V1TypedLocalObjectReference), typeof(V1SecretReference), typeof(V1ConfigMapKeySelector),
        typeof(V1SecretKeySelector), typeof(V1ObjectFieldSelector), typeof(V1ResourceFieldSelector), typeof(V1NodeSelector),
        typeof(V1NodeSelectorTerm), typeof(V1TopologySelectorTerm), typeof(V1EndpointAddress), typeof(Corev1EndpointPort),
        typeof(V1ScopeSelector),
    ];

    /// <summary>The list type and keys of an array property of <paramref name="model"/>.</summary>
    public static (ListType Type, IReadOnlyList<string> Keys) Of(Type model, string jsonName)
    {
        if (Lists.TryGetValue((model, jsonName), out var known))
        {
            return (known.Type, known.Keys);
        }
        return PatchStrategies.Find(model, jsonName)?.MergeKey switch
        {
            null => (ListType.Atomic, []),
            "" => (ListType.Set, []),
            var key => (ListType.Map, [key]),
        };
    }

    /// <summary>True for a map property owned as one value (<c>+mapType=atomic</c>).</summary>
    public static bool IsAtomicMap(Type model, string jsonName) => AtomicMaps.Contains((model, jsonName));

    /// <summary>True for a struct type owned as one value (<c>+structType=atomic</c>).</summary>
    public static bool IsAtomicStruct(Type? model) => model is not null && AtomicStructs.Contains(model);
}
