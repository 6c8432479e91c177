using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;
using MiniKube.ApiServer.WatchCache;
using MiniKube.ApiServer.Webhooks;
using MiniKube.Storage;

namespace MiniKube.ApiServer.ApiExtensions;

/// <summary>
/// Keeps <see cref="ApiResources"/> in step with the stored CustomResourceDefinitions, as
/// apiextensions-apiserver's crdHandler does, and empties deleted CRDs. Three ways in, all
/// idempotent (a CRD's registrations are derived from the stored CRD alone):
/// <list type="bullet">
/// <item>at start, every stored CRD is registered before the server serves (<see cref="LoadAsync"/>);</item>
/// <item>this server's own CRD writes, through <see cref="ResourceRegistry.Stored"/>, before the write's reply;</item>
/// <item>other API servers' writes over the same store, through a watch on CRDs (the watch cache).</item>
/// </list>
/// A CRD being deleted keeps serving its resource (creates refused) while its objects are deleted
/// (upstream's finalizer controller, pkg/controller/finalizer/crd_finalizer.go), then loses the
/// finalizer and, once gone, is no longer served.
/// </summary>
internal sealed partial class CustomResourceServing : IAsyncDisposable
{
    /// <summary>The CRD resource itself.</summary>
    public static readonly ResourceType Definitions = ResourceCatalog.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;

    private static readonly TimeSpan CleanupRetry = TimeSpan.FromSeconds(1);

    private readonly ApiResources _resources;
    private readonly ResourceRegistry _registry;
    private readonly WatchCaches _caches;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Task> _cleanups = new(StringComparer.Ordinal);
    private Task _watch = Task.CompletedTask;

    public CustomResourceServing(ApiResources resources, ResourceRegistry registry, WatchCaches caches, ILogger logger)
    {
        _resources = resources;
        _registry = registry;
        _caches = caches;
        _logger = logger;
        registry.Stored += OnStored;
    }

    /// <summary>The API server's webhook client, which calls the conversion webhooks of Webhook-conversion CRDs; null: they convert as None.</summary>
    public WebhookClient? ConversionWebhooks { get; init; }

