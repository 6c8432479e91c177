using MiniKube.Agent.Runtime.Stats;

namespace MiniKube.Agent.Runtime.Simulated;

/// <summary>
/// Made-up but consistent figures for a simulated node (KWOK has none; metrics consumers need
/// some): each container gets a steady CPU rate of 1–20 millicores and 8–63 MiB of working set,
/// both chosen from a hash of its id, so the figures stay put across reads and restarts of the
/// reader; its CPU counter grows at that rate from its start. The node burns 50 millicores and
/// holds 256 MiB of its own plus its containers'; its counter integrates the rate between reads,
/// so it only grows, also when containers go away. Arithmetic only, no I/O: cheap for a thousand
/// simulated nodes.
/// </summary>
/// <remarks>The profile comes from the pod's uid and the container's name, so a restarted container keeps it and pods differ.</remarks>
internal sealed class SimulatedUsage(TimeProvider time)
{
    /// <summary>What a simulated node reports as its memory capacity (used for "available").</summary>
    public const ulong NodeMemoryBytes = 8UL << 30;

    private const ulong NodeMillicores = 50;
    private const ulong NodeBaseBytes = 256UL << 20;

    private readonly Lock _gate = new();
    private DateTimeOffset _last = time.GetUtcNow();
    private ulong _nodeCpuNanos;

    /// <summary>The steady CPU rate (millicores) and working set (bytes) of a container.</summary>
    public static (ulong Millicores, ulong WorkingSetBytes) Profile(ContainerInfo container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var identity = container.PodUid + "/" + container.Name;
        // FNV-1a: stable across processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in identity)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (1 + (hash % 20), (8UL + ((hash >> 8) % 56)) << 20);
    }

    public static ResourceUsage Container(ContainerInfo container, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(container);
        var (millicores, workingSet) = Profile(container);
        var ran = container.StartedAt is { } started && now > started ? now - started : TimeSpan.Zero;
        var cpu = (ulong)(ran.Ticks * 100) * millicores / 1000;
        return new ResourceUsage(now, cpu, workingSet, workingSet, workingSet * 3 / 4);
    }

    public ResourceUsage Node(IEnumerable<ContainerInfo> running)
    {
        var now = time.GetUtcNow();
        ulong millicores = NodeMillicores;
        ulong memory = NodeBaseBytes;
        foreach (var container in running)
        {
            var profile = Profile(container);
            millicores += profile.Millicores;
            memory += profile.WorkingSetBytes;
        }
        ulong cpu;
        lock (_gate)
        {
            if (now > _last)
            {
                _nodeCpuNanos += (ulong)((now - _last).Ticks * 100) * millicores / 1000;
                _last = now;
            }
            cpu = _nodeCpuNanos;
        }
        return new ResourceUsage(now, cpu, memory, memory, memory * 3 / 4) { AvailableBytes = NodeMemoryBytes > memory ? NodeMemoryBytes - memory : 0 };
    }
}
