using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Services (pkg/registry/core/service/strategy.go and storage/alloc.go): DNS-1035 names, an
/// empty load-balancer status on create, the allocated cluster IP kept when a client PUTs a
/// Service without it, and cluster IPs, node ports and the health-check node port claimed
/// before the write and released when a version no longer holds them.
/// </summary>
public sealed class ServiceStrategy : ResourceStrategy
{
    public override void PrepareForCreate(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        base.PrepareForUpdate(obj, old);
        if (ObjectMeta.Str(obj["spec"]?["clusterIP"]) is null && old["spec"]?["clusterIP"] is { } ip)
        {
            // Clients that PUT a Service they built themselves leave the allocated IP out; it stays.
            var spec = obj["spec"] as JsonObject ?? [];
            spec["clusterIP"] = ip.DeepClone();
            spec["clusterIPs"] = old["spec"]?["clusterIPs"]?.DeepClone();
            obj["spec"] = spec;
        }
        if (obj["spec"] is not JsonObject newSpec || !Admission.ServiceValidation.NeedsHealthCheck(old["spec"] as JsonObject))
        {
            return;
        }
        if (Admission.ServiceValidation.NeedsHealthCheck(newSpec))
        {
            // rest.go patchAllocatedValues: a client that PUTs the Service without the allocated port keeps it.
            if (HealthCheckNodePort(obj) == 0 && HealthCheckNodePort(old) != 0)
            {
                newSpec["healthCheckNodePort"] = HealthCheckNodePort(old);
            }
        }
        else if (HealthCheckNodePort(obj) == HealthCheckNodePort(old))
        {
            // strategy.go dropTypeDependentFields: a Service that stops needing its health-check
            // port (no longer LoadBalancer, or no longer Local) loses it unless the client changed it.
            newSpec.Remove("healthCheckNodePort");
        }
    }

    public override async Task ReleaseAsync(JsonObject held, JsonObject? kept, IStrategyContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(context);
        var owner = ServiceAllocator.Owner(held);
        var keptIps = kept is null ? [] : ClusterIps(kept).ToHashSet();
        var keptPorts = kept is null ? [] : NodePorts(kept).ToHashSet();
        foreach (var ip in ClusterIps(held).Where(ip => !keptIps.Contains(ip)))
        {
            await context.Allocator.ReleaseIpAsync(ip, owner, cancellationToken);
        }
        foreach (var port in NodePorts(held).Where(p => !keptPorts.Contains(p)))
        {
            await context.Allocator.ReleaseNodePortAsync(port, owner, cancellationToken);
        }
    }

