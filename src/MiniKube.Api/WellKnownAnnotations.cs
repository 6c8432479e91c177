namespace MiniKube.Api;

/// <summary>
/// Annotation keys that more than one component writes or reads, so a writer and its readers
/// cannot drift apart. Keys that one component alone owns stay beside that component; the
/// storage coordination keys are <see cref="StorageAnnotations"/>.
/// </summary>
public static class WellKnownAnnotations
{
    /// <summary>On Endpoints: when the change that made the controller write last happened (RFC 3339, UTC; core/v1 EndpointsLastChangeTriggerTime).</summary>
    public const string EndpointsLastChangeTriggerTime = "endpoints.kubernetes.io/last-change-trigger-time";

    /// <summary>What <c>kubectl apply</c> (client-side) last applied: the API server's field manager reads it, the deployment controller never copies it to ReplicaSets.</summary>
    public const string LastAppliedConfig = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>
    /// On a Node: <c>"true"</c> when its kubelet keeps a local copy of its pods and runs them while
    /// the API server is away (mkube's offline autonomy, as OpenYurt's <c>node.openyurt.io/autonomy</c>).
    /// The taint eviction controller then keeps the node's pods bound through an unreachable spell
    /// of up to the server's <c>--node-autonomy-duration</c>.
    /// </summary>
    public const string NodeAutonomy = "node.mkube.io/autonomy";
}
