using k8s.Models;

namespace MiniKube.Controllers.EndpointSlice;

/// <summary>
/// Keeps the discovery.k8s.io/v1 EndpointSlices of every selecting Service
/// (pkg/controller/endpointslice/endpointslice_controller.go + reconciler.go, simplified):
/// endpoints grouped by the ports they resolve, at most <see cref="MaxEndpointsPerSlice"/> per
/// slice, slices named "&lt;service&gt;-&lt;random&gt;" and owned by the Service, updated in place
/// and written only when they differ. Slices we created but have not yet seen in the cache hold
/// the service back (expectations), so a lagging cache never makes a second slice.
/// Keys are service keys.
/// </summary>
public sealed partial class EndpointSliceController : Controller<NamespacedName>
{
    /// <summary>Upstream's --max-endpoints-per-slice default.</summary>
    public const int MaxEndpointsPerSlice = 100;

    public const string ManagedByLabel = WellKnownLabels.EndpointSliceManagedBy;

    public const string ManagedByValue = "endpointslice-controller.k8s.io";

    private readonly Informer<V1Service> _services;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1Node> _nodes;
    private readonly Informer<V1EndpointSlice> _slices;
    private readonly Expectations _expectations;

    public EndpointSliceController(ControllerContext context)
        : base(context, "endpointslice", workers: 5)
    {
        _expectations = new Expectations(context.Time);
        _services = context.Informers.Services.EnqueueKeys(Queue);
        _pods = context.Informers.Pods.EnqueueSelectingServices(Queue, _services);
        _nodes = context.Informers.Nodes;
        _slices = context.Informers.EndpointSlices;
        _slices.AddHandler(change =>
        {
            if (ServiceKeyOf(change.Latest) is not { } service)
            {
                return;
            }
            if (change.IsAdd)
            {
                _expectations.CreationObserved(service);
            }
            Queue.Add(service);
        });
    }

    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (!_expectations.Satisfied(key))
        {
            return; // the slices we created are on their way; their arrival queues the service again
        }
        await ConvergeAsync(key, key.Namespace, key.Name, cancellationToken);
    }

    /// <summary>The key of the service a slice we manage belongs to, or null for someone else's slice.</summary>
    public static NamespacedName? ServiceKeyOf(V1EndpointSlice slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        var labels = slice.Metadata.Labels;
        return labels is not null && labels.TryGetValue(ManagedByLabel, out var manager) && manager == ManagedByValue
            && labels.TryGetValue(WellKnownLabels.ServiceName, out var service)
            ? new NamespacedName(slice.Metadata.NamespaceProperty, service)
            : null;
    }

    private async Task ConvergeAsync(NamespacedName key, string ns, string name, CancellationToken cancellationToken)
    {
        var existing = _slices.Cache.ListNamespace(ns).Where(s => ServiceKeyOf(s) == key).OrderBy(s => s.Metadata.Name, StringComparer.Ordinal).ToList();
        var service = _services.Cache.Get(ns, name);
        if (service is null || !EndpointPods.HasSelector(service))
        {
            // Upstream leaves this to the garbage collector (slices are owned by the service); doing it here too does not wait for it.
            foreach (var slice in existing)
            {
                await DeleteAsync(slice, cancellationToken);
            }
            if (service is null)
            {
                _expectations.Delete(key);
            }
            return;
        }
        var pods = EndpointPods.Selected(service, _pods).Where(p => EndpointPods.ShouldBeListed(p, includeTerminating: true)).ToList();
        var labels = EndpointPods.LabelsFor(service, (WellKnownLabels.ServiceName, service.Metadata.Name), (ManagedByLabel, ManagedByValue));
        var trigger = EndpointPods.FormatTriggerTime(EndpointPods.LastChangeTriggerTime(service, pods));
        var desired = SliceContents.For(service, pods, node => _nodes.Cache.Get(node), MaxEndpointsPerSlice);
        var unused = new List<V1EndpointSlice>(existing);
        var toCreate = new List<V1EndpointSlice>();
        foreach (var content in desired)
        {
            // Reuse a slice that already has these ports, rewriting it only when it differs.
            var reuse = unused.FirstOrDefault(s => SliceContents.SamePorts(s.Ports, content.Ports));
            if (reuse is not null)
            {
                unused.Remove(reuse);
                if (!SliceContents.SameEndpoints(reuse.Endpoints, content.Endpoints) || !EndpointPods.SameLabels(reuse.Metadata.Labels, labels))
                {
                    var updated = ObjectCopy.Clone(reuse);
                    updated.Endpoints = content.Endpoints;
                    updated.Ports = content.Ports;
                    updated.Metadata.Labels = labels;
                    updated.Metadata.Annotations ??= new Dictionary<string, string>();
                    updated.Metadata.Annotations[WellKnownAnnotations.EndpointsLastChangeTriggerTime] = trigger;
                    await Client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(updated, updated.Metadata.Name, ns, cancellationToken: cancellationToken);
                }
                continue;
            }
            toCreate.Add(NewSlice(service, labels, trigger, content));
        }
        // A service with no endpoints still gets one (empty) slice, as upstream's placeholder slice.
        if (desired.Count == 0 && existing.Count == 0)
        {
            toCreate.Add(NewSlice(service, labels, trigger, new SliceContent([], [])));
        }
        else if (desired.Count == 0 && unused.Count > 0)
        {
            // Keep one slice as the empty placeholder rather than deleting and re-creating it.
            var placeholder = unused[0];
            unused.RemoveAt(0);
            if (placeholder.Endpoints is { Count: > 0 } || placeholder.Ports is { Count: > 0 } || !EndpointPods.SameLabels(placeholder.Metadata.Labels, labels))
            {
                var emptied = ObjectCopy.Clone(placeholder);
                emptied.Endpoints = [];
                emptied.Ports = null;
                emptied.Metadata.Labels = labels;
                await Client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(emptied, emptied.Metadata.Name, ns, cancellationToken: cancellationToken);
            }
        }
        foreach (var slice in unused)
        {
            await DeleteAsync(slice, cancellationToken);
        }
        if (toCreate.Count > 0)
        {
            _expectations.ExpectCreations(key, toCreate.Count);
            foreach (var slice in toCreate)
            {
                try
                {
                    await Client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, ns, cancellationToken: cancellationToken);
                }
                catch (HttpOperationException)
                {
                    _expectations.CreationObserved(key);
                    throw;
                }
            }
            LogCreated(ns, name, toCreate.Count);
        }
    }

    /// <summary>A slice to create for <paramref name="service"/>: named by the server from "&lt;service&gt;-", owned by the service.</summary>
    private static V1EndpointSlice NewSlice(V1Service service, Dictionary<string, string> labels, string trigger, SliceContent content) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta
        {
            GenerateName = service.Metadata.Name + "-",
            NamespaceProperty = service.Metadata.NamespaceProperty,
            Labels = labels,
            Annotations = new Dictionary<string, string> { [WellKnownAnnotations.EndpointsLastChangeTriggerTime] = trigger },
            OwnerReferences = [ControllerRefs.To(service, "v1", "Service")],
        },
        AddressType = "IPv4",
        Endpoints = content.Endpoints,
        Ports = content.Ports.Count == 0 ? null : content.Ports,
    };

    private async Task DeleteAsync(V1EndpointSlice slice, CancellationToken cancellationToken)
    {
        try
        {
            await Client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync(slice.Metadata.Name, slice.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = slice.Metadata.Uid } }, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsGoneOrReplaced(e))
        {
            // Already gone.
        }
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 350, Level = LogLevel.Debug, Message = "Created {Count} endpoint slice(s) for service {Namespace}/{Name}")]
    private partial void LogCreated(string @namespace, string name, int count);
}
