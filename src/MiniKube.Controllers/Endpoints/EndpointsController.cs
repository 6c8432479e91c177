using k8s.Models;

namespace MiniKube.Controllers.Endpoints;

/// <summary>
/// Keeps one v1 Endpoints object per selecting Service, named like it
/// (pkg/controller/endpoint/endpoints_controller.go): ready pods under addresses, the others
/// under notReadyAddresses (all ready with publishNotReadyAddresses), grouped into subsets by
/// the ports they resolve to; written only when the subsets or labels changed; deleted with
/// the Service. Services without a selector (like default/kubernetes) are left to whoever
/// writes their endpoints. Keys are service keys.
/// </summary>
public sealed partial class EndpointsController : Controller<NamespacedName>
{
    /// <summary>The label upstream (1.33+) puts on the Endpoints it manages, and its value.</summary>
    public const string ManagedByLabel = "endpoints.kubernetes.io/managed-by";

    public const string ManagedByValue = "endpoint-controller";

    private readonly Informer<V1Service> _services;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1Endpoints> _endpoints;

    public EndpointsController(ControllerContext context)
        : base(context, "endpoint", workers: 5, eventSource: "endpoint-controller")
    {
        _services = context.Informers.Services.EnqueueKeys(Queue);
        _pods = context.Informers.Pods.EnqueueSelectingServices(Queue, _services);
        _endpoints = context.Informers.Endpoints;
        // Someone deleted our Endpoints: make them again if the service still wants them.
        _endpoints.AddHandler(change =>
        {
            if (change.IsDelete)
            {
                Queue.Add(change.Name);
            }
        });
    }

    public override Task SyncAsync(NamespacedName key, CancellationToken cancellationToken) => ConvergeAsync(key.Namespace, key.Name, cancellationToken);

    private async Task ConvergeAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var service = _services.Cache.Get(ns, name);
        var current = _endpoints.Cache.Get(ns, name);
        if (service is null)
        {
            if (current is not null)
            {
                await DeleteAsync(ns, name, cancellationToken);
            }
            return;
        }
        if (!EndpointPods.HasSelector(service))
        {
            return;
        }
        var pods = EndpointPods.Selected(service, _pods);
        var subsets = EndpointSubsets.For(service, pods);
        var labels = EndpointPods.LabelsFor(service, (ManagedByLabel, ManagedByValue));
        if (current is not null && EndpointSubsets.Same(current.Subsets, subsets) && EndpointPods.SameLabels(current.Metadata.Labels, labels))
        {
            return;
        }
        var desired = current is null ? new V1Endpoints { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns } } : ObjectCopy.Clone(current);
        desired.Subsets = subsets;
        desired.Metadata.Labels = labels;
        desired.Metadata.Annotations ??= new Dictionary<string, string>();
        desired.Metadata.Annotations[WellKnownAnnotations.EndpointsLastChangeTriggerTime] =
            EndpointPods.FormatTriggerTime(EndpointPods.LastChangeTriggerTime(service, pods.Where(p => EndpointPods.ShouldBeListed(p, service.Spec.PublishNotReadyAddresses == true))));
        try
        {
            if (current is null)
            {
                await Client.CoreV1.CreateNamespacedEndpointsAsync(desired, ns, cancellationToken: cancellationToken);
            }
            else
            {
                await Client.CoreV1.ReplaceNamespacedEndpointsAsync(desired, name, ns, cancellationToken: cancellationToken);
            }
            var ready = subsets.Sum(s => s.Addresses?.Count ?? 0);
            var notReady = subsets.Sum(s => s.NotReadyAddresses?.Count ?? 0);
            LogWritten(ns, name, ready, notReady);
        }
        catch (HttpOperationException e) when (current is null && e.Response.StatusCode == System.Net.HttpStatusCode.Forbidden)
        {
            // The namespace is terminating: creates keep failing and the service goes with it.
        }
        catch (HttpOperationException e) when (!ApiErrors.IsConflict(e))
        {
            var message = current is null
                ? $"Failed to create endpoint for service {ns}/{name}: {ApiErrors.StatusMessage(e)}"
                : $"Failed to update endpoint {ns}/{name}: {ApiErrors.StatusMessage(e)}";
            Events.Record(desired, EventTypes.Warning, current is null ? "FailedToCreateEndpoint" : "FailedToUpdateEndpoint", message);
            throw;
        }
    }

    private async Task DeleteAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            await Client.CoreV1.DeleteNamespacedEndpointsAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
            // Already gone.
        }
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 300, Level = LogLevel.Debug, Message = "Endpoints {Namespace}/{Name} written: {Ready} ready, {NotReady} not ready")]
    private partial void LogWritten(string @namespace, string name, int ready, int notReady);
}
