using k8s.Autorest;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// A pod's status (upstream's status manager, pkg/kubelet/status/status_manager.go): computed
/// from the runtime's view (<see cref="PodStatusBuilder"/>) and written to the API only when it
/// differs from the pod's status there, timestamps aside; a pod deleted meanwhile is left alone.
/// While the API server cannot be reached the write is dropped, not failed: the pod's sync (which
/// restarted a container, say) has done its work, and the next sync after the server is back
/// writes the status then, as upstream's status manager retries in the background.
/// </summary>
internal sealed partial class PodStatusManager(IKubernetes client, KubeletOptions options, ILogger logger)
{
    /// <summary>Called with every status computed (the kubelet remembers static pods' own, for when their mirror is missing).</summary>
    public Action<V1Pod, V1PodStatus>? StatusComputed { get; init; }

    /// <summary>Computes the pod's status and writes it when it changed; returns the status computed.</summary>
    public async Task<V1PodStatus> UpdateAsync(V1Pod pod, PodSandbox? sandbox, IReadOnlyList<ContainerInfo> containers, IReadOnlyDictionary<string, string> waitingReasons, IReadOnlyDictionary<string, bool> readiness, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var status = PodStatusBuilder.Build(pod, sandbox, containers, waitingReasons, readiness, options.NodeIp, options.Time.GetUtcNow().UtcDateTime);
        StatusComputed?.Invoke(pod, status);
        if (!Differs(pod.Status, status))
        {
            return status;
        }
        var patch = new V1Patch(KubernetesJson.Serialize(new { status }), V1Patch.PatchType.MergePatch);
        try
        {
            await client.CoreV1.PatchNamespacedPodStatusAsync(patch, pod.Name(), pod.Namespace(), cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode == 404)
        {
            // Deleted meanwhile.
        }
        catch (Exception e) when (LocalState.IsUnreachable(e, cancellationToken))
        {
            LogStatusNotWritten(pod.Metadata.NamespaceProperty, pod.Metadata.Name, e.Message);
        }
        return status;
    }

    [LoggerMessage(EventId = LogEvents.Agent + 862, Level = LogLevel.Debug, Message = "Status of pod {Namespace}/{Pod} not written, the API server is unreachable ({Reason}); written once it is back")]
    private partial void LogStatusNotWritten(string @namespace, string pod, string reason);

    /// <summary>Whether a status write would change anything: conditions' probe and transition times change on their own and are left out.</summary>
    public static bool Differs(V1PodStatus? current, V1PodStatus computed) =>
        current is null || KubernetesJson.Serialize(Comparable(computed)) != KubernetesJson.Serialize(Comparable(current));

    private static V1PodStatus Comparable(V1PodStatus status) => status with { Conditions = status.Conditions?.Select(c => c with { LastProbeTime = null, LastTransitionTime = null }).ToList() };
}
