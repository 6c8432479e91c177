namespace MiniKube.Api;

/// <summary>
/// A CPU rate from two readings of a cumulative core-nanoseconds counter: cadvisor's
/// usageNanoCores for the kubelet, metrics-server's usage for the metrics API (both divide the
/// counter's growth by the time between the readings).
/// </summary>
public static class CpuRate
{
    /// <summary>Cores in use on average between the readings, in nanocores; null when the time did not advance or the counter went back (a restart).</summary>
    public static ulong? NanoCores(ulong earlierNanos, DateTimeOffset earlier, ulong laterNanos, DateTimeOffset later)
    {
        if (later <= earlier || laterNanos < earlierNanos)
        {
            return null;
        }
        var seconds = (later - earlier).TotalSeconds;
        return (ulong)Math.Round((laterNanos - earlierNanos) / seconds);
    }
}
