using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// One relist of the runtime, grouped by pod uid: what every pod sync reads instead of listing
/// the runtime itself (upstream's pod cache, pkg/kubelet/container/cache.go). Immutable; a
/// relist makes a new one. <see cref="Taken"/> is when the listing started, so a snapshot taken
/// after a sync changed the runtime is known to show that change.
/// </summary>
internal sealed class RuntimeSnapshot
{
    private readonly ILookup<string, PodSandbox> _sandboxes;
    private readonly ILookup<string, ContainerInfo> _containers;

    public RuntimeSnapshot(DateTimeOffset taken, RuntimePods pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        Taken = taken;
        Sandboxes = pods.Sandboxes;
        Containers = pods.Containers;
        _sandboxes = pods.Sandboxes.ToLookup(s => s.PodUid, StringComparer.Ordinal);
        _containers = pods.Containers.ToLookup(c => c.PodUid, StringComparer.Ordinal);
    }

    /// <summary>Before the first relist: older than anything, so a sync waits for a real one.</summary>
    public static RuntimeSnapshot None { get; } = new(DateTimeOffset.MinValue, new RuntimePods([], []));

    public DateTimeOffset Taken { get; }

    public IReadOnlyList<PodSandbox> Sandboxes { get; }

    public IReadOnlyList<ContainerInfo> Containers { get; }

    /// <summary>Uids of every pod that has a sandbox or a container.</summary>
    public IEnumerable<string> PodUids => _sandboxes.Select(g => g.Key).Union(_containers.Select(g => g.Key), StringComparer.Ordinal);

    public IReadOnlyList<PodSandbox> SandboxesOf(string podUid) => [.. _sandboxes[podUid]];

    public IReadOnlyList<ContainerInfo> ContainersOf(string podUid) => [.. _containers[podUid]];
}
