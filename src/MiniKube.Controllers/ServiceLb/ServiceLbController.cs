using System.Text.Json.Nodes;
using k8s.Models;

namespace MiniKube.Controllers.ServiceLb;

/// <summary>
/// ServiceLB's role in k3s (pkg/cloudprovider/servicelb.go): every Service of type LoadBalancer
/// without a loadBalancerClass gets <c>status.loadBalancer.ingress</c> with the IPs of the nodes
/// that serve it (<see cref="LoadBalancerNodes"/>). k3s runs a DaemonSet of klipper-lb pods per
/// Service to forward the ports; here each node's service proxy does it natively from the same
/// status, so this controller only decides and writes it. A port taken on a node keeps that node
/// out (and, with no node left, the Service pending) with a Warning event naming the conflict.
/// A Service that stops being a ServiceLB LoadBalancer has its ingress cleared. Events follow the
/// cloud service controller (pkg/controller/service: EnsuringLoadBalancer, EnsuredLoadBalancer,
/// DeletedLoadBalancer, SyncLoadBalancerFailed) and k3s (UpdatedLoadBalancer,
/// UnAvailableLoadBalancer). One worker: a placement reads every Service's claims.
/// </summary>
public sealed partial class ServiceLbController : Controller<NamespacedName>
{
    // The conflicts last reported per Service, so a resync does not repeat the warning.
    private readonly Dictionary<NamespacedName, string> _reported = [];

    // Services, Nodes, Pods (hostPorts) and EndpointSlices (Local policy), all from the shared caches.
    private readonly SharedInformers _caches;

    public ServiceLbController(ControllerContext context)
        : base(context, "service-lb", workers: 1, eventSource: "service-lb-controller")
    {
        _caches = context.Informers;
        // A Service's ports and age decide the others' placement, and nodes and hostPorts all of them'.
        _caches.Services.AddHandler(change =>
        {
            Queue.Add(change.Name);
            EnqueueServed();
        });
        _caches.Nodes.AddHandler(_ => EnqueueServed());
        _caches.Pods.AddHandler(change =>
        {
            if ((change.Old is { } before && HasHostPort(before)) || (change.New is { } after && HasHostPort(after)))
            {
                EnqueueServed();
            }
        });
        _caches.EndpointSlices.AddHandler(change =>
        {
            if (LoadBalancerNodes.Label(change.Latest.Metadata, WellKnownLabels.ServiceName) is { } service)
            {
                Queue.Add(new NamespacedName(change.Latest.Metadata.NamespaceProperty, service));
            }
        });
    }

    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        var service = _caches.Services.Get(key);
        if (service is null)
        {
            _reported.Remove(key);
            return;
        }
        var before = service.Status?.LoadBalancer?.Ingress ?? [];
        if (!LoadBalancerNodes.IsServed(service))
        {
            _reported.Remove(key);
            // Type changed away from LoadBalancer: the addresses are ours to take back. A classed
            // LoadBalancer belongs to its own controller.
            if (service.Spec?.Type != "LoadBalancer" && before.Count > 0)
            {
                await WriteAsync(service, [], cancellationToken);
                Events.Record(service, EventTypes.Normal, "DeletedLoadBalancer", "Deleted load balancer");
                LogCleared(key.Namespace, key.Name);
            }
            return;
        }

        var placement = LoadBalancerNodes.Place(service, _caches.Services.List(), _caches.Nodes.List(), _caches.Pods.List(),
            _caches.EndpointSlices.Cache.ListNamespace(key.Namespace).Where(s => LoadBalancerNodes.Label(s.Metadata, WellKnownLabels.ServiceName) == key.Name));
        ReportConflicts(service, key, placement.Conflicts);
        var previous = before.Select(i => i.Ip ?? i.Hostname ?? "").ToList();
        if (previous.SequenceEqual(placement.IngressIps, StringComparer.Ordinal) && before.All(i => i.Hostname is null && i.IpMode is null && i.Ports is null))
        {
            return;
        }
        if (previous.Count == 0)
        {
            Events.Record(service, EventTypes.Normal, "EnsuringLoadBalancer", "Ensuring load balancer");
        }
        await WriteAsync(service, placement.IngressIps, cancellationToken);
        if (placement.IngressIps.Count == 0)
        {
            Events.Record(service, EventTypes.Warning, "UnAvailableLoadBalancer", "There are no available nodes for LoadBalancer");
        }
        else if (previous.Count == 0)
        {
            Events.Record(service, EventTypes.Normal, "EnsuredLoadBalancer", "Ensured load balancer");
        }
        else
        {
            Events.Record(service, EventTypes.Normal, "UpdatedLoadBalancer", $"Updated LoadBalancer with new IPs: [{string.Join(' ', previous)}] -> [{string.Join(' ', placement.IngressIps)}]");
        }
        LogUpdated(key.Namespace, key.Name, placement.IngressIps);
    }

    private void EnqueueServed()
    {
        foreach (var service in _caches.Services.List().Where(LoadBalancerNodes.IsServed))
        {
            Queue.Add(NamespacedName.Of(service));
        }
    }

    private void ReportConflicts(V1Service service, NamespacedName key, IReadOnlyList<PortConflict> conflicts)
    {
        if (conflicts.Count == 0)
        {
            _reported.Remove(key);
            return;
        }
        var message = "Error syncing load balancer: " + string.Join("; ", conflicts);
        if (_reported.GetValueOrDefault(key) == message)
        {
            return;
        }
        _reported[key] = message;
        Events.Record(service, EventTypes.Warning, "SyncLoadBalancerFailed", message);
        LogConflicts(key.Namespace, key.Name, message);
    }

    /// <summary>
    /// A merge patch of the status subresource that replaces the ingress list whole (as the
    /// service controller's status patch does); an empty list is written as null, which removes it.
    /// </summary>
    private async Task WriteAsync(V1Service service, IReadOnlyList<string> ips, CancellationToken cancellationToken)
    {
        JsonNode? ingress = ips.Count == 0 ? null : new JsonArray([.. ips.Select(ip => (JsonNode)new JsonObject { ["ip"] = ip })]);
        var patch = new JsonObject { ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = ingress } } };
        await Client.CoreV1.PatchNamespacedServiceStatusAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch),
            service.Metadata.Name, service.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
    }

    private static bool HasHostPort(V1Pod pod) =>
        (pod.Spec?.Containers ?? []).Concat(pod.Spec?.InitContainers ?? []).Any(c => c.Ports?.Any(p => p.HostPort is > 0) == true);

    [LoggerMessage(EventId = LogEvents.Controllers + 860, Level = LogLevel.Information, Message = "LoadBalancer Service {Namespace}/{Name} now answers on {Ips}")]
    private partial void LogUpdated(string @namespace, string name, IReadOnlyList<string> ips);

    [LoggerMessage(EventId = LogEvents.Controllers + 861, Level = LogLevel.Warning, Message = "LoadBalancer Service {Namespace}/{Name} is kept off some nodes ({Conflicts}); free the port or change the Service's port")]
    private partial void LogConflicts(string @namespace, string name, string conflicts);

    [LoggerMessage(EventId = LogEvents.Controllers + 862, Level = LogLevel.Information, Message = "Service {Namespace}/{Name} is no longer a LoadBalancer; cleared its ingress")]
    private partial void LogCleared(string @namespace, string name);
}
