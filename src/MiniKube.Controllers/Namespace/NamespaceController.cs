using k8s.Models;

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
public sealed partial class NamespaceController : Controller<NamespacedName>
{
    /// <summary>The finalizer this controller owns (spec.finalizers, not metadata.finalizers).</summary>
    public const string Finalizer = "kubernetes";

    /// <summary>How soon a namespace that still has content is looked at again.</summary>
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    private readonly NamespacedResources _resources;
    private readonly Informer<V1Namespace> _namespaces;

    public NamespaceController(ControllerContext context)
        : base(context, "namespace", workers: 2)
    {
        _resources = new NamespacedResources(context.Client);
        _namespaces = context.Informers.Namespaces;
        _namespaces.AddHandler(change =>
        {
            if (!change.IsDelete && change.New!.Metadata.DeletionTimestamp is not null)
            {
                Queue.Add(change.Name);
            }
        });
    }

    /// <summary>Deletes what is left in one terminating namespace (keys are namespace names); finalizes it once it is empty.</summary>
    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        var ns = _namespaces.Get(key);
        if (ns?.Metadata.DeletionTimestamp is null || !(ns.Spec?.Finalizers?.Contains(Finalizer) ?? false))
        {
            return;
        }
        try
        {
            var remaining = 0;
            foreach (var resource in await _resources.DiscoverAsync(cancellationToken))
            {
                remaining += await _resources.DeleteContentAsync(resource, key.Name, cancellationToken);
            }
            if (remaining > 0)
            {
                // Graceful pods and finalizers hold content back; look again soon.
                LogWaiting(key.Name, remaining);
                Queue.AddAfter(key, RecheckInterval);
                return;
            }
            await FinalizeAsync(ns, cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e) && _namespaces.Get(key) is null)
        {
            // Gone meanwhile: nothing left to do.
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
            await Client.CoreV1.ReplaceNamespaceFinalizeAsync(body, ns.Metadata.Name, cancellationToken: cancellationToken);
            LogFinalized(ns.Metadata.Name);
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
            // Already gone.
        }
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 550, Level = LogLevel.Information, Message = "Namespace {Namespace} emptied and finalized")]
    private partial void LogFinalized(string @namespace);

    [LoggerMessage(EventId = LogEvents.Controllers + 551, Level = LogLevel.Debug, Message = "Namespace {Namespace} still holds {Count} objects; checking again")]
    private partial void LogWaiting(string @namespace, int count);

}
