using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.WatchCache;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Rbac;

/// <summary>
/// Keeps <see cref="RbacPolicy"/> current, as upstream's RBAC authorizer is kept current by its
/// informers. Three ways in, all idempotent (a state is taken in only if no newer one was):
/// <list type="bullet">
/// <item>at start, every stored role and binding is loaded before the server serves (<see cref="LoadAsync"/>);</item>
/// <item>this server's own writes, through <see cref="ResourceRegistry.Stored"/>, before the write's reply —
/// so a binding created and then used at once by the same client is seen (upstream lags by an informer's delay);</item>
/// <item>other API servers' writes over the same store, through the watch caches (one store watch per kind, shared with API watches).</item>
/// </list>
/// A watch that loses events (compaction) re-lists its kind and forgets what is gone.
/// </summary>
internal sealed partial class RbacFeed(RbacPolicy policy, ResourceRegistry registry, WatchCaches caches, ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    private static readonly Dictionary<ResourceType, RbacPolicy.Kind> Kinds = new()
    {
        [Find("roles")] = RbacPolicy.Kind.Role,
        [Find("clusterroles")] = RbacPolicy.Kind.ClusterRole,
        [Find("rolebindings")] = RbacPolicy.Kind.RoleBinding,
        [Find("clusterrolebindings")] = RbacPolicy.Kind.ClusterRoleBinding,
    };

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _watches = [];

    /// <summary>The served RBAC resource named <paramref name="resource"/> (rbac.authorization.k8s.io/v1).</summary>
    public static ResourceType Find(string resource) => ResourceCatalog.Find("rbac.authorization.k8s.io", "v1", resource)!;

    /// <summary>Loads every stored role and binding, then follows changes.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        // Own writes from now on; the lists below take in everything written before.
        registry.Stored += OnStored;
        foreach (var (type, kind) in Kinds)
        {
            var revision = await ListAsync(type, kind, cancellationToken);
            _watches.Add(Task.Run(() => FollowAsync(type, kind, revision, _stopping.Token), CancellationToken.None));
        }
    }

    private void OnStored(ResourceType type, JsonObject obj, bool gone)
    {
        if (Kinds.TryGetValue(type, out var kind))
        {
            policy.Apply(kind, obj, gone, long.TryParse(ObjectMeta.ResourceVersion(obj), CultureInfo.InvariantCulture, out var revision) ? revision : 0);
        }
    }

    // Takes in the whole stored set of one kind and forgets what is no longer there; returns the list's revision.
    private async Task<long> ListAsync(ResourceType type, RbacPolicy.Kind kind, CancellationToken cancellationToken)
    {
        var page = await registry.ListAsync(type, null, new ListOptions(), null, cancellationToken);
        var present = new HashSet<(string, string)>();
        foreach (var kv in page.Items)
        {
            var obj = ObjectCodec.Decode(kv.Value, kv.ModRevision);
            present.Add((type.Namespaced ? ObjectMeta.Namespace(obj) ?? "" : "", ObjectMeta.Name(obj) ?? ""));
            policy.Apply(kind, obj, gone: false, kv.ModRevision);
        }
        policy.RetainOnly(kind, present, page.Revision);
        return page.Revision;
    }

    private async Task FollowAsync(ResourceType type, RbacPolicy.Kind kind, long revision, CancellationToken cancellationToken)
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
                        policy.Apply(kind, ObjectCodec.Decode(item.Kv.Value, item.Kv.ModRevision), item.Type == "DELETED", item.Revision);
                        revision = Math.Max(revision, item.Revision);
                    }
                }
                // Cut off (fell behind, or the cache restarted): watch again from the last event read.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (CompactedException)
            {
                revision = await ListAsync(type, kind, cancellationToken);
            }
            catch (Exception e) when (e is StoreUnavailableException or ApiException)
            {
                LogRetried(type.Name, e.Message);
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

    [LoggerMessage(EventId = LogEvents.ApiServer + 700, Level = LogLevel.Warning, Message = "Watching {Resource} for RBAC failed and is retried in a second: {Error}")]
    private partial void LogRetried(string resource, string error);
}
