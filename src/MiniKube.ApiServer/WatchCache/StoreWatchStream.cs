using MiniKube.Storage;

namespace MiniKube.ApiServer.WatchCache;

/// <summary>
/// A watch served by a store watch of its own: the way for a start older than the cache's
/// window, so such a client still gets its history (or a 410 when the store compacted it)
/// instead of the cache's narrower view. Each event is decoded for this watch alone.
/// </summary>
internal sealed class StoreWatchStream : WatchStream
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop;
    private readonly IAsyncEnumerator<WatchEvent> _events;
    private readonly Func<JsonObject, bool>? _filter;
    private long _seen;
    private Task _pump = Task.CompletedTask;

    private StoreWatchStream(IStore store, string prefix, long startRevision, Func<JsonObject, bool>? filter, int capacity, CancellationToken cancellationToken)
        : base(startRevision, capacity)
    {
        _filter = filter;
        _seen = startRevision;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _events = store.WatchAsync(prefix, startRevision + 1, _stop.Token).GetAsyncEnumerator(_stop.Token);
    }

    /// <summary>
    /// Opens the store watch after <paramref name="startRevision"/>. A compacted start surfaces
    /// here (as <see cref="CompactedException"/>), before the response goes out.
    /// </summary>
    public static async Task<StoreWatchStream> OpenAsync(IStore store, string prefix, long startRevision, Func<JsonObject, bool>? filter, int capacity, CancellationToken cancellationToken)
    {
        var stream = new StoreWatchStream(store, prefix, startRevision, filter, capacity, cancellationToken);
        var first = stream._events.MoveNextAsync().AsTask();
        // The store reports a compacted start on its first step; a live start just waits there.
        await Task.WhenAny(first, Task.Delay(50, CancellationToken.None));
        if (first.IsFaulted)
        {
            await stream.DisposeAsync();
            await first;
        }
        stream._pump = stream.PumpAsync(first);
        return stream;
    }

    public override long ProgressRevision()
    {
        lock (_gate)
        {
            return HasUnread ? LastRead : Math.Max(LastRead, _seen);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _events.DisposeAsync();
        _stop.Dispose();
    }

    private async Task PumpAsync(Task<bool> first)
    {
        try
        {
            var next = first;
            while (await next)
            {
                var ev = _events.Current;
                lock (_gate)
                {
                    if (new DecodedEvent(ev).For(_filter) is { } item && !Queue.Writer.TryWrite(item))
                    {
                        // Falling behind its own store watch: end, as the store itself would cut it off.
                        Queue.Writer.TryComplete();
                        return;
                    }
                    _seen = ev.Revision;
                }
                next = _events.MoveNextAsync().AsTask();
            }
            Queue.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            Queue.Writer.TryComplete();
        }
        catch (Exception e)
        {
            // Not swallowed: handed to the reader, which rethrows it (a compacted store answers 410).
            Queue.Writer.TryComplete(e);
        }
    }
}
