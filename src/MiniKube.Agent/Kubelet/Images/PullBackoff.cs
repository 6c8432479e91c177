namespace MiniKube.Agent.Kubelet.Images;

/// <summary>
/// The image pull back-off, as client-go's flowcontrol.Backoff that upstream's kubelet uses for it
/// (kubelet.go: 10 s, doubling to 300 s): each failure of a key doubles its delay, a key whose
/// last failure is older than twice the maximum starts again at the initial delay, and such keys
/// are forgotten at the next failure of any key. Each key keeps its last failure's message.
/// Thread-safe.
/// </summary>
internal sealed class PullBackoff(TimeSpan initial, TimeSpan max)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Failure> _entries = new(StringComparer.Ordinal);

    /// <summary>The last failure of <paramref name="key"/> while its back-off lasts (flowcontrol's IsInBackOffSinceUpdate), else null.</summary>
    public Failure? Current(string key, DateTimeOffset now)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(key, out var entry) && now - entry.At < entry.Delay ? entry : null;
        }
    }

    /// <summary>Records a failure of <paramref name="key"/> and returns its new delay.</summary>
    public TimeSpan Next(string key, DateTimeOffset now, string message, bool unreachable)
    {
        lock (_lock)
        {
            foreach (var stale in _entries.Where(e => now - e.Value.At > 2 * max).Select(e => e.Key).ToList())
            {
                _entries.Remove(stale);
            }
            var delay = _entries.TryGetValue(key, out var entry) ? TimeSpan.FromTicks(Math.Min(entry.Delay.Ticks * 2, max.Ticks)) : initial;
            _entries[key] = new Failure(delay, now, message, unreachable);
            return delay;
        }
    }

    /// <summary>A failed pull: the back-off it started, when, and what the registry said.</summary>
    public sealed record Failure(TimeSpan Delay, DateTimeOffset At, string Message, bool Unreachable)
    {
        public TimeSpan Remaining(DateTimeOffset now) => At + Delay - now;
    }
}
