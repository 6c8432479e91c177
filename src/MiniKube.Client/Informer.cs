using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace MiniKube.Client;

/// <summary>
/// client-go's reflector, store and shared informer in one (tools/cache/reflector.go,
/// shared_informer.go): lists, then watches from the list's version, re-watches from the last
/// version seen when a stream ends or breaks, re-lists when the server says the version is gone
/// (410), keeps <see cref="Cache"/> by namespace/name, and every <c>resyncPeriod</c> re-delivers
/// every cached object to the handlers.
/// Handlers run one at a time, in the order of the changes, on the informer's loop: they only
/// enqueue keys and never do work (work reads the cache later), and never throw.
/// Cached objects are shared by the whole process: never mutate one — copy it first with <see cref="ObjectCopy.Clone{T}"/>.
/// </summary>
public sealed partial class Informer<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly IListWatch<T> _source;
    private readonly ILogger _logger;
    private readonly TimeSpan _resyncPeriod;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Held while the cache changes and handlers run, so a handler added late sees each object exactly once.
    private readonly Lock _dispatch = new();
    private readonly List<Action<ObjectChange<T>>> _handlers = [];
    private int _started;

    /// <param name="resyncPeriod">How often every cached object is re-delivered to the handlers; zero or less: never.</param>
    public Informer(IListWatch<T> source, ILogger logger, TimeSpan resyncPeriod = default, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(logger);
        _source = source;
        _logger = logger;
        _resyncPeriod = resyncPeriod;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Called with the key of every object that was added, changed, deleted or resynced.</summary>
    public event Action<string>? Changed;

    /// <summary>The local copy, with its indexes: the lister controllers read.</summary>
    public ObjectCache<T> Cache { get; } = new();

    /// <summary>Completes once the first list is in the cache and its handlers have run.</summary>
    public Task Synced => _synced.Task;

    public T? Get(string key) => Cache.Get(key);

    public T? Get(MiniKube.Api.NamespacedName name) => Cache.Get(name);

    public IReadOnlyCollection<T> List() => Cache.List();

    public IReadOnlyCollection<string> Keys => Cache.Keys;

    /// <summary>
    /// Adds a handler for every change from now on; objects already cached are first delivered
    /// to it as adds (as client-go's AddEventHandler does). Dispose the result to remove it.
    /// </summary>
    public IDisposable AddHandler(Action<ObjectChange<T>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_dispatch)
        {
            foreach (var obj in Cache.List())
            {
                handler(new ObjectChange<T>(ObjectKeys.Of(obj), null, obj));
            }
            _handlers.Add(handler);
        }
        return new Registration(this, handler);
    }

    /// <summary>Lists and watches until cancelled. Runs once per informer.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException($"the {typeof(T).Name} informer is already running");
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var resync = _resyncPeriod > TimeSpan.Zero ? ResyncAsync(stop.Token) : Task.CompletedTask;
        try
        {
            await ReflectAsync(cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await resync;
        }
    }

    private async Task ReflectAsync(CancellationToken cancellationToken)
    {
        string? version = null;
        var backoff = InitialBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                version ??= await ListIntoCacheAsync(cancellationToken);
                await foreach (var (type, obj) in _source.WatchAsync(version, cancellationToken))
                {
                    version = obj.Metadata?.ResourceVersion ?? version;
                    Apply(type, obj);
                }
                // A stream that ended cleanly (server timeout) is simply watched again from where it stopped.
                backoff = InitialBackoff;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (IsGone(e))
            {
                LogRelist(typeof(T).Name);
                version = null;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or KubernetesException or HttpOperationException or TimeoutException or OperationCanceledException)
            {
                // The version is kept: after a broken stream upstream re-watches rather than re-lists, which at 10,000 pods matters.
                LogRetry(typeof(T).Name, e.Message, backoff.TotalMilliseconds);
                await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private static bool IsGone(Exception e) => e switch
    {
        KubernetesException k => k.Status?.Code == 410,
        HttpOperationException h => h.Response?.StatusCode == System.Net.HttpStatusCode.Gone,
        _ => false,
    };

    private async Task<string> ListIntoCacheAsync(CancellationToken cancellationToken)
    {
        var (items, version) = await _source.ListAsync(cancellationToken);
        lock (_dispatch)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                var key = ObjectKeys.Of(item);
                seen.Add(key);
                var current = Cache.Get(key);
                if (current is null || current.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
                {
                    Cache.Upsert(key, item);
                    Dispatch(new ObjectChange<T>(key, current, item));
                }
            }
            foreach (var gone in Cache.Keys.Where(k => !seen.Contains(k)))
            {
                // Deleted while we were not watching: the last state we saw is all there is (client-go's DeletedFinalStateUnknown).
                if (Cache.Remove(gone) is { } last)
                {
                    Dispatch(new ObjectChange<T>(gone, last, null));
                }
            }
        }
        _synced.TrySetResult();
        return version;
    }

    private void Apply(WatchEventType type, T obj)
    {
        var key = ObjectKeys.Of(obj);
        lock (_dispatch)
        {
            switch (type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    var old = Cache.Upsert(key, obj);
                    Dispatch(new ObjectChange<T>(key, old, obj));
                    break;
                case WatchEventType.Deleted:
                    Cache.Remove(key);
                    Dispatch(new ObjectChange<T>(key, obj, null));
                    break;
                default:
                    return; // bookmarks carry only a version
            }
        }
    }

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        // Armed when the informer starts (this part runs before RunAsync's first await); a tick before the first list waits for it.
        using var timer = new PeriodicTimer(_resyncPeriod, _time);
        try
        {
            await Synced.WaitAsync(cancellationToken);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                lock (_dispatch)
                {
                    foreach (var obj in Cache.List())
                    {
                        Dispatch(new ObjectChange<T>(ObjectKeys.Of(obj), obj, obj));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void Dispatch(ObjectChange<T> change)
    {
        Changed?.Invoke(change.Key);
        foreach (var handler in _handlers)
        {
            handler(change);
        }
    }

    [LoggerMessage(EventId = LogEvents.Client + 500, Level = LogLevel.Debug, Message = "{Kind} watch expired; listing again")]
    private partial void LogRelist(string kind);

    [LoggerMessage(EventId = LogEvents.Client + 501, Level = LogLevel.Warning, Message = "{Kind} list/watch failed ({Reason}); retrying in {DelayMs} ms")]
    private partial void LogRetry(string kind, string reason, double delayMs);

    private sealed class Registration(Informer<T> informer, Action<ObjectChange<T>> handler) : IDisposable
    {
        public void Dispose()
        {
            lock (informer._dispatch)
            {
                informer._handlers.Remove(handler);
            }
        }
    }
}
