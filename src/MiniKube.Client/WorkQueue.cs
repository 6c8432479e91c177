using System.Threading.Channels;

namespace MiniKube.Client;

/// <summary>
/// client-go's work queue in its simplest honest form (util/workqueue): a key waits in the queue
/// at most once, a key being processed is not handed to a second worker, and a key added while
/// it is processed comes back once it is done — so a sync always sees the latest state.
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
    private readonly Lock _gate = new();

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

    /// <summary>Adds <paramref name="key"/> after <paramref name="delay"/> (timed re-checks, back-off).</summary>
    public void AddAfter(TKey key, TimeSpan delay, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var timer = time.CreateTimer(_ => Add(key), null, delay, Timeout.InfiniteTimeSpan);
        _ = timer; // one-shot; collected after it fires
    }

    /// <summary>Processes keys with <paramref name="workers"/> concurrent workers until cancelled.</summary>
    public Task RunAsync(int workers, Func<TKey, CancellationToken, Task> process, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkerAsync(process, cancellationToken), CancellationToken.None)));

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
}
