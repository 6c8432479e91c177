using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// How long each pod took from the kubelet's first sync of it to the status write that shows it
/// Running, step by step (upstream's pod startup latency tracker,
/// pkg/kubelet/util/pod_startup_latency_tracker.go, which logs "Observed pod startup duration").
/// A trace starts when a sync is about to run a pod's first sandbox; each step marks the time
/// since the step before; the first status write with every container running logs one Debug
/// line and ends it. Pods that never get there (deleted, failing) are forgotten with the pod.
/// Thread-safe; a pod is synced by one worker at a time, so its marks never interleave.
/// </summary>
internal sealed partial class PodStartupTracker(ILogger logger)
{
    private readonly ConcurrentDictionary<string, Trace> _traces = new(StringComparer.Ordinal);

    /// <summary>Starts timing the pod, unless it is timed already (a sandbox that is run again).</summary>
    public void Begin(string podUid)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            _traces.TryAdd(podUid, new Trace(Stopwatch.GetTimestamp()));
        }
    }

    /// <summary>Ends the step <paramref name="step"/> of the pod's start, if it is being timed.</summary>
    public void Mark(string podUid, string step)
    {
        if (_traces.TryGetValue(podUid, out var trace))
        {
            trace.Mark(step, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>After a status write: logs and ends the pod's trace once the status shows it Running with every container running.</summary>
    public void StatusWritten(V1Pod pod, V1PodStatus status)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(status);
        if (_traces.IsEmpty || status.Phase != "Running" || status.ContainerStatuses?.All(c => c.State?.Running is not null) != true
            || !_traces.TryRemove(pod.Metadata.Uid, out var trace))
        {
            return;
        }
        trace.Mark("status", Stopwatch.GetTimestamp());
        if (logger.IsEnabled(LogLevel.Debug))
        {
            var (ns, name, total, steps) = (pod.Namespace(), pod.Name(), (long)trace.Total.TotalMilliseconds, trace.Steps());
            LogObserved(ns, name, total, steps);
        }
    }

    public void Forget(string podUid) => _traces.TryRemove(podUid, out _);

    private sealed class Trace(long started)
    {
        private readonly Lock _lock = new();
        private readonly List<(string Step, long At)> _marks = [];

        public TimeSpan Total
        {
            get
            {
                lock (_lock)
                {
                    return _marks.Count == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started, _marks[^1].At);
                }
            }
        }

        public void Mark(string step, long at)
        {
            lock (_lock)
            {
                _marks.Add((step, at));
            }
        }

        /// <summary>"step ms, step ms, …", each the time since the mark before.</summary>
        public string Steps()
        {
            lock (_lock)
            {
                var text = new StringBuilder();
                var previous = started;
                foreach (var (step, at) in _marks)
                {
                    text.Append(text.Length == 0 ? "" : ", ").Append(step).Append(' ')
                        .Append(((long)Stopwatch.GetElapsedTime(previous, at).TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
                    previous = at;
                }
                return text.ToString();
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.Agent + 14, Level = LogLevel.Debug, Message = "Observed pod startup duration of {Namespace}/{Name}: {Milliseconds} ms from its first sync to Running (ms per step: {Steps})")]
    private partial void LogObserved(string @namespace, string name, long milliseconds, string steps);
}
