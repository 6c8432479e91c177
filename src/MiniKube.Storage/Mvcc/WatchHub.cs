using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace MiniKube.Storage.Mvcc;

/// <summary>
/// Fans committed events out to watchers. Each watcher has a bounded queue; a watcher whose
/// queue is full is cut off with <see cref="WatchLaggedException"/> rather than allowed to make
/// the publisher (and so every writer and every other watcher) wait.
/// </summary>
internal sealed class WatchHub(int queueCapacity)
{
    private readonly Lock _lock = new();
    private readonly List<Watcher> _watchers = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>
    /// Watches <paramref name="prefix"/>: first the replay of history, then live events. The
    /// replay is taken and the watcher registered inside one lock with the publisher, so no event
    /// is missed or delivered twice between the two.
    /// </summary>
    /// <param name="replay">Returns the events from the start up to the last published revision.</param>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, Func<List<WatchEvent>> replay, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var watcher = new Watcher(prefix, Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait, // never used to wait: TryWrite failing is the signal to cut off
        }));
        List<WatchEvent> history;
        lock (_lock)
        {
            history = replay();
            _watchers.Add(watcher);
        }
        try
        {
            foreach (var ev in history)
            {
                if (ev.Kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    yield return ev;
                }
            }
            while (await watcher.Queue.Reader.WaitToReadAsync(cancellationToken))
            {
                while (watcher.Queue.Reader.TryRead(out var ev))
                {
                    yield return ev;
                }
            }
        }
        finally
        {
            Remove(watcher);
        }
    }

    /// <summary>
    /// Delivers newly committed events in revision order; called by the single publisher after
    /// each commit. <paramref name="advance"/> runs inside the hub's lock: it moves the visible
    /// revision forward and returns the events that became visible, so that a watch registering
    /// concurrently sees each event either in its replay or live, never both, never neither.
    /// </summary>
    public void Publish(Func<IReadOnlyList<WatchEvent>> advance)
    {
        lock (_lock)
        {
            var events = advance();
            for (var i = _watchers.Count - 1; i >= 0; i--)
            {
                var watcher = _watchers[i];
                foreach (var ev in events)
                {
                    if (ev.Kv.Key.StartsWith(watcher.Prefix, StringComparison.Ordinal) && !watcher.Queue.Writer.TryWrite(ev))
                    {
                        watcher.Queue.Writer.TryComplete(new WatchLaggedException(queueCapacity));
                        _watchers.RemoveAt(i);
                        break;
                    }
                }
            }
        }
    }

    /// <summary>Ends every watch with <paramref name="error"/> (the store is closing or failed).</summary>
    public void CloseAll(Exception error)
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Queue.Writer.TryComplete(error);
            }
            _watchers.Clear();
        }
    }

    private void Remove(Watcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }
    }

    private sealed record Watcher(string Prefix, Channel<WatchEvent> Queue);
}
