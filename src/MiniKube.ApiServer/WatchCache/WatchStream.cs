using System.Threading.Channels;

namespace MiniKube.ApiServer.WatchCache;

/// <summary>
/// The events one API watch sends, in revision order: first a backlog (the initial objects or
/// history replayed from the cache's window), then live events from a bounded queue. The
/// queue ends without error when the source stops serving this watcher (cut off for falling
/// behind, or its cache restarting: the client watches again from its last version), or with
/// the store's error. Read by one reader, the watch's own request.
/// </summary>
internal abstract class WatchStream : IAsyncDisposable
{
    private IReadOnlyList<WatchItem> _backlog = [];
    private int _backlogRead;
    private long _lastRead;

    protected WatchStream(long startRevision, int capacity)
    {
        _lastRead = startRevision;
        Queue = Channel.CreateBounded<WatchItem>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait, // never waited on: a failed TryWrite is the signal to cut off
        });
    }

    protected Channel<WatchItem> Queue { get; }

    /// <summary>True while the backlog or the queue still holds events.</summary>
    public bool HasUnread => _backlogRead < _backlog.Count || Queue.Reader.Count > 0;

    /// <summary>The revision of the last event read (or the start), never lowered.</summary>
    public long LastRead => Volatile.Read(ref _lastRead);

    public bool TryRead(out WatchItem item)
    {
        if (_backlogRead < _backlog.Count)
        {
            item = _backlog[_backlogRead++];
        }
        else if (!Queue.Reader.TryRead(out item))
        {
            return false;
        }
        Volatile.Write(ref _lastRead, Math.Max(_lastRead, item.Revision));
        return true;
    }

    /// <summary>True when an event can be read; false when the stream ended; throws the store's error.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) =>
        _backlogRead < _backlog.Count ? ValueTask.FromResult(true) : Queue.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>
    /// The resourceVersion a BOOKMARK may carry now: every event up to it that this watch should
    /// see has been read. Called by the reader only when it has nothing left to read.
    /// </summary>
    public abstract long ProgressRevision();

    public abstract ValueTask DisposeAsync();

    /// <summary>Set once, before the stream is handed to its reader.</summary>
    protected void SetBacklog(IReadOnlyList<WatchItem> backlog) => _backlog = backlog;
}
