using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using MiniKube.Client;
using MiniKube.Controllers.Common;

namespace MiniKube.Controllers.Namespace;

/// <summary>
/// Empties terminating namespaces and then finalizes them (kube-controller-manager's namespace
/// controller, pkg/controller/namespace/deletion/namespaced_resources_deleter.go). For a namespace
/// with a deletionTimestamp and the <c>kubernetes</c> finalizer in spec.finalizers it discovers
/// every namespaced resource the API serves that can be listed and deleted, deletes their content
/// (a deletecollection per resource, or one delete per object where the resource has none), and
/// re-checks until nothing is left: graceful pod deletion and finalizers still apply, so content
/// may take a while. Then it removes the <c>kubernetes</c> finalizer through namespaces/finalize,
/// and the API server removes the namespace. Keys are namespace names.
/// </summary>
public sealed partial class NamespaceController : IController
{
    /// <summary>The finalizer this controller owns (spec.finalizers, not metadata.finalizers).</summary>
    public const string Finalizer = "kubernetes";

    /// <summary>How soon a namespace that still has content is looked at again.</summary>
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    private readonly IKubernetes _client;
    private readonly NamespacedResources _resources;
    private readonly Informer<V1Namespace> _namespaces;
    private readonly WorkQueue<string> _queue;
    private readonly ILogger _logger;

    public NamespaceController(ControllerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _client = context.Client;
        _resources = new NamespacedResources(context.Client);
        _logger = context.Loggers.CreateLogger<NamespaceController>();
        _queue = new WorkQueue<string>(context.Time);
        _namespaces = context.Informers.Namespaces;
        _namespaces.AddHandler(change =>
        {
            if (!change.IsDelete && change.New!.Metadata.DeletionTimestamp is not null)
            {
                _queue.Add(change.Key);
            }
        });
    }

    public string Name => "namespace";

    public Task RunAsync(CancellationToken cancellationToken) => _queue.RunAsync(2, SyncAsync, cancellationToken);

    /// <summary>Deletes what is left in one terminating namespace; finalizes it once it is empty.</summary>
    public async Task SyncAsync(string name, CancellationToken cancellationToken)
    {
        var ns = _namespaces.Get(name);
        if (ns?.Metadata.DeletionTimestamp is null || !(ns.Spec?.Finalizers?.Contains(Finalizer) ?? false))
        {
            return;
        }
        try
        {
            var remaining = 0;
            foreach (var resource in await _resources.DiscoverAsync(cancellationToken))
            {
                remaining += await _resources.DeleteContentAsync(resource, name, cancellationToken);
            }
            if (remaining > 0)
            {
                // Graceful pods and finalizers hold content back; look again soon.
                LogWaiting(name, remaining);
                _queue.AddAfter(name, RecheckInterval);
                return;
            }
            await FinalizeAsync(ns, cancellationToken);
            _queue.Forget(name);
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e) && _namespaces.Get(name) is null)
        {
            // Gone meanwhile: nothing left to do.
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            LogRetry(name, e.Message);
            _queue.AddRateLimited(name);
        }
    }

    private async Task FinalizeAsync(V1Namespace ns, CancellationToken cancellationToken)
    {
        // Never change the cached object: the finalize body is a new one.
        var body = new V1Namespace
        {
            ApiVersion = "v1",
            Kind = "Namespace",
            Metadata = new V1ObjectMeta { Name = ns.Metadata.Name, Uid = ns.Metadata.Uid },
            Spec = new V1NamespaceSpec { Finalizers = [.. ns.Spec.Finalizers.Where(f => f != Finalizer)] },
        };
        try
        {
            await _client.CoreV1.ReplaceNamespaceFinalizeAsync(body, ns.Metadata.Name, cancellationToken: cancellationToken);
            LogFinalized(ns.Metadata.Name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }

    [LoggerMessage(EventId = 6600, Level = LogLevel.Information, Message = "Namespace {Namespace} emptied and finalized")]
    private partial void LogFinalized(string @namespace);

    [LoggerMessage(EventId = 6601, Level = LogLevel.Debug, Message = "Namespace {Namespace} still holds {Count} objects; checking again")]
    private partial void LogWaiting(string @namespace, int count);

    [LoggerMessage(EventId = 6602, Level = LogLevel.Warning, Message = "Emptying namespace {Namespace} will retry: {Reason}")]
    private partial void LogRetry(string @namespace, string reason);
}
