using System.Threading.Channels;

namespace MiniKube.Scheduler.Queue;

/// <summary>
/// The pods ready for a decision, handed out in upstream's PrioritySort order
/// (pkg/scheduler/framework/plugins/queuesort/priority_sort.go): higher spec.priority first, and
/// among equal priorities the pod that entered the queue first. A key waits in the queue at most
/// once (a second add keeps its place, as upstream's activeQ update keeps the timestamp), is never
/// handed out while it is being decided, and a key added meanwhile comes back once that decision
/// is done. One consumer. Thread-safe.
/// </summary>
internal sealed class ActiveQueue(TimeProvider time)
{
    private readonly PriorityQueue<string, Rank> _heap = new(RankOrder.Instance);
    private readonly Dictionary<string, Rank> _queued = new(StringComparer.Ordinal);
    private readonly HashSet<string> _processing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _dirtyWhileProcessing = new(StringComparer.Ordinal);
    private readonly HashSet<ITimer> _timers = [];
    // Wakes the consumer; one pending signal is enough, it re-checks the heap before waiting again.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _gate = new();
    private long _sequence;

    /// <summary>Pods waiting to be handed out (not those being decided or delayed).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queued.Count;
            }
        }
    }

    /// <summary>
    /// Queues <paramref name="key"/> at <paramref name="priority"/>, ranked among its equals by
    /// <paramref name="since"/> (when it entered the scheduling queue; now when null).
    /// </summary>
    public void Add(string key, int priority, DateTimeOffset? since = null)
    {
        lock (_gate)
        {
            if (_processing.Contains(key))
            {
                _dirtyWhileProcessing[key] = priority;
                return;
            }
            if (_queued.ContainsKey(key))
            {
                return;
            }
            var rank = new Rank(priority, since ?? time.GetUtcNow(), _sequence++);
            _queued[key] = rank;
            _heap.Enqueue(key, rank);
        }
        _wake.Writer.TryWrite(true);
    }

    /// <summary>Queues <paramref name="key"/> after <paramref name="delay"/> (a failed binding's back-off), on the queue's clock.</summary>
    public void AddAfter(string key, int priority, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key, priority);
            return;
        }
        lock (_gate)
        {
            // Held in _timers until it fires, so it cannot be collected first; Add drops a key already queued.
            ITimer? timer = null;
            timer = time.CreateTimer(_ =>
            {
                lock (_gate)
                {
                    _timers.Remove(timer!);
                }
                timer!.Dispose();
                Add(key, priority);
            }, null, delay, Timeout.InfiniteTimeSpan);
            _timers.Add(timer);
        }
    }

    /// <summary>Hands keys to <paramref name="process"/> one at a time, best first, until cancelled.</summary>
    public async Task RunAsync(Func<string, CancellationToken, Task> process, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var key = TryTake();
                if (key is null)
                {
                    await _wake.Reader.ReadAsync(cancellationToken);
                    continue;
                }
                try
                {
                    await process(key, cancellationToken);
                }
                finally
                {
                    Done(key);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>The best queued key, now marked as being decided; null when none waits.</summary>
    internal string? TryTake()
    {
        lock (_gate)
        {
            while (_heap.TryDequeue(out var key, out var rank))
            {
                // Every queued key has exactly one heap entry; the check guards the invariant.
                if (_queued.TryGetValue(key, out var current) && current == rank)
                {
                    _queued.Remove(key);
                    _processing.Add(key);
                    return key;
                }
            }
            return null;
        }
    }

    /// <summary>Ends the decision about <paramref name="key"/>; queues it again if it was added meanwhile.</summary>
    internal void Done(string key)
    {
        int? again = null;
        lock (_gate)
        {
            _processing.Remove(key);
            if (_dirtyWhileProcessing.Remove(key, out var priority))
            {
                again = priority;
            }
        }
        if (again is { } p)
        {
            Add(key, p);
        }
    }

    private readonly record struct Rank(int Priority, DateTimeOffset Since, long Sequence);

    // PrioritySort.Less: higher priority first, then the earlier arrival; the sequence keeps equal times in insertion order.
    private sealed class RankOrder : IComparer<Rank>
    {
        public static RankOrder Instance { get; } = new();

        public int Compare(Rank x, Rank y)
        {
            var byPriority = y.Priority.CompareTo(x.Priority);
            if (byPriority != 0)
            {
                return byPriority;
            }
            var bySince = x.Since.CompareTo(y.Since);
            return bySince != 0 ? bySince : x.Sequence.CompareTo(y.Sequence);
        }
    }
}
