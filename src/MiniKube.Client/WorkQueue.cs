using System.Threading.Channels;

namespace MiniKube.Client;

/// <summary>
/// client-go's rate-limiting work queue (util/workqueue queue.go, delaying_queue.go,
/// rate_limiting_queue.go): a key waits in the queue at most once, keys are handed out in the
/// order they were first added, a key being processed is not handed to a second worker, and a
/// key added while it is processed comes back once it is done — so a sync always sees the latest
/// state. Failed keys come back through <see cref="AddRateLimited"/> after a per-key exponential
/// back-off within an overall rate; a successful sync calls <see cref="Forget"/>.
/// (Named after client-go's, hence the suffix.)
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "client-go's name for it")]
public sealed class WorkQueue<TKey>
    where TKey : notnull
{
    private readonly Channel<TKey> _ready = Channel.CreateUnbounded<TKey>();
    private readonly HashSet<TKey> _queued = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly HashSet<TKey> _dirtyWhileProcessing = [];
    private readonly Dictionary<TKey, Waiting> _waiting = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly IRateLimiter<TKey> _rateLimiter;

    public WorkQueue()
        : this(TimeProvider.System)
    {
    }

    /// <param name="rateLimiter">Delays for <see cref="AddRateLimited"/>; client-go's default controller limiter when null.</param>
    public WorkQueue(TimeProvider time, IRateLimiter<TKey>? rateLimiter = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _rateLimiter = rateLimiter ?? RateLimiters.DefaultController<TKey>(time);
    }

    /// <summary>Keys waiting to be handed to a worker (not those being processed or delayed).</summary>
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

    public void Add(TKey key)
    {
        lock (_gate)
        {
            if (_processing.Contains(key))
            {
                _dirtyWhileProcessing.Add(key);
                return;
            }
            if (!_queued.Add(key))
            {
                return;
            }
        }
        _ready.Writer.TryWrite(key);
    }

    /// <summary>Adds <paramref name="key"/> after <paramref name="delay"/> (timed re-checks, back-off), on the queue's clock.</summary>
    public void AddAfter(TKey key, TimeSpan delay) => AddAfter(key, delay, _time);

    /// <summary>
    /// Adds <paramref name="key"/> after <paramref name="delay"/> measured on <paramref name="time"/>.
    /// A key already waiting keeps the earlier of its two times, as upstream's delaying queue does.
    /// </summary>
    public void AddAfter(TKey key, TimeSpan delay, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }
        var due = time.GetUtcNow() + delay;
        lock (_gate)
        {
            if (_waiting.TryGetValue(key, out var waiting))
            {
                if (waiting.Due <= due)
                {
                    return;
                }
                waiting.Timer.Dispose();
            }
            var entry = new Waiting(due);
            // The timer is kept in _waiting until it fires, so it cannot be collected before then.
            entry.Timer = time.CreateTimer(_ => Fire(key, entry), null, delay, Timeout.InfiniteTimeSpan);
            _waiting[key] = entry;
        }
    }

    /// <summary>Adds <paramref name="key"/> once the rate limiter allows it: the retry path after a failed sync.</summary>
    public void AddRateLimited(TKey key) => AddAfter(key, _rateLimiter.When(key));

    /// <summary>Clears <paramref name="key"/>'s failure count (after a successful sync, or when giving up on it).</summary>
    public void Forget(TKey key) => _rateLimiter.Forget(key);

    /// <summary>How many rate-limited retries <paramref name="key"/> has had since it was last forgotten.</summary>
    public int NumRequeues(TKey key) => _rateLimiter.NumRequeues(key);

    /// <summary>
    /// Processes keys with <paramref name="workers"/> concurrent workers until cancelled. An
    /// exception from <paramref name="process"/> stops that worker and is rethrown here: a sync
    /// reports its own failures with <see cref="AddRateLimited"/> instead of throwing.
    /// </summary>
    public Task RunAsync(int workers, Func<TKey, CancellationToken, Task> process, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkerAsync(process, cancellationToken), CancellationToken.None)));

    private void Fire(TKey key, Waiting entry)
    {
        lock (_gate)
        {
            // A later AddAfter with an earlier time replaced this entry; its own timer adds the key.
            if (!_waiting.TryGetValue(key, out var current) || !ReferenceEquals(current, entry))
            {
                return;
            }
            _waiting.Remove(key);
        }
        entry.Timer.Dispose();
        Add(key);
    }

    private async Task WorkerAsync(Func<TKey, CancellationToken, Task> process, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var key in _ready.Reader.ReadAllAsync(cancellationToken))
            {
                lock (_gate)
                {
                    _queued.Remove(key);
                    _processing.Add(key);
                }
                try
                {
                    await process(key, cancellationToken);
                }
                finally
                {
                    bool again;
                    lock (_gate)
                    {
                        _processing.Remove(key);
                        again = _dirtyWhileProcessing.Remove(key);
                    }
                    if (again)
                    {
                        Add(key);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private sealed class Waiting(DateTimeOffset due)
    {
        public DateTimeOffset Due { get; } = due;

        public ITimer Timer { get; set; } = null!;
    }
}