    /// <summary>Registers every stored CRD, then follows changes from other API servers.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var page = await _registry.ListAsync(Definitions, null, new ListOptions(), null, cancellationToken);
        foreach (var kv in page.Items)
        {
            Apply(ObjectCodec.Decode(kv.Value, kv.ModRevision), gone: false, kv.ModRevision);
        }
        _watch = Task.Run(() => FollowAsync(page.Revision, _stopping.Token), CancellationToken.None);
    }

    private void OnStored(ResourceType type, JsonObject obj, bool gone)
    {
        if (ReferenceEquals(type, Definitions))
        {
            Apply(obj, gone, long.TryParse(ObjectMeta.ResourceVersion(obj), CultureInfo.InvariantCulture, out var revision) ? revision : long.MaxValue);
        }
    }

    // revision: the store revision of this state of the CRD (its deletion's for a gone one).
    private void Apply(JsonObject crd, bool gone, long revision)
    {
        var name = ObjectMeta.Name(crd) ?? "";
        if (gone)
        {
            _resources.Set(name, [], revision);
            return;
        }
        IReadOnlyList<ResourceType> types;
        try
        {
            types = CustomResourceTypes.From(crd, ConversionWebhooks);
        }
        catch (InvalidOperationException e)
        {
            // Stored before a check existed, or written around the API: not served, said once per change.
            LogUnservable(name, e.Message);
            types = [];
        }
        _resources.Set(name, types, revision);
        if (ObjectMeta.IsDeleting(crd) && (ObjectMeta.Finalizers(crd) ?? []).Any(f => ObjectMeta.Str(f) == CustomResourceDefinitionStrategy.CleanupFinalizer))
        {
            var uid = ObjectMeta.Uid(crd) ?? name;
            _cleanups.GetOrAdd(uid, _ => Task.Run(() => CleanUpAsync(name, uid, _stopping.Token), CancellationToken.None));
        }
    }

    private async Task FollowAsync(long revision, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var stream = await _caches.WatchAsync(Definitions, null, revision, null, cancellationToken);
                while (await stream.WaitToReadAsync(cancellationToken))
                {
                    while (stream.TryRead(out var item))
                    {
                        Apply(ObjectCodec.Decode(item.Kv.Value, item.Kv.ModRevision), item.Type == "DELETED", item.Revision);
                        revision = Math.Max(revision, item.Revision);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (CompactedException)
            {
                // Missed events: re-read the whole set, then follow from there.
                var page = await _registry.ListAsync(Definitions, null, new ListOptions(), null, cancellationToken);
                var stored = new HashSet<string>(StringComparer.Ordinal);
                foreach (var kv in page.Items)
                {
                    var crd = ObjectCodec.Decode(kv.Value, kv.ModRevision);
                    stored.Add(ObjectMeta.Name(crd) ?? "");
                    Apply(crd, gone: false, kv.ModRevision);
                }
                foreach (var name in _resources.Current.Custom.Keys.Where(n => !stored.Contains(n)))
                {
                    _resources.Set(name, [], page.Revision);
                }
                revision = page.Revision;
            }
            catch (Exception e) when (e is StoreUnavailableException or ApiException)
            {
                LogRetried("Watching CustomResourceDefinitions", "in a second", e.Message);
                await Task.Delay(CleanupRetry, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Marks the CRD Terminating, deletes its objects (their own finalizers respected), and once
    /// none is left removes the cleanup finalizer, which lets the CRD go.
    /// </summary>
    private async Task CleanUpAsync(string name, string uid, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    if (await CleanUpOnceAsync(name, uid, cancellationToken))
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is ApiException or StoreUnavailableException)
                {
                    // A conflict or an outage: the CRD stays Terminating and the next round tries again.
                    LogRetried($"Deleting the objects of CustomResourceDefinition {name}", "in a second", e.Message);
                }
                await Task.Delay(CleanupRetry, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The server stops; the next start picks the CRD up again from the store.
        }
        finally
        {
            _cleanups.TryRemove(uid, out _);
        }
    }

    /// <summary>One round of the cleanup; true when it is over (finalizer removed, or the CRD gone or replaced).</summary>
    private async Task<bool> CleanUpOnceAsync(string name, string uid, CancellationToken cancellationToken)
    {
        JsonObject crd;
        try
        {
            crd = await _registry.GetAsync(Definitions, null, name, cancellationToken);
        }
        catch (ApiException e) when (e.Code == StatusCodes.Status404NotFound)
        {
            return true;
        }
        if (ObjectMeta.Uid(crd) != uid || !(ObjectMeta.Finalizers(crd) ?? []).Any(f => ObjectMeta.Str(f) == CustomResourceDefinitionStrategy.CleanupFinalizer))
        {
            return true;
        }
        await SetTerminatingAsync(name, "InstanceDeletionInProgress", "CustomResource deletion is in progress", cancellationToken);
        if (await DeleteObjectsAsync(crd, cancellationToken) > 0)
        {
            return false;
        }
        await SetTerminatingAsync(name, "InstanceDeletionCompleted", "removed all instances", cancellationToken);
        await _registry.UpdateAsync(Definitions, null, name, null, current =>
        {
            if (ObjectCodec.Metadata(current)["finalizers"] is JsonArray finalizers)
            {
                foreach (var finalizer in finalizers.Where(f => ObjectMeta.Str(f) == CustomResourceDefinitionStrategy.CleanupFinalizer).ToList())
                {
                    finalizers.Remove(finalizer);
                }
            }
            ObjectCodec.Metadata(current).Remove("resourceVersion");
            return current;
        }, dryRun: false, cancellationToken);
        return true;
    }

    private async Task<int> DeleteObjectsAsync(JsonObject crd, CancellationToken cancellationToken)
    {
        if (CustomResourceTypes.Storage(crd) is not { } storage)
        {
            return 0;
        }
        var page = await _registry.ListAsync(storage, null, new ListOptions(), null, cancellationToken);
        var left = 0;
        foreach (var kv in page.Items)
        {
            var obj = ObjectCodec.Decode(kv.Value, kv.ModRevision);
            left++;
            if (ObjectMeta.IsDeleting(obj))
            {
                continue;
            }
            try
            {
                var (_, gone) = await _registry.DeleteAsync(storage, ObjectMeta.Namespace(obj), ObjectMeta.Name(obj) ?? "", new DeleteOptions(), cancellationToken);
                left -= gone ? 1 : 0;
            }
            catch (ApiException e) when (e.Code is StatusCodes.Status404NotFound or StatusCodes.Status409Conflict)
            {
                // Gone or changed meanwhile: the next round sees the truth.
            }
        }
        return left;
    }

    private async Task SetTerminatingAsync(string name, string reason, string message, CancellationToken cancellationToken) =>
        await _registry.UpdateAsync(Definitions, null, name, "status", crd =>
        {
            var status = crd.Ensure("status");
            var conditions = status["conditions"] as JsonArray ?? [];
            status["conditions"] = conditions;
            var condition = conditions.OfType<JsonObject>().FirstOrDefault(c => c.Str("type") == "Terminating");
            if (condition is null)
            {
                condition = new JsonObject { ["type"] = "Terminating" };
                conditions.Add(condition);
            }
            if (condition.Str("status") != "True")
            {
                condition["lastTransitionTime"] = ObjectMeta.Timestamp(_registry.Clock.GetUtcNow());
            }
            condition["status"] = "True";
            condition["reason"] = reason;
            condition["message"] = message;
            ObjectCodec.Metadata(crd).Remove("resourceVersion");
            return crd;
        }, dryRun: false, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _watch;
        await Task.WhenAll(_cleanups.Values);
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.ApiServer + 340, Level = LogLevel.Warning, Message = "CustomResourceDefinition {Name} cannot be served: {Error}")]
    private partial void LogUnservable(string name, string error);

    [LoggerMessage(EventId = LogEvents.ApiServer + 341, Level = LogLevel.Warning, Message = "{Work} failed and is retried ({When}): {Error}")]
    private partial void LogRetried(string work, string when, string error);
}
