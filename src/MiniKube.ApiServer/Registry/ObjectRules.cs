using System.Text.Json.Nodes;
using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// The admission chain, in kube-apiserver's order: namespace lifecycle (no new objects in a
/// missing or terminating namespace), defaulting, DefaultStorageClass for new claims, the kinds'
/// own preparation (status owned by the status subresource, Service IPs and ports), then validation.
/// </summary>
public sealed class KindRules(IStore store, ServiceAllocator allocator) : IObjectRules
{
    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;
    private static readonly ResourceType StorageClasses = ResourceCatalog.Find("storage.k8s.io", "v1", "storageclasses")!;

    public async Task PrepareForCreateAsync(ResourceType type, JsonObject obj, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        if (type.Namespaced)
        {
            await RequireLiveNamespaceAsync(type, obj, cancellationToken);
        }
        Defaults.ApplyOnCreate(type, obj);
        FoldStringData(type, obj);
        if (type is { Group: "", Kind: "PersistentVolumeClaim" } && DefaultStorageClass.Wants(obj))
        {
            await SetDefaultStorageClassAsync(obj, cancellationToken);
        }
        if (type.HasStatus && type.Kind is not ("Pod" or "Namespace" or "Service"))
        {
            // Status belongs to controllers: a created object starts without one.
            obj.Remove("status");
        }
        if (type.Kind == "Service")
        {
            obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
        }
        // Validation runs before anything is claimed so an invalid Service leaks nothing.
        Validate(type, obj, null);
        if (type.Kind == "Service")
        {
            await AllocateServiceAsync(type, obj, null, cancellationToken);
        }
    }

    public async Task PrepareForUpdateAsync(ResourceType type, JsonObject obj, JsonObject old, string? subresource, CancellationToken cancellationToken)
    {
        PrepareForUpdate(type, obj, old, subresource);
        if (type.Kind == "Service" && subresource is null)
        {
            await AllocateServiceAsync(type, obj, old, cancellationToken);
        }
    }

    private static void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old, string? subresource)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        Defaults.Apply(type, obj);
        FoldStringData(type, obj);
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

    public void Validate(ResourceType type, JsonObject obj, JsonObject? old, string? subresource = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        var errors = subresource switch
        {
            // The scheduler's binding sets spec.nodeName, which a pod update may not; upstream's
            // binding storage writes it without update validation too.
            "binding" => [],
            "status" when old is not null => Validation.ValidateStatusUpdate(obj, old),
            _ => Validation.Validate(type, obj, old),
        };
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type, ObjectMeta.Name(obj) ?? "", errors);
        }
    }

    /// <summary>Secrets' write-only stringData lands in data, base64-encoded (pkg/apis/core/v1 conversion).</summary>
    private static void FoldStringData(ResourceType type, JsonObject obj)
    {
        if (type.Kind != "Secret" || obj["stringData"] is not JsonObject stringData)
        {
            return;
        }
        var data = obj["data"] as JsonObject ?? [];
        foreach (var (key, value) in stringData)
        {
            data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ObjectMeta.Str(value) ?? ""));
        }
        obj["data"] = data;
        obj.Remove("stringData");
    }

    public async Task ReleaseAsync(ResourceType type, JsonObject held, JsonObject? kept, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(held);
        if (type.Kind != "Service")
        {
            return;
        }
        var owner = ServiceAllocator.Owner(held);
        var keptIps = kept is null ? [] : ClusterIps(kept).ToHashSet();
        var keptPorts = kept is null ? [] : NodePorts(kept).ToHashSet();
        foreach (var ip in ClusterIps(held).Where(ip => !keptIps.Contains(ip)))
        {
            await allocator.ReleaseIpAsync(ip, owner, cancellationToken);
        }
        foreach (var port in NodePorts(held).Where(p => !keptPorts.Contains(p)))
        {
            await allocator.ReleaseNodePortAsync(port, owner, cancellationToken);
        }
    }

    /// <summary>The DefaultStorageClass admission plugin, over the classes in the store (there are few).</summary>
    private async Task SetDefaultStorageClassAsync(JsonObject claim, CancellationToken cancellationToken)
    {
        var classes = await store.RangeAsync(new RangeRequest(ResourceRegistry.Prefix(StorageClasses, null)), cancellationToken);
        if (DefaultStorageClass.Choose(classes.Items.Select(kv => ObjectCodec.Decode(kv.Value, kv.ModRevision))) is { } name)
        {
            DefaultStorageClass.Apply(claim, name);
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

    /// <summary>
    /// Cluster IP and node ports for a Service (pkg/registry/core/service/storage/alloc.go): on
    /// create everything it asks for or needs; on update only what the old version did not hold.
    /// </summary>
    private async Task AllocateServiceAsync(ResourceType type, JsonObject service, JsonObject? old, CancellationToken cancellationToken)
    {
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
