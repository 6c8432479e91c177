using k8s.Autorest;
using MiniKube.Addons.Dns;
using MiniKube.Addons.Ingress;
using MiniKube.Client.Controllers;
using MiniKube.Client.Dynamic;

namespace MiniKube.Addons.Gateway;

/// <summary>
/// The Gateway API's status writer, run by the controller manager beside
/// <see cref="IngressStatusController"/> (one leader writes) and acting as the same service account
/// (<see cref="IngressStatusController.ServiceAccountName"/>). At start it makes the GatewayClass
/// <see cref="MkubeGatewayClass.Name"/> unless one of that name exists (as the default
/// IngressClass: a class the user deleted comes back only at the next start). Every change of a
/// Gateway API object, Service, Secret, Namespace or data-plane publication queues one key; a
/// sync computes the whole <see cref="GatewayBinding"/> from the caches (the same computation the
/// data plane serves from) and writes, through the status subresource, each status of ours that
/// differs from what is stored. Until the Gateway API group is served (its CRDs installed) it
/// only waits. The addresses are the published data planes' node IPs
/// (<see cref="IngressNodes"/>), as for Ingresses.
/// </summary>
public sealed partial class GatewayStatusController : Controller<string>
{
    private const string All = "all";

    private static readonly TimeSpan DiscoveryInterval = TimeSpan.FromSeconds(5);

    private volatile GatewayInformers? _gateway;
    private readonly Informer<V1EndpointSlice> _slices;
    private readonly Informer<V1Secret> _secrets;
    private readonly InformerServiceDirectory _services;
    private readonly GatewayPorts _ports;
    private readonly RawApi _api;

    public GatewayStatusController(ControllerContext context, GatewayPorts ports)
        : base(context, "gateway-status", workers: 1)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ports = ports;
        _slices = context.Informers.EndpointSlices;
        _secrets = context.Informers.Secrets;
        _services = new InformerServiceDirectory(context.Informers.Services, _slices);
        _api = new RawApi(context.Client);
        _secrets.Changed += _ => Queue.Add(All);
        context.Informers.Services.Changed += _ => Queue.Add(All);
        _slices.AddHandler(change =>
        {
            if (IngressNodes.IsPublication(change.Latest) && !change.IsResync)
            {
                Queue.Add(All);
            }
        });
    }

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        // The Gateway API's informers are made only once its group is served: the controller
        // manager waits for every informer made before it starts its controllers, and a list of
        // a resource that is not there would hold every controller back.
        while (!await GatewayApiServedAsync(cancellationToken))
        {
            await Task.Delay(DiscoveryInterval, Time, cancellationToken);
        }
        var gateway = new GatewayInformers(Context.Informers);
        gateway.OnChange(_ => Queue.Add(All));
        await Task.WhenAll(gateway.Classes.Synced, gateway.Gateways.Synced, gateway.HttpRoutes.Synced, gateway.GrpcRoutes.Synced, gateway.Grants.Synced, gateway.Namespaces.Synced)
            .WaitAsync(cancellationToken);
        _gateway = gateway;
        await EnsureDefaultClassAsync(gateway, cancellationToken);
        Queue.Add(All);
        await base.RunAsync(cancellationToken);
    }

    public override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        if (_gateway is not { } informers)
        {
            return;
        }
        var inputs = informers.Inputs(_services, (ns, name) => _secrets.Get(ObjectKeys.Of(ns, name)), _ports);
        var binding = GatewayBinding.Compute(inputs);
        var now = Time.GetUtcNow().UtcDateTime;
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        foreach (var gatewayClass in binding.Classes)
        {
            var conditions = GatewayStatusBuilder.ClassConditions(gatewayClass, now);
            if (!Same(conditions, gatewayClass.Status?.Conditions))
            {
                var updated = Copy(gatewayClass);
                updated.Status = new ConditionsStatus { Conditions = conditions };
                await WriteAsync(GatewayApiPaths.GatewayClasses, updated, cancellationToken);
            }
        }
        var addresses = IngressNodes.Addresses(_slices);
        var listeners = binding.Listeners.ToLookup(l => l.Gateway.Key, StringComparer.Ordinal);
        foreach (var gateway in binding.Gateways)
        {
            var status = GatewayStatusBuilder.Gateway(gateway, [.. listeners[gateway.Key]], addresses, now);
            if (!Same(status, gateway.Status))
            {
                var updated = Copy(gateway);
                updated.Status = status;
                await WriteAsync(GatewayApiPaths.Gateways, updated, cancellationToken);
            }
        }
        foreach (var state in binding.Routes)
        {
            var status = GatewayStatusBuilder.Route(state, now);
            if (!Same(status, state.Route.Status))
            {
                RouteObject updated = state.Route is GrpcRoute grpc ? Copy(grpc) : Copy((HttpRoute)state.Route);
                updated.Status = status;
                await WriteAsync(updated is GrpcRoute ? GatewayApiPaths.GrpcRoutes : GatewayApiPaths.HttpRoutes, updated, cancellationToken);
            }
        }
    }

    // KubernetesJson does not serialize a null.
    private static bool Same<T>(T computed, T? stored)
        where T : class => stored is not null && KubernetesJson.Serialize(computed) == KubernetesJson.Serialize(stored);

    // Never mutate the cache's object. T is the concrete kind: the copy is read back as T.
    private static T Copy<T>(T obj)
        where T : GatewayApiObject => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));

    private async Task WriteAsync<T>(string collection, T obj, CancellationToken cancellationToken)
        where T : GatewayApiObject
    {
        var ns = obj.Metadata.NamespaceProperty;
        var path = ns is null
            ? $"{collection}/{obj.Metadata.Name}/status"
            : $"{collection.Replace("/v1/", $"/v1/namespaces/{ns}/", StringComparison.Ordinal)}/{obj.Metadata.Name}/status";
        try
        {
            await _api.SendAsync(HttpMethod.Put, path, KubernetesJson.Serialize(obj), cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Gone, or changed since the cache saw it: the watch brings the new version, which is queued again.
        }
    }

    private async Task<bool> GatewayApiServedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _api.SendAsync(HttpMethod.Get, "apis/gateway.networking.k8s.io/v1", null, cancellationToken);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private async Task EnsureDefaultClassAsync(GatewayInformers gateway, CancellationToken cancellationToken)
    {
        if (gateway.Classes.Get(MkubeGatewayClass.Name) is not null)
        {
            return;
        }
        try
        {
            await _api.SendAsync(HttpMethod.Post, GatewayApiPaths.GatewayClasses, KubernetesJson.Serialize(MkubeGatewayClass.Default()), cancellationToken);
            LogClassCreated(MkubeGatewayClass.Name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Made by another server, or by the user: theirs stays.
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // The Gateway API CRDs are not served: nothing to make.
            LogNoGatewayApi(e.Message);
        }
    }

    [LoggerMessage(EventId = LogEvents.Addons + 520, Level = LogLevel.Information, Message = "Created the GatewayClass {Name} (controllerName mkube.io/gateway)")]
    private partial void LogClassCreated(string name);

    [LoggerMessage(EventId = LogEvents.Addons + 521, Level = LogLevel.Warning, Message = "Could not create the GatewayClass mkube: the Gateway API is not served ({Reason})")]
    private partial void LogNoGatewayApi(string reason);
}
