using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Resources;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// Empties terminating namespaces and then finalizes them: the role of kube-controller-manager's
/// namespace controller (pkg/controller/namespace/deletion), kept in the API server because a
/// namespace must go away even before any controller runs. It deletes every namespaced object in
/// the namespace through the registry (so pods still get graceful deletion and finalizers are
/// honoured), re-checks until nothing is left, then removes the "kubernetes" finalizer.
/// </summary>
public sealed partial class NamespaceCleaner(ResourceRegistry registry, ILogger<NamespaceCleaner> logger)
{
    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var page = await registry.ListAsync(Namespaces, null, new ListOptions(), ObjectMeta.IsDeleting, cancellationToken);
                var pending = false;
                foreach (var kv in page.Items)
                {
                    pending |= !await CleanAsync(ObjectCodec.Decode(kv.Value, kv.ModRevision), cancellationToken);
                }
                // Sleep until a namespace changes, or re-check soon while one still has content.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (pending)
                {
                    wait.CancelAfter(RetryInterval);
                }
                await foreach (var ev in registry.Store.WatchAsync(Namespaces.KeyPrefix, page.Revision + 1, wait.Token))
                {
                    if (ev.Type == WatchEventType.Put && ObjectMeta.IsDeleting(ObjectCodec.Decode(ev.Kv.Value, ev.Kv.ModRevision)))
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The retry timer fired.
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is StoreUnavailableException or CompactedException or WatchLaggedException or ApiException or System.Text.Json.JsonException or InvalidDataException)
            {
                LogRetry(e.Message);
                await Task.Delay(RetryInterval, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Deletes what is left in the namespace; true once it is empty and finalized.</summary>
    private async Task<bool> CleanAsync(JsonObject ns, CancellationToken cancellationToken)
    {
        var name = ObjectMeta.Name(ns)!;
        var remaining = 0;
        foreach (var type in ResourceCatalog.All.Where(t => t.Namespaced && t.Verbs.Contains("delete")))
        {
            var page = await registry.ListAsync(type, name, new ListOptions(), null, cancellationToken);
            foreach (var kv in page.Items)
            {
                remaining++;
                var obj = ObjectCodec.Decode(kv.Value, kv.ModRevision);
                if (ObjectMeta.IsDeleting(obj))
                {
                    continue;
                }
                try
                {
                    await registry.DeleteAsync(type, name, ObjectMeta.Name(obj)!, new DeleteOptions { PropagationPolicy = "Background" }, cancellationToken);
                }
                catch (ApiException e) when (e.Code is 404 or 409)
                {
                    // Gone or changed meanwhile; the next pass sees the truth.
                }
            }
        }
        if (remaining > 0)
        {
            return false;
        }
        var finalizers = new JsonArray((ns["spec"]?["finalizers"] as JsonArray ?? []).Where(f => ObjectMeta.Str(f) != "kubernetes").Select(f => f?.DeepClone()).ToArray());
        await registry.FinalizeNamespaceAsync(Namespaces, name, finalizers, cancellationToken);
        LogFinalized(name);
        return true;
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Namespace {Namespace} emptied and removed")]
    private partial void LogFinalized(string @namespace);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "Namespace cleanup will retry: {Reason}")]
    private partial void LogRetry(string reason);
}
