using System.Text.Json.Nodes;
using MiniKube.ApiServer.Http;
using MiniKube.ApiServer.Resources;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// The admission chain, in kube-apiserver's order: namespace lifecycle (no new objects in a
/// missing or terminating namespace), defaulting, the kinds' own preparation (status owned by
/// the status subresource, Service IPs and ports), then validation.
/// </summary>
public sealed class KindRules(IStore store, ServiceAllocator allocator) : IObjectRules
{
    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;

    public async Task PrepareForCreateAsync(ResourceType type, JsonObject obj, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        if (type.Namespaced)
        {
            await RequireLiveNamespaceAsync(type, obj, cancellationToken);
        }
        switch (type.Kind)
        {
            case "Namespace":
                var spec = obj["spec"] as JsonObject ?? [];
                spec["finalizers"] ??= new JsonArray("kubernetes");
                obj["spec"] = spec;
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                var labels = ObjectCodec.Metadata(obj)["labels"] as JsonObject ?? [];
                labels["kubernetes.io/metadata.name"] = ObjectMeta.Name(obj);
                ObjectCodec.Metadata(obj)["labels"] = labels;
                break;
            case "Pod":
                var status = new JsonObject { ["phase"] = "Pending" };
                obj["status"] = status;
                break;
            case "Service":
                obj.Remove("status");
                obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
                break;
            default:
                if (type.HasStatus)
                {
                    obj.Remove("status");
                }
                break;
        }
        // Validation runs before anything is claimed so an invalid Service leaks nothing.
        Validate(type, obj, null);
        if (type.Kind == "Service")
        {
            await AllocateServiceAsync(type, obj, null, cancellationToken);
        }
    }

    public void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old, string? subresource)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        if (subresource == "status")
        {
            // Status writes change .status only (and nothing of spec or metadata).
            var status = obj["status"]?.DeepClone();
            foreach (var (key, _) in obj.ToArray())
            {
                obj.Remove(key);
            }
            foreach (var (key, value) in old)
            {
                obj[key] = value?.DeepClone();
            }
            obj["status"] = status;
            ObjectCodec.Metadata(obj).Remove("resourceVersion");
            return;
        }
        if (subresource is null && type.HasStatus)
        {
            if (old["status"] is { } oldStatus)
            {
                obj["status"] = oldStatus.DeepClone();
            }
            else
            {
                obj.Remove("status");
            }
        }
        if (type.Kind == "Namespace")
        {
            var spec = obj["spec"] as JsonObject ?? [];
            spec["finalizers"] = old["spec"]?["finalizers"]?.DeepClone();
            obj["spec"] = spec;
        }
        if (type.Kind == "Service" && ObjectMeta.Str(obj["spec"]?["clusterIP"]) is null && old["spec"]?["clusterIP"] is { } ip)
        {
            // Clients that PUT a Service they built themselves leave the allocated IP out; it stays.
            var spec = obj["spec"] as JsonObject ?? [];
            spec["clusterIP"] = ip.DeepClone();
            spec["clusterIPs"] = old["spec"]?["clusterIPs"]?.DeepClone();
            obj["spec"] = spec;
        }
    }

    public void Validate(ResourceType type, JsonObject obj, JsonObject? old)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        var name = ObjectMeta.Name(obj);
        if (string.IsNullOrEmpty(name))
        {
            throw ApiException.Invalid(type, "", [("FieldValueRequired", "metadata.name", "metadata.name: Required value: name or generateName is required")]);
        }
        _ = old;
    }

    public async Task ReleaseAsync(ResourceType type, JsonObject deleted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(deleted);
        if (type.Kind != "Service")
        {
            return;
        }
        foreach (var ip in ClusterIps(deleted))
        {
            await allocator.ReleaseIpAsync(ip, cancellationToken);
        }
        foreach (var port in NodePorts(deleted))
        {
            await allocator.ReleaseNodePortAsync(port, cancellationToken);
        }
    }

    private async Task RequireLiveNamespaceAsync(ResourceType type, JsonObject obj, CancellationToken cancellationToken)
    {
        var ns = ObjectMeta.Namespace(obj) ?? "";
        var kv = await store.GetAsync(ResourceRegistry.Key(Namespaces, null, ns), 0, cancellationToken)
            ?? throw ApiException.NotFound(Namespaces, ns);
        var namespaceObject = ObjectCodec.Decode(kv.Value, kv.ModRevision);
        if (ObjectMeta.IsDeleting(namespaceObject))
        {
            throw ApiException.Forbidden(type, ObjectMeta.Name(obj) ?? "",
                $"unable to create new content in namespace {ns} because it is being terminated");
        }
    }

    /// <summary>Cluster IP and node ports for a new Service (pkg/registry/core/service/storage/alloc.go).</summary>
    private async Task AllocateServiceAsync(ResourceType type, JsonObject service, JsonObject? old, CancellationToken cancellationToken)
    {
        _ = old;
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
                if (requested is "None")
                {
                    spec["clusterIPs"] = new JsonArray("None");
                }
                else if (requested is { Length: > 0 })
                {
                    if (await allocator.ClaimIpAsync(requested, owner, cancellationToken) is { } reason)
                    {
                        throw ApiException.Invalid(type, ObjectMeta.Name(service)!, [("FieldValueInvalid", "spec.clusterIPs", $"spec.clusterIPs: Invalid value: [\"{requested}\"]: failed to allocate IP {requested}: {reason}")]);
                    }
                    claimed.Add(() => allocator.ReleaseIpAsync(requested, CancellationToken.None));
                    spec["clusterIPs"] = new JsonArray(requested);
                }
                else
                {
                    var ip = await allocator.AllocateIpAsync(owner, cancellationToken);
                    claimed.Add(() => allocator.ReleaseIpAsync(ip, CancellationToken.None));
                    spec["clusterIP"] = ip;
                    spec["clusterIPs"] = new JsonArray(ip);
                }
            }
            if (serviceType is "NodePort" or "LoadBalancer")
            {
                var index = 0;
                foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (port["nodePort"] is JsonValue value && value.TryGetValue<int>(out var requestedPort) && requestedPort != 0)
                    {
                        if (await allocator.ClaimNodePortAsync(requestedPort, owner, cancellationToken) is { } reason)
                        {
                            throw ApiException.Invalid(type, ObjectMeta.Name(service)!, [("FieldValueInvalid", $"spec.ports[{index}].nodePort", $"spec.ports[{index}].nodePort: Invalid value: {requestedPort}: {reason}")]);
                        }
                        claimed.Add(() => allocator.ReleaseNodePortAsync(requestedPort, CancellationToken.None));
                    }
                    else
                    {
                        var allocated = await allocator.AllocateNodePortAsync(owner, cancellationToken);
                        claimed.Add(() => allocator.ReleaseNodePortAsync(allocated, CancellationToken.None));
                        port["nodePort"] = allocated;
                    }
                    index++;
                }
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

    private static IEnumerable<string> ClusterIps(JsonObject service) =>
        (service["spec"]?["clusterIPs"] as JsonArray ?? []).Select(ObjectMeta.Str).OfType<string>().Where(ip => ip != "None");

    private static IEnumerable<int> NodePorts(JsonObject service) =>
        (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(p => p["nodePort"] is JsonValue v && v.TryGetValue<int>(out var port) ? port : 0)
            .Where(p => p != 0);
}
