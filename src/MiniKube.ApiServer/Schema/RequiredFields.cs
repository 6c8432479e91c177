using k8s.Models;

namespace MiniKube.ApiServer.Schema;

/// <summary>
/// Reference-typed fields the API requires (no <c>omitempty</c>, marked <c>+required</c> in
/// kubernetes/api and apimachinery types.go). The C# models cannot say so: a required string or
/// list looks like an optional one. Value-typed required fields need no entry here, and
/// <c>items</c> of every list kind is required by rule.
/// </summary>
internal static class RequiredFields
{
    private static readonly string[] TypeStatus = ["type", "status"];

    private static readonly Dictionary<Type, string[]> Table = new()
    {
        [typeof(V1Container)] = ["name"],
        [typeof(V1EphemeralContainer)] = ["name"],
        [typeof(V1PodSpec)] = ["containers"],
        [typeof(V1EnvVar)] = ["name"],
        [typeof(V1Volume)] = ["name"],
        [typeof(V1VolumeMount)] = ["name", "mountPath"],
        [typeof(V1VolumeDevice)] = ["name", "devicePath"],
        [typeof(V1KeyToPath)] = ["key", "path"],
        [typeof(V1ConfigMapKeySelector)] = ["key"],
        [typeof(V1SecretKeySelector)] = ["key"],
        [typeof(V1ObjectFieldSelector)] = ["fieldPath"],
        [typeof(V1ResourceFieldSelector)] = ["resource"],
        [typeof(V1HTTPHeader)] = ["name", "value"],
        [typeof(V1HTTPGetAction)] = ["port"],
        [typeof(V1TCPSocketAction)] = ["port"],
        [typeof(V1LabelSelectorRequirement)] = ["key", "operator"],
        [typeof(V1NodeSelectorRequirement)] = ["key", "operator"],
        [typeof(V1NodeSelector)] = ["nodeSelectorTerms"],
        [typeof(V1PreferredSchedulingTerm)] = ["preference"],
        [typeof(V1PodAffinityTerm)] = ["topologyKey"],
        [typeof(V1WeightedPodAffinityTerm)] = ["podAffinityTerm"],
        [typeof(V1TopologySpreadConstraint)] = ["topologyKey", "whenUnsatisfiable"],
        [typeof(V1Taint)] = ["key", "effect"],
        [typeof(V1Sysctl)] = ["name", "value"],
        [typeof(V1HostAlias)] = ["ip"],
        [typeof(V1PodReadinessGate)] = ["conditionType"],
        [typeof(V1PodSchedulingGate)] = ["name"],
        [typeof(V1PodResourceClaim)] = ["name"],
        [typeof(Corev1ResourceClaim)] = ["name"],
        [typeof(V1SeccompProfile)] = ["type"],
        [typeof(V1AppArmorProfile)] = ["type"],
        [typeof(V1PersistentVolumeClaimVolumeSource)] = ["claimName"],
        [typeof(V1HostPathVolumeSource)] = ["path"],
        [typeof(V1NFSVolumeSource)] = ["server", "path"],
        [typeof(V1OwnerReference)] = ["apiVersion", "kind", "name", "uid"],
        [typeof(V1Condition)] = ["type", "status", "lastTransitionTime", "reason", "message"],
        [typeof(V1PodCondition)] = TypeStatus,
        [typeof(V1NodeCondition)] = TypeStatus,
        [typeof(V1NamespaceCondition)] = TypeStatus,
        [typeof(V1ComponentCondition)] = TypeStatus,
        [typeof(V1PersistentVolumeClaimCondition)] = TypeStatus,
        [typeof(V1ReplicationControllerCondition)] = TypeStatus,
        [typeof(V1DeploymentCondition)] = TypeStatus,
        [typeof(V1ReplicaSetCondition)] = TypeStatus,
        [typeof(V1StatefulSetCondition)] = TypeStatus,
        [typeof(V1DaemonSetCondition)] = TypeStatus,
        [typeof(V1JobCondition)] = TypeStatus,
        [typeof(V1NodeAddress)] = ["type", "address"],
        [typeof(V1ContainerStatus)] = ["name", "image", "imageID"],
        [typeof(V1EndpointAddress)] = ["ip"],
        [typeof(V1DeploymentSpec)] = ["selector", "template"],
        [typeof(V1ReplicaSetSpec)] = ["selector"],
        [typeof(V1StatefulSetSpec)] = ["selector", "template"],
        [typeof(V1DaemonSetSpec)] = ["selector", "template"],
        [typeof(V1JobSpec)] = ["template"],
        [typeof(V1CronJobSpec)] = ["schedule", "jobTemplate"],
        [typeof(V1EndpointSlice)] = ["addressType", "endpoints"],
        [typeof(V1Endpoint)] = ["addresses"],
        [typeof(V1StorageClass)] = ["provisioner"],
        [typeof(V1Binding)] = ["target"],
    };

    public static bool Contains(Type model, string jsonName) =>
        (jsonName == "items" && model.Name.EndsWith("List", StringComparison.Ordinal))
        || (Table.TryGetValue(model, out var names) && names.Contains(jsonName));
}
