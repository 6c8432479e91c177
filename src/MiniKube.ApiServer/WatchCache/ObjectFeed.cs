using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.Storage;

namespace MiniKube.ApiServer.WatchCache;

/// <summary>An in-memory index of stored objects that an <see cref="ObjectFeed"/> keeps current.</summary>
internal interface IObjectIndex
{
    /// <summary>Takes in one object's state at <paramref name="revision"/> (its deletion's when <paramref name="gone"/>), unless a newer one was taken in.</summary>
    void Apply(ResourceType type, JsonObject obj, bool gone, long revision);

    /// <summary>Forgets every object of <paramref name="type"/> not in <paramref name="present"/> (after a re-list at <paramref name="revision"/>).</summary>
    void RetainOnly(ResourceType type, IReadOnlySet<(string Namespace, string Name)> present, long revision);

    /// <summary>The watch of <paramref name="type"/> has delivered every change up to <paramref name="revision"/>.</summary>
    void Progressed(ResourceType type, long revision)
    {
    }
}

/// <summary>
/// Keeps an <see cref="IObjectIndex"/> current, as upstream's authorizers are kept current by their
/// informers (RBAC's roles and bindings, the Node authorizer's graph). Three ways in, all idempotent
/// (the index takes a state in only if no newer one was):
/// <list type="bullet">
/// <item>at start, every stored object of the kinds is loaded before the server serves (<see cref="LoadAsync"/>);</item>
/// <item>this server's own writes, through <see cref="ResourceRegistry.Stored"/>, before the write's reply —
/// so an object written and then relied on at once by the same client is seen (upstream lags by an informer's delay);</item>
/// <item>other API servers' writes over the same store, through the watch caches (one store watch per kind, shared with API watches).</item>
/// </list>
/// A watch that loses events (compaction) re-lists its kind and forgets what is gone.
/// </summary>
internal sealed partial class ObjectFeed(string purpose, IReadOnlyCollection<ResourceType> types, IObjectIndex index, ResourceRegistry registry, WatchCaches caches, ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    private readonly HashSet<ResourceType> _types = [.. types];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _watches = [];

    // This server's own writes reach the index before their replies, and then once more through
    // the watch, as the same state at the same revision. By store key, the newest revision taken
    // in that way that the watch has not brought yet; the watch's copy is then skipped undecoded
    // (decoding it again cost every pod create a parse of the whole pod for the Node authorizer's
    // feed). Guarded by _gate with the revision each kind's watch has brought, so an own write
    // the watch has already passed is never remembered.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _ownWrites = new(StringComparer.Ordinal);
    private readonly Dictionary<ResourceType, long> _watched = [];

    /// <summary>Loads every stored object of the kinds, then follows changes.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        // Own writes from now on; the lists below take in everything written before.
        registry.Stored += OnStored;
        foreach (var type in _types)
        {
            var revision = await ListAsync(type, cancellationToken);
            _watches.Add(Task.Run(() => FollowAsync(type, revision, _stopping.Token), CancellationToken.None));
        }
    }

    private void OnStored(ResourceType type, JsonObject obj, bool gone)
    {
        if (_types.Contains(type))
        {
            var revision = long.TryParse(ObjectMeta.ResourceVersion(obj), CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
            if (gone || Remember(type, ResourceRegistry.Key(type, ObjectMeta.Namespace(obj), ObjectMeta.Name(obj) ?? ""), revision))
            {
                // A deletion comes with the deleted object's version, not the deletion's own revision:
                // it is always taken in here, and again (as the newer state it is) from the watch.
                index.Apply(type, obj, gone, revision);
            }
        }
    }

    // Remembers an own write of the key at this revision for the watch to skip; false when the
    // watch has already brought it and the index taken it in.
    private bool Remember(ResourceType type, string key, long revision)
    {
        lock (_gate)
        {
            if (revision <= _watched.GetValueOrDefault(type))
            {
                return false;
            }
            if (revision > _ownWrites.GetValueOrDefault(key))
            {
                _ownWrites[key] = revision;
            }
            return true;
        }
    }

    // One event of the kind's watch. Decoded only when the index did not take its state in from
    // an own write; taken in, and the watch's progress recorded, under the gate, so an own write
    // of the same state racing with it is taken in exactly once either way.
    private void FromWatch(ResourceType type, WatchItem item)
    {
        var key = item.Kv.Key;
        var obj = TakenFromOwnWrite(key, item.Revision) ? null : ObjectCodec.Decode(item.Kv.Value, item.Kv.ModRevision);
        lock (_gate)
        {
            var own = _ownWrites.GetValueOrDefault(key);
            if (obj is not null && own < item.Revision)
            {
                index.Apply(type, obj, item.Type == "DELETED", item.Revision);
            }
            _watched[type] = item.Revision;
            if (own > 0 && own <= item.Revision)
            {
                _ownWrites.Remove(key);
            }
        }
    }

    // Whether the index took in a state of this key at the revision or later from an own write.
    private bool TakenFromOwnWrite(string key, long revision)
    {
        lock (_gate)
        {
            return _ownWrites.TryGetValue(key, out var own) && own >= revision;
        }
    }

    // The watch of the kind goes on after a re-list at this revision: own writes up to it, which
    // the watch will never bring, are forgotten.
    private void Relisted(ResourceType type, long revision)
    {
        lock (_gate)
        {
            _watched[type] = revision;
            foreach (var key in _ownWrites.Where(w => w.Value <= revision && w.Key.StartsWith(type.KeyPrefix, StringComparison.Ordinal)).Select(w => w.Key).ToList())
            {
                _ownWrites.Remove(key);
            }
        }
    }

    // Takes in the whole stored set of one kind and forgets what is no longer there; returns the list's revision.
    private async Task<long> ListAsync(ResourceType type, CancellationToken cancellationToken)
    {
        var page = await registry.ListAsync(type, null, new ListOptions(), null, cancellationToken);
        var present = new HashSet<(string, string)>();
        foreach (var kv in page.Items)
        {
            var obj = ObjectCodec.Decode(kv.Value, kv.ModRevision);
            present.Add((type.Namespaced ? ObjectMeta.Namespace(obj) ?? "" : "", ObjectMeta.Name(obj) ?? ""));
            index.Apply(type, obj, gone: false, kv.ModRevision);
        }
        index.RetainOnly(type, present, page.Revision);
        return page.Revision;
    }

    private async Task FollowAsync(ResourceType type, long revision, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var stream = await caches.WatchAsync(type, null, revision, null, cancellationToken);
                while (await stream.WaitToReadAsync(cancellationToken))
                {
                    while (stream.TryRead(out var item))
                    {
                        FromWatch(type, item);
                        revision = Math.Max(revision, item.Revision);
                    }
                    index.Progressed(type, revision);
                }
                // Cut off (fell behind, or the cache restarted): watch again from the last event read.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (CompactedException)
            {
                revision = await ListAsync(type, cancellationToken);
                Relisted(type, revision);
            }
            catch (Exception e) when (e is StoreUnavailableException or ApiException)
            {
                LogRetried(type.Name, purpose, e.Message);
                await Task.Delay(Retry, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        registry.Stored -= OnStored;
        await _stopping.CancelAsync();
        foreach (var watch in _watches)
        {
            try
            {
                await watch;
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.ApiServer + 700, Level = LogLevel.Warning, Message = "Watching {Resource} for {Purpose} failed and is retried in a second: {Error}")]
    private partial void LogRetried(string resource, string purpose, string error);
}