    /// <summary>
    /// Cluster IP and node ports for a Service (pkg/registry/core/service/storage/alloc.go): on
    /// create everything it asks for or needs; on update only what the old version did not hold.
    /// </summary>
    public override async Task BeginWriteAsync(JsonObject obj, JsonObject? old, IStrategyContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(context);
        var service = obj;
        var type = context.Resource;
        var allocator = context.Allocator;
        var heldIps = old is null ? [] : ClusterIps(old).ToHashSet();
        var heldPorts = old is null ? [] : NodePorts(old).ToHashSet();
        var spec = service["spec"] as JsonObject ?? [];
        service["spec"] = spec;
        var serviceType = ObjectMeta.Str(spec["type"]) ?? "ClusterIP";
        var owner = ServiceAllocator.Owner(service);
        var claimed = new List<Func<Task>>();
        try
        {
            if (serviceType != "ExternalName")
            {
                var requested = ObjectMeta.Str(spec["clusterIP"]);
                if (requested is { Length: > 0 } && heldIps.Contains(requested))
                {
                    // Already this Service's.
                }
                else if (requested is "None")
                {
                    spec["clusterIPs"] = new JsonArray("None");
                }
                else if (requested is { Length: > 0 })
                {
                    if (await allocator.ClaimIpAsync(requested, owner, cancellationToken) is { } reason)
                    {
                        throw ApiException.Invalid(type, ObjectMeta.Name(service)!, [FieldError.Invalid(FieldPath.Of("spec", "clusterIPs"), BadValue.Go($"[]string{{\"{requested}\"}}"), $"failed to allocate IP {requested}: {reason}")]);
                    }
                    claimed.Add(() => allocator.ReleaseIpAsync(requested, owner, CancellationToken.None));
                    spec["clusterIPs"] = new JsonArray(requested);
                }
                else
                {
                    var ip = await allocator.AllocateIpAsync(owner, cancellationToken);
                    claimed.Add(() => allocator.ReleaseIpAsync(ip, owner, CancellationToken.None));
                    spec["clusterIP"] = ip;
                    spec["clusterIPs"] = new JsonArray(ip);
                }
            }
            if (serviceType is "NodePort" or "LoadBalancer")
            {
                var index = 0;
                foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (port["nodePort"] is JsonValue held && held.TryGetValue<int>(out var heldPort) && heldPorts.Contains(heldPort))
                    {
                        // Kept from the old version.
                    }
                    else if (port["nodePort"] is JsonValue value && value.TryGetValue<int>(out var requestedPort) && requestedPort != 0)
                    {
                        if (await allocator.ClaimNodePortAsync(requestedPort, owner, cancellationToken) is { } reason)
                        {
                            throw ApiException.Invalid(type, ObjectMeta.Name(service)!, [FieldError.Invalid(FieldPath.Of("spec", "ports").Index(index).Child("nodePort"), BadValue.Of(requestedPort), reason)]);
                        }
                        claimed.Add(() => allocator.ReleaseNodePortAsync(requestedPort, owner, CancellationToken.None));
                    }
                    else
                    {
                        var allocated = await allocator.AllocateNodePortAsync(owner, cancellationToken);
                        claimed.Add(() => allocator.ReleaseNodePortAsync(allocated, owner, CancellationToken.None));
                        port["nodePort"] = allocated;
                    }
                    index++;
                }
            }
            if (Admission.ServiceValidation.NeedsHealthCheck(spec))
            {
                await ClaimHealthCheckNodePortAsync(service, heldPorts, context, claimed, cancellationToken);
            }
        }
        catch (ApiException)
        {
            foreach (var release in claimed)
            {
                await release();
            }
            throw;
        }
    }

    /// <summary>
    /// alloc.go allocHealthCheckNodePort: the port the client asked for, or any free one, from the
    /// node port range. Upstream answers a taken port with an InternalError; a port the client
    /// chose is the client's mistake, so it is refused as a taken nodePort is (422).
    /// </summary>
    private static async Task ClaimHealthCheckNodePortAsync(JsonObject service, HashSet<int> heldPorts, IStrategyContext context, List<Func<Task>> claimed, CancellationToken cancellationToken)
    {
        var spec = (JsonObject)service["spec"]!;
        var allocator = context.Allocator;
        var owner = ServiceAllocator.Owner(service);
        var requested = HealthCheckNodePort(service);
        if (requested != 0 && heldPorts.Contains(requested))
        {
            return; // held by the version before
        }
        if (requested == 0)
        {
            var allocated = await allocator.AllocateNodePortAsync(owner, cancellationToken);
            claimed.Add(() => allocator.ReleaseNodePortAsync(allocated, owner, CancellationToken.None));
            spec["healthCheckNodePort"] = allocated;
            return;
        }
        // The allocator takes a value its owner holds as claimed; a Service's own node port is no health-check port.
        var reason = ServicePorts(service).Contains(requested)
            ? "provided port is already allocated"
            : await allocator.ClaimNodePortAsync(requested, owner, cancellationToken);
        if (reason is not null)
        {
            throw ApiException.Invalid(context.Resource, ObjectMeta.Name(service)!, [FieldError.Invalid(FieldPath.Of("spec", "healthCheckNodePort"), BadValue.Of(requested), $"failed to allocate requested HealthCheck NodePort {requested}: {reason}")]);
        }
        claimed.Add(() => allocator.ReleaseNodePortAsync(requested, owner, CancellationToken.None));
    }

    private static int HealthCheckNodePort(JsonObject service) =>
        service["spec"]?["healthCheckNodePort"] is JsonValue v && v.TryGetValue<int>(out var port) ? port : 0;

    private static IEnumerable<string> ClusterIps(JsonObject service) =>
        (service["spec"]?["clusterIPs"] as JsonArray ?? []).Select(ObjectMeta.Str).OfType<string>().Where(ip => ip != "None");

    /// <summary>Every node-range port the Service holds: its ports' node ports and its health-check node port.</summary>
    private static IEnumerable<int> NodePorts(JsonObject service) =>
        ServicePorts(service).Append(HealthCheckNodePort(service)).Where(p => p != 0);

    private static IEnumerable<int> ServicePorts(JsonObject service) =>
        (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(p => p["nodePort"] is JsonValue v && v.TryGetValue<int>(out var port) ? port : 0)
            .Where(p => p != 0);
}
