using Microsoft.Extensions.Logging;
using MiniKube.Storage;

namespace MiniKube.ApiServer.WatchCache;

/// <summary>
/// The watch cache of one resource (upstream's apiserver pkg/storage/cacher: cacher.go with
/// watch_cache.go): one store watch on the resource's key prefix, the resource's current
/// objects, a window of its recent events, and the API watchers it fans each event out to.
/// <para>
/// Invariants: events are applied in revision order by one loop; under the cache's lock an
/// event updates the objects, joins the window, advances <see cref="Revision"/> and is offered
/// to every watcher, so a watcher registering under the same lock sees each event exactly
/// once, either in its backlog or live. Each event is decoded at most once, on that loop.
/// A watcher whose queue is full is cut off, never waited for. When the store watch fails,
/// every watcher is ended (its client watches again) and the cache lists and watches afresh,
/// as the cacher's reflector does.
/// </para>
/// </summary>
internal sealed partial class ResourceCache : IAsyncDisposable
{
    private const int ListChunk = 1000;

    private readonly Lock _gate = new();
    private readonly IStore _store;
    private readonly WatchCacheOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly EventRing _window;
    private readonly List<CacheWatcher> _watchers = [];
    private readonly Task _run;
    private Dictionary<string, KeyValue> _objects = new(StringComparer.Ordinal);
    private TaskCompletionSource _ready = NewSignal();
    private TaskCompletionSource _advanced = NewSignal();
    private bool _serving;
    private long _revision;

    /// <param name="startRevision">The revision to load at (0: the current one); the first watcher's start, so its history is in the window.</param>
    public ResourceCache(IStore store, string prefix, long startRevision, WatchCacheOptions options, ILogger logger)
    {
        _store = store;
        _options = options;
        _logger = logger;
        Prefix = prefix;
        _window = new EventRing(options.EventWindow);
        _run = Task.Run(() => RunAsync(startRevision));
    }

    /// <summary>The resource's key prefix, e.g. <c>/registry/pods/</c>.</summary>
    public string Prefix { get; }

    /// <summary>Every event of the resource up to this revision has been applied.</summary>
    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>False while loading (at the start or after the store watch failed).</summary>
    public bool Serving
    {
        get
        {
            lock (_gate)
            {
                return _serving;
            }
        }
    }

    /// <summary>
    /// A watcher for the keys under <paramref name="prefix"/>: after <paramref name="startRevision"/>
    /// from the window, or, when it is null, the current objects as ADDED and then what follows
    /// (resourceVersion "0"). Null when the start is older than the window.
    /// </summary>
    public async Task<CacheWatcher?> WatchAsync(string prefix, long? startRevision, Func<JsonObject, bool>? filter, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task ready;
            CacheWatcher? watcher = null;
            List<KeyValue>? objects = null;
            List<WatchEvent>? history = null;
            lock (_gate)
            {
                ready = _ready.Task;
                if (_serving)
                {
                    if (startRevision is { } start)
                    {
                        if (!_window.Covers(start))
                        {
                            return null;
                        }
                        history = _window.Since(start);
                    }
                    else
                    {
                        objects = ObjectsUnder(prefix);
                    }
                    watcher = new CacheWatcher(this, prefix, startRevision ?? _revision, filter, _options.WatcherQueueCapacity);
                    _watchers.Add(watcher);
                }
            }
            if (watcher is not null)
            {
                // Filtering the backlog decodes objects: done outside the lock, on the caller's thread.
                watcher.Prepare(objects, history);
                return watcher;
            }
            await ready.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Waits until the cache serves (loaded after a start or restart).</summary>
    public Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _ready.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Completes when the next event is applied (or the cache reloads).</summary>
    public Task NextAdvance()
    {
        lock (_gate)
        {
            return _advanced.Task;
        }
    }

    /// <summary>The objects under <paramref name="prefix"/> and the revision they are at, once the cache has reached <paramref name="minRevision"/>.</summary>
    public bool TrySnapshot(string prefix, long minRevision, out List<KeyValue> objects, out long revision)
    {
        lock (_gate)
        {
            revision = _revision;
            if (!_serving || _revision < minRevision)
            {
                objects = [];
                return false;
            }
            objects = ObjectsUnder(prefix);
            return true;
        }
    }

    /// <summary>The object at <paramref name="key"/>; null when absent or while the cache is loading.</summary>
    public KeyValue? Find(string key)
    {
        lock (_gate)
        {
            return _serving && _objects.TryGetValue(key, out var kv) ? kv : null;
        }
    }

    /// <summary>
    /// The BOOKMARK revision of <paramref name="watcher"/>: the cache's own once the watcher has
    /// read everything queued for it, since every event up to the cache's revision was offered
    /// to it under this lock.
    /// </summary>
    public long ProgressOf(CacheWatcher watcher)
    {
        lock (_gate)
        {
            return watcher.Active && !watcher.HasUnread ? Math.Max(watcher.LastRead, _revision) : watcher.LastRead;
        }
    }

    public void Remove(CacheWatcher watcher)
    {
        lock (_gate)
        {
            watcher.Active = false;
            _watchers.Remove(watcher);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _run;
        _stopping.Dispose();
    }

    private List<KeyValue> ObjectsUnder(string prefix) =>
        prefix == Prefix ? [.. _objects.Values] : [.. _objects.Values.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))];

