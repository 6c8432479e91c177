using MiniKube.Api;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using MiniKube.Client;
using MiniKube.Controllers.Common;

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
public sealed partial class EndpointSliceController : IController
{
    /// <summary>Upstream's --max-endpoints-per-slice default.</summary>
    public const int MaxEndpointsPerSlice = 100;

    public const string ManagedByLabel = WellKnownLabels.EndpointSliceManagedBy;

    public const string ManagedByValue = "endpointslice-controller.k8s.io";

    private readonly IKubernetes _client;
    private readonly Informer<V1Service> _services;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1Node> _nodes;
    private readonly Informer<V1EndpointSlice> _slices;
    private readonly Expectations _expectations;
    private readonly WorkQueue<string> _queue;
    private readonly ILogger _logger;

    public EndpointSliceController(ControllerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _client = context.Client;
        _logger = context.Loggers.CreateLogger<EndpointSliceController>();
        _queue = new WorkQueue<string>(context.Time);
        _expectations = new Expectations(context.Time);
        _services = context.Informers.Services;
        _pods = context.Informers.Pods;
        _nodes = context.Informers.Nodes;
        _slices = context.Informers.EndpointSlices;
        _services.AddHandler(change => _queue.Add(change.Key));
        _pods.AddHandler(change =>
        {
            foreach (var key in EndpointPods.ServicesFor(change, _services))
            {
                _queue.Add(key);
            }
        });
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
            _queue.Add(service);
        });
    }

    public string Name => "endpointslice";

    public Task RunAsync(CancellationToken cancellationToken) => _queue.RunAsync(5, SyncAsync, cancellationToken);

    public async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        if (!_expectations.Satisfied(key))
        {
            return; // the slices we created are on their way; their arrival queues the service again
        }
        var (ns, name) = ObjectKeys.Split(key);
        await _queue.SyncOrRetryAsync(key, () => ConvergeAsync(key, ns, name, cancellationToken), e => LogSyncFailed(ns, name, PodControl.StatusMessage(e)));
    }

    /// <summary>The key of the service a slice we manage belongs to, or null for someone else's slice.</summary>
    public static string? ServiceKeyOf(V1EndpointSlice slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        var labels = slice.Metadata.Labels;
        return labels is not null && labels.TryGetValue(ManagedByLabel, out var manager) && manager == ManagedByValue
            && labels.TryGetValue(EndpointPods.ServiceNameLabel, out var service)
            ? ObjectKeys.Of(slice.Metadata.NamespaceProperty, service)
            : null;
    }

    private async Task ConvergeAsync(string key, string ns, string name, CancellationToken cancellationToken)
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
        var labels = LabelsFor(service);
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
                if (!SliceContents.SameEndpoints(reuse.Endpoints, content.Endpoints) || !SameLabels(reuse.Metadata.Labels, labels))
                {
                    var updated = ObjectCopy.Clone(reuse);
                    updated.Endpoints = content.Endpoints;
                    updated.Ports = content.Ports;
                    updated.Metadata.Labels = labels;
                    updated.Metadata.Annotations ??= new Dictionary<string, string>();
                    updated.Metadata.Annotations[EndpointPods.LastChangeTriggerTimeAnnotation] = trigger;
                    await _client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(updated, updated.Metadata.Name, ns, cancellationToken: cancellationToken);
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
            if (placeholder.Endpoints is { Count: > 0 } || placeholder.Ports is { Count: > 0 } || !SameLabels(placeholder.Metadata.Labels, labels))
            {
                var emptied = ObjectCopy.Clone(placeholder);
                emptied.Endpoints = [];
                emptied.Ports = null;
                emptied.Metadata.Labels = labels;
                await _client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(emptied, emptied.Metadata.Name, ns, cancellationToken: cancellationToken);
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
                    await _client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, ns, cancellationToken: cancellationToken);
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
            Annotations = new Dictionary<string, string> { [EndpointPods.LastChangeTriggerTimeAnnotation] = trigger },
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
            await _client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync(slice.Metadata.Name, slice.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = slice.Metadata.Uid } }, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsGoneOrReplaced(e))
        {
            // Already gone.
        }
    }

    /// <summary>The service's labels plus the service-name, managed-by and headless labels (reconciler.go setEndpointSliceLabels).</summary>
    private static Dictionary<string, string> LabelsFor(V1Service service)
    {
        var labels = new Dictionary<string, string>(service.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [EndpointPods.ServiceNameLabel] = service.Metadata.Name,
            [ManagedByLabel] = ManagedByValue,
        };
        if (service.Spec.ClusterIP is null or "" or "None")
        {
            labels[EndpointPods.HeadlessLabel] = "";
        }
        else
        {
            labels.Remove(EndpointPods.HeadlessLabel);
        }
        return labels;
    }

    private static bool SameLabels(IDictionary<string, string>? current, Dictionary<string, string> desired) =>
        current is not null && current.Count == desired.Count && desired.All(p => current.TryGetValue(p.Key, out var v) && v == p.Value);

    [LoggerMessage(EventId = 3300, Level = LogLevel.Debug, Message = "Created {Count} endpoint slice(s) for service {Namespace}/{Name}")]
    private partial void LogCreated(string @namespace, string name, int count);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Syncing endpoint slices of service {Namespace}/{Name} failed ({Reason}); retrying")]
    private partial void LogSyncFailed(string @namespace, string name, string reason);
}
