using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics, answered as metrics-server's
/// pkg/api/node.go and pod.go answer them: the nodes or pods are read (from the watch cache) with
/// the request's label selector, then each gets its figures from the
/// <see cref="IResourceMetricsSource"/>; objects without figures yet are left out of a list, and a
/// GET of one is a 404. The field selector applies to the metrics objects' own fields
/// (metadata.name, metadata.namespace). Items carry the object's labels (so <c>kubectl top -l</c>
/// works), a creationTimestamp of now, the reading's timestamp and window, CPU in nanocores and
/// memory in binary units, as metrics-server writes them. Only get and list; never stored.
/// </summary>
internal sealed class ResourceMetricsHandler(ResourceRegistry registry, IResourceMetricsSource source)
{
    private static readonly ResourceType Nodes = ResourceCatalog.Find("", "v1", "nodes")!;
    private static readonly ResourceType Pods = ResourceCatalog.Find("", "v1", "pods")!;

    /// <summary>Whether <paramref name="type"/> is one of the metrics API's resources.</summary>
    public static bool Serves(ResourceType? type) => type is not null && ResourceCatalog.ResourceMetrics.Contains(type);

    public async Task HandleAsync(HttpContext context, ApiPath route)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(route);
        var type = route.Type!;
        if (!HttpMethods.IsGet(context.Request.Method) || route.Subresource is not null || ListOptions.Boolean(context.Request.Query, "watch"))
        {
            throw ApiException.MethodNotAllowed();
        }
        var source = type.Name == "nodes" ? Nodes : Pods;
        var now = registry.Clock.GetUtcNow();
        if (route.Name is { } name)
        {
            JsonObject obj;
            try
            {
                obj = await registry.GetAsync(source, route.Namespace, name, context.RequestAborted);
            }
            catch (ApiException e) when (e.Reason == "NotFound")
            {
                throw NotFound(type, route.Namespace, name);
            }
            var item = Item(type, obj, now, typed: true) ?? throw NotFound(type, route.Namespace, name);
            await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, item);
            return;
        }
        var query = ListOptions.Parse(context.Request.Query);
        // The label selector picks nodes or pods by their labels; the field selector reads
        // metadata.name and metadata.namespace, which the metrics objects share with them.
        var filter = ObjectFilter.From(type, new ListOptions { LabelSelector = query.LabelSelector, FieldSelector = query.FieldSelector });
        var page = await registry.ListAsync(source, route.Namespace, new ListOptions { ResourceVersion = "0" }, filter, context.RequestAborted);
        var items = new JsonArray();
        foreach (var kv in page.Items)
        {
            if (Item(type, ObjectCodec.Decode(kv.Value, kv.ModRevision), now, typed: false) is { } item)
            {
                items.Add(item);
            }
        }
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["kind"] = type.Kind + "List",
            ["apiVersion"] = type.GroupVersion,
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        });
    }

    // metrics-server names a pod's metrics "namespace/name" in its NotFound.
    private static ApiException NotFound(ResourceType type, string? ns, string name) =>
        ApiException.NotFound(type, ns is null ? name : $"{ns}/{name}");

    // The metrics object of a node or pod, null without figures; typed: with kind and apiVersion (a GET of one).
    private JsonObject? Item(ResourceType type, JsonObject obj, DateTimeOffset now, bool typed)
    {
        var name = ObjectMeta.Name(obj) ?? "";
        var ns = ObjectMeta.Namespace(obj);
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }
        metadata["creationTimestamp"] = ObjectMeta.Timestamp(now);
        if (obj.Obj("metadata").Obj("labels") is { } labels)
        {
            metadata["labels"] = labels.DeepClone();
        }
        var item = typed ? new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.GroupVersion } : [];
        item["metadata"] = metadata;
        if (type.Name == "nodes")
        {
            if (source.Node(name) is not { } node)
            {
                return null;
            }
            item["timestamp"] = ObjectMeta.Timestamp(node.Timestamp);
            item["window"] = GoDuration.Format(node.Window);
            item["usage"] = Usage(node.CpuNanoCores, node.MemoryBytes);
            return item;
        }
        if (source.Pod(ns ?? "", name) is not { } pod)
        {
            return null;
        }
        var containers = new JsonArray();
        foreach (var container in pod.Containers)
        {
            containers.Add(new JsonObject { ["name"] = container.Name, ["usage"] = Usage(container.CpuNanoCores, container.MemoryBytes) });
        }
        item["timestamp"] = ObjectMeta.Timestamp(pod.Timestamp);
        item["window"] = GoDuration.Format(pod.Window);
        item["containers"] = containers;
        return item;
    }

    // resource.NewScaledQuantity(nanocores, -9) and resource.NewQuantity(bytes, BinarySI), canonical.
    private static JsonObject Usage(ulong nanoCores, ulong bytes) => new()
    {
        ["cpu"] = Quantities.Canonical(nanoCores / 1e9m, QuantityFormat.DecimalSI),
        ["memory"] = Quantities.Canonical(bytes, QuantityFormat.BinarySI),
    };
}