    private async Task RunAsync(long startRevision)
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var revision = await LoadAsync(startRevision, stopping);
                startRevision = 0;
                await foreach (var ev in _store.WatchAsync(Prefix, revision + 1, stopping))
                {
                    Apply(ev);
                }
                throw new StoreUnavailableException("the store ended the watch");
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (startRevision != 0 && e is CompactedException or FutureRevisionException)
            {
                // The first watcher's start is gone (it gets its 410 from the store) or not there yet
                // (it waits for it like any watcher ahead of the cache): load the current state.
                startRevision = 0;
            }
            catch (Exception e) when (e is StoreUnavailableException or CompactedException or WatchLaggedException)
            {
                LogRestarting(_logger, Prefix, e.Message);
                Stop(null);
                await Task.Delay(_options.RestartDelay, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception e)
            {
                // Not swallowed: every waiting and future request of this resource fails with it.
                LogFailed(_logger, Prefix, e.Message);
                Stop(e);
                return;
            }
        }
        Stop(null);
    }

    private async Task<long> LoadAsync(long startRevision, CancellationToken cancellationToken)
    {
        var objects = new Dictionary<string, KeyValue>(StringComparer.Ordinal);
        var revision = startRevision;
        string? after = null;
        while (true)
        {
            // Every chunk at the first one's revision: one consistent snapshot.
            var page = await _store.RangeAsync(new RangeRequest(Prefix, ListChunk, after, revision), cancellationToken);
            revision = page.Revision;
            foreach (var kv in page.Items)
            {
                objects[kv.Key] = kv;
            }
            if (!page.More || page.Items.Count == 0)
            {
                break;
            }
            after = page.Items[^1].Key;
        }
        TaskCompletionSource ready;
        TaskCompletionSource advanced;
        lock (_gate)
        {
            _objects = objects;
            _revision = revision;
            _window.Reset(revision);
            _serving = true;
            ready = _ready;
            advanced = _advanced;
            _advanced = NewSignal();
        }
        ready.TrySetResult();
        advanced.TrySetResult();
        LogLoaded(_logger, Prefix, objects.Count, revision);
        return revision;
    }

    private void Apply(WatchEvent ev)
    {
        var decoded = new DecodedEvent(ev);
        TaskCompletionSource advanced;
        lock (_gate)
        {
            if (ev.Type == WatchEventType.Delete)
            {
                _objects.Remove(ev.Kv.Key);
            }
            else
            {
                _objects[ev.Kv.Key] = ev.Kv;
            }
            _window.Add(ev);
            _revision = ev.Revision;
            for (var i = _watchers.Count - 1; i >= 0; i--)
            {
                var watcher = _watchers[i];
                bool kept;
                try
                {
                    kept = watcher.Offer(decoded);
                }
                catch (Exception e)
                {
                    // A filter that cannot judge this object (or an object that cannot be read) fails
                    // that watch alone, with the error handed to its request, not the whole resource.
                    _watchers.RemoveAt(i);
                    watcher.Active = false;
                    watcher.End(e);
                    continue;
                }
                if (!kept)
                {
                    // Upstream's cacheWatcher is closed when it cannot take an event in time; here at once,
                    // so the fan-out (and with it every other watcher of the resource) never waits on one client.
                    _watchers.RemoveAt(i);
                    watcher.Active = false;
                    watcher.End();
                    LogCutOff(_logger, Prefix, _options.WatcherQueueCapacity);
                }
            }
            advanced = _advanced;
            _advanced = NewSignal();
        }
        advanced.TrySetResult();
    }

    /// <summary>Stops serving: every watcher ends (with <paramref name="error"/>, if any), and requests wait for the next load.</summary>
    private void Stop(Exception? error)
    {
        List<CacheWatcher> ended;
        lock (_gate)
        {
            _serving = false;
            ended = [.. _watchers];
            _watchers.Clear();
            foreach (var watcher in ended)
            {
                watcher.Active = false;
            }
            if (_ready.Task.IsCompleted)
            {
                _ready = NewSignal();
            }
            if (error is not null)
            {
                _ready.TrySetException(error);
            }
            else if (_stopping.IsCancellationRequested)
            {
                _ready.TrySetCanceled(_stopping.Token);
            }
        }
        foreach (var watcher in ended)
        {
            watcher.End(error);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(EventId = LogEvents.ApiServer + 330, Level = LogLevel.Debug, Message = "Watch cache of {Prefix} loaded {Count} objects at revision {Revision}")]
    private static partial void LogLoaded(ILogger logger, string prefix, int count, long revision);

    [LoggerMessage(EventId = LogEvents.ApiServer + 331, Level = LogLevel.Warning, Message = "Watch cache of {Prefix} lost its store watch ({Reason}); its watchers reconnect and it lists again")]
    private static partial void LogRestarting(ILogger logger, string prefix, string reason);

    [LoggerMessage(EventId = LogEvents.ApiServer + 332, Level = LogLevel.Information, Message = "A watcher of {Prefix} fell {Capacity} events behind and was cut off; its client watches again from its last version")]
    private static partial void LogCutOff(ILogger logger, string prefix, int capacity);

    [LoggerMessage(EventId = LogEvents.ApiServer + 333, Level = LogLevel.Error, Message = "Watch cache of {Prefix} failed ({Reason}); requests for this resource fail until the server restarts")]
    private static partial void LogFailed(ILogger logger, string prefix, string reason);
}
