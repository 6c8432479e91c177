
namespace MiniKube.Scheduler.Queue;

/// <summary>
/// Pods waiting for a decision (upstream pkg/scheduler/backend/queue): an <see cref="ActiveQueue"/>
/// of pod keys in PrioritySort order (higher priority first, then the earlier arrival; a key is
/// queued at most once and never handed out twice at a time) and a set of unschedulable pods
/// parked until something changes that could let them fit:
/// a node added or changed, a pod removed, a pod placed that their pod affinity waits for, their
/// own spec changed, or — as a safety net — <see cref="FlushOlderThan"/> after a long wait.
/// It also remembers the resourceVersion of the scheduler's own status write per pod, so that the
/// watch event of that write does not wake the pod again (upstream ignores status-only updates).
/// Thread-safe.
/// </summary>
internal sealed class SchedulingQueue(TimeProvider time)
{
    private readonly ActiveQueue _active = new(time);
    private readonly Dictionary<string, Parked> _unschedulable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _ownWrites = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Queues a pod of <paramref name="priority"/> for a decision (moving it out of the unschedulable set if it was there).</summary>
    public void Add(string key, int priority)
    {
        lock (_gate)
        {
            _unschedulable.Remove(key);
        }
        _active.Add(key, priority);
    }

    /// <summary>Queues a pod after a delay (a failed binding's back-off).</summary>
    public void AddAfter(string key, int priority, TimeSpan delay) => _active.AddAfter(key, priority, delay);

    /// <summary>Parks a pod no node fits until an event may change that.</summary>
    public void MarkUnschedulable(string key, int priority, bool waitsForPodAffinity)
    {
        lock (_gate)
        {
            _unschedulable[key] = new Parked(time.GetUtcNow(), priority, waitsForPodAffinity);
        }
    }

    /// <summary>Drops all state of a pod that is bound, gone, or no longer ours.</summary>
    public void Forget(string key)
    {
        lock (_gate)
        {
            _unschedulable.Remove(key);
            _ownWrites.Remove(key);
        }
    }

    public void RecordOwnWrite(string key, string? resourceVersion)
    {
        if (resourceVersion is null)
        {
            return;
        }
        lock (_gate)
        {
            _ownWrites[key] = resourceVersion;
        }
    }

    /// <summary>Whether this version of the pod is the scheduler's own status write.</summary>
    public bool IsOwnWrite(string key, string? resourceVersion)
    {
        lock (_gate)
        {
            return resourceVersion is not null && _ownWrites.TryGetValue(key, out var own) && own == resourceVersion;
        }
    }

    /// <summary>Moves every unschedulable pod back to the active queue; returns how many.</summary>
    public int MoveAllToActive() => Move(_ => true);

    /// <summary>Moves the pods whose own pod affinity failed (a newly placed pod may satisfy it).</summary>
    public int MoveWaitingForPodAffinity() => Move(p => p.WaitsForPodAffinity);

    /// <summary>Moves pods parked longer than <paramref name="age"/> (upstream flushUnschedulablePodsLeftover).</summary>
    public int FlushOlderThan(TimeSpan age)
    {
        var cutoff = time.GetUtcNow() - age;
        return Move(p => p.Since <= cutoff);
    }

    /// <summary>Hands keys to <paramref name="process"/> one at a time until cancelled.</summary>
    public Task RunAsync(Func<string, CancellationToken, Task> process, CancellationToken cancellationToken) =>
        _active.RunAsync(process, cancellationToken);

    private int Move(Func<Parked, bool> which)
    {
        List<KeyValuePair<string, Parked>> moved;
        lock (_gate)
        {
            if (_unschedulable.Count == 0)
            {
                return 0;
            }
            moved = [.. _unschedulable.Where(p => which(p.Value))];
            foreach (var (key, _) in moved)
            {
                _unschedulable.Remove(key);
            }
        }
        // Ranked by when they were parked, as upstream refreshes a pod's timestamp when it is found unschedulable.
        foreach (var (key, parked) in moved)
        {
            _active.Add(key, parked.Priority, parked.Since);
        }
        return moved.Count;
    }

    private sealed record Parked(DateTimeOffset Since, int Priority, bool WaitsForPodAffinity);
}
