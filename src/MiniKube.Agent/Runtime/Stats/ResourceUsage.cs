namespace MiniKube.Agent.Runtime.Stats;

/// <summary>
/// One CPU and memory reading of a container or of the whole node, as cadvisor hands the kubelet
/// (the Summary API's CPUStats and MemoryStats before rates are computed). CPU is a cumulative
/// counter that only grows while the same container lives; the memory figures are gauges.
/// </summary>
/// <param name="Time">When the figures were read.</param>
/// <param name="CpuUsageCoreNanoSeconds">Cumulative CPU time in core-nanoseconds.</param>
/// <param name="MemoryUsageBytes">All memory charged, page cache included (memory.current / usage_in_bytes).</param>
/// <param name="WorkingSetBytes">Usage minus inactive file pages: what the kubelet evicts on and metrics-server reports.</param>
/// <param name="RssBytes">Anonymous memory and swap cache.</param>
public sealed record ResourceUsage(DateTimeOffset Time, ulong CpuUsageCoreNanoSeconds, ulong MemoryUsageBytes, ulong WorkingSetBytes, ulong RssBytes)
{
    public ulong PageFaults { get; init; }

    public ulong MajorPageFaults { get; init; }

    /// <summary>Memory left before the limit (node: MemAvailable); null without a limit.</summary>
    public ulong? AvailableBytes { get; init; }
}
