using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.ServiceAccounts;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// Subresources: status (writes touch only .status), pods/ephemeralcontainers (writes touch only
/// spec.ephemeralContainers, see Strategies/PodEphemeralContainers), scale (autoscaling/v1 Scale over
/// spec.replicas), pods/binding (the scheduler's write), pods/eviction, namespaces/finalize,
/// serviceaccounts/token (<see cref="TokenRequests"/>), and the kubelet-backed streams (log, exec, attach,
/// portforward). Upstream: pkg/registry/*/storage for each kind.
/// </summary>
internal sealed class SubresourceHandler(ResourceRegistry registry, PatchHandler patches, KubeletProxy kubelets, TokenRequests tokens)
{
    private static readonly string[] NodeStreams = ["log", "exec", "attach", "portforward"];

    private readonly PodEviction _eviction = new(registry);

    public Task HandleAsync(HttpContext context, ApiPath path)
    {
        var type = path.Type!;
        var name = path.Name ?? throw ApiException.PathNotFound();
        var ns = path.Namespace;
        var method = context.Request.Method;
        if (type.Namespaced && ns is null)
        {
            throw ApiException.PathNotFound();
        }
        return (path.Subresource, method) switch
        {
            ("status", _) when HttpMethods.IsGet(method) => GetMainAsync(context, type, ns, name),
            ("status", _) when HttpMethods.IsPut(method) => UpdateWholeAsync(context, type, ns, name, path.Subresource!),
            ("status", _) when HttpMethods.IsPatch(method) => patches.PatchAsync(context, type, ns, name, path.Subresource),
            ("scale", _) when HttpMethods.IsGet(method) => GetScaleAsync(context, type, ns, name),
            ("scale", _) when HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) => UpdateScaleAsync(context, type, ns, name),
            ("binding", _) when HttpMethods.IsPost(method) => BindAsync(context, type, ns, name),
            ("eviction", _) when HttpMethods.IsPost(method) => EvictAsync(context, type, ns, name),
            ("finalize", _) when HttpMethods.IsPut(method) => FinalizeAsync(context, type, name),
            ("token", _) when HttpMethods.IsPost(method) => CreateTokenAsync(context, ns!, name),
            // Other subresources that take and return the object itself (pods/ephemeralcontainers,
            // certificatesigningrequests/approval); what each may change is the kind's strategy's.
            (var sub, _) when CarriesObject(type, sub!) && HttpMethods.IsGet(method) => GetMainAsync(context, type, ns, name),
            (var sub, _) when CarriesObject(type, sub!) && HttpMethods.IsPut(method) => UpdateWholeAsync(context, type, ns, name, sub!),
            (var sub, _) when CarriesObject(type, sub!) && HttpMethods.IsPatch(method) => patches.PatchAsync(context, type, ns, name, sub),
            (var sub, _) when NodeStreams.Contains(sub) => NodeStreamAsync(context, type, ns, name, sub!),
            _ => throw ApiException.MethodNotAllowed(),
        };
    }

    private async Task GetMainAsync(HttpContext context, ResourceType type, string? ns, string name) =>
        await ResponseWriter.WriteStoredAsync(context, await registry.GetStoredAsync(type, ns, name, context.RequestAborted));

    private static bool CarriesObject(ResourceType type, string subresource) =>
        type.Subresources.Any(s => s.Name == subresource && s.Kind == type.Kind && s.Group == type.Group && s.Verbs.Contains("update"));

    /// <summary>
    /// PUT of a subresource that takes the whole object (status, pods/ephemeralcontainers): the
    /// registry's write path keeps only what the subresource owns.
    /// </summary>
    private async Task UpdateWholeAsync(HttpContext context, ResourceType type, string? ns, string name, string subresource)
    {
        var obj = await RequestBody.ReadObjectAsync(context);
        ResourceHandler.CheckKind(type, obj);
        ResourceHandler.CheckName(obj, name, ns, type);
        var warnings = ObjectPatcher.Prune(context, type, obj);
        var owner = FieldOwners.For(context, type, ManagerEntry.Update, subresource, "UpdateOptions", registry.Clock);
        var updated = await registry.UpdateAsync(type, ns, name, subresource, _ => obj.DeepClone().AsObject(), ResourceHandler.DryRun(context), context.RequestAborted, owner);
        Warnings.Add(context, warnings);
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, updated);
    }

    private async Task GetScaleAsync(HttpContext context, ResourceType type, string? ns, string name) =>
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, Scale.From(await registry.GetAsync(type, ns, name, context.RequestAborted), type.Custom?.Scale));

    /// <summary>PUT or PATCH of a Scale: only spec.replicas reaches the parent (which bumps its generation).</summary>
    private async Task UpdateScaleAsync(HttpContext context, ResourceType type, string? ns, string name)
    {
        var media = RequestBody.MediaType(context);
        var body = await RequestBody.ReadBytesAsync(context);
        var owner = FieldOwners.For(context, type, ManagerEntry.Update, "scale", HttpMethods.IsPut(context.Request.Method) ? "UpdateOptions" : "PatchOptions", registry.Clock);
        var updated = await registry.UpdateAsync(type, ns, name, null, parent =>
        {
            var scale = Scale.From(parent, type.Custom?.Scale);
            var desired = HttpMethods.IsPut(context.Request.Method)
                ? RequestBody.ParseJson(body)
                : ObjectPatcher.PatchScale(media, scale, body);
            if (ObjectMeta.ResourceVersion(desired) is { Length: > 0 } rv && rv != ObjectMeta.ResourceVersion(parent))
            {
                throw ApiException.StaleVersion(type, name);
            }
            // An absent spec.replicas is 0 (Go omits a zero); anything but an int32 is refused, never read as 0.
            var replicas = desired["spec"]?["replicas"] switch
            {
                null => 0,
                JsonValue value when value.TryGetValue<int>(out var r) => r,
                var other => throw ApiException.BadRequest($"Scale in version \"v1\" cannot be handled as a Scale: json: cannot unmarshal {other.ToJsonString()} into Go struct field ScaleSpec.spec.replicas of type int32"),
            };
            if (replicas < 0)
            {
                throw ApiException.Invalid("autoscaling", "Scale", name,
                    FieldError.Invalid(FieldPath.Of("spec", "replicas"), BadValue.Of(replicas), "must be greater than or equal to 0"));
            }
            Scale.SetPath(parent, type.Custom?.Scale?.SpecReplicasPath ?? ".spec.replicas", replicas);
            ObjectCodec.Metadata(parent).Remove("resourceVersion");
            return parent;
        }, ResourceHandler.DryRun(context), context.RequestAborted, owner);
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, Scale.From(updated, type.Custom?.Scale));
    }

    /// <summary>
    /// pods/binding (pkg/registry/core/pod/storage/storage.go assignPod): sets spec.nodeName
    /// once, copies the binding's annotations and marks the pod PodScheduled.
    /// </summary>
    private async Task BindAsync(HttpContext context, ResourceType type, string? ns, string name)
    {
        var binding = await RequestBody.ReadObjectAsync(context);
        var node = ObjectMeta.Str(binding["target"]?["name"]);
        if (string.IsNullOrEmpty(node))
        {
            throw ApiException.Invalid("", "Binding", name, FieldError.Required(FieldPath.Of("target", "name")));
        }
        var uid = ObjectMeta.Uid(binding);
        var version = ObjectMeta.ResourceVersion(binding);
        await registry.UpdateAsync(type, ns, name, "binding", pod =>
        {
            if (uid is { Length: > 0 } && uid != ObjectMeta.Uid(pod))
            {
                throw ApiException.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {ObjectMeta.Uid(pod)}");
            }
            if (version is { Length: > 0 } && version != ObjectMeta.ResourceVersion(pod))
            {
                throw ApiException.StaleVersion(type, name);
            }
            if (ObjectMeta.IsDeleting(pod))
            {
                throw ApiException.Conflict(type, name, "pod is being deleted, cannot be assigned to a host");
            }
            var spec = pod["spec"] as JsonObject ?? [];
            if (ObjectMeta.Str(spec["nodeName"]) is { Length: > 0 } bound)
            {
                throw ApiException.Conflict(type, name, $"pod {name} is already assigned to node \"{bound}\"");
            }
            spec["nodeName"] = node;
            if (binding["metadata"]?["annotations"] is JsonObject annotations)
            {
                var target = ObjectCodec.Metadata(pod)["annotations"] as JsonObject ?? [];
                foreach (var (key, value) in annotations)
                {
                    target[key] = value?.DeepClone();
                }
                ObjectCodec.Metadata(pod)["annotations"] = target;
            }
            SetCondition(pod, "PodScheduled", "True", registry.Clock.GetUtcNow());
            ObjectCodec.Metadata(pod).Remove("resourceVersion");
            return pod;
        }, ResourceHandler.DryRun(context), context.RequestAborted);
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status201Created, StatusResponses.Success(StatusCodes.Status201Created));
    }

    /// <summary>pods/eviction: a delete that honours the pod's disruption budget (<see cref="PodEviction"/>).</summary>
    private async Task EvictAsync(HttpContext context, ResourceType type, string? ns, string name)
    {
        var eviction = await RequestBody.ReadObjectAsync(context);
        var options = DeleteOptions.From(eviction["deleteOptions"] as JsonObject, context.Request.Query);
        await _eviction.EvictAsync(type, ns!, name, eviction, options, context.RequestAborted);
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status201Created, StatusResponses.Success(StatusCodes.Status201Created));
    }

    /// <summary>serviceaccounts/token: a TokenRequest in, the same with status.token out (201), nothing stored.</summary>
    private async Task CreateTokenAsync(HttpContext context, string ns, string name)
    {
        var request = await RequestBody.ReadObjectAsync(context);
        var reply = await tokens.CreateAsync(ns, name, request, context.RequestAborted);
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status201Created, reply);
    }

    /// <summary>namespaces/finalize: only spec.finalizers may change; an emptied, terminating namespace goes.</summary>
    private async Task FinalizeAsync(HttpContext context, ResourceType type, string name)
    {
        var body = await RequestBody.ReadObjectAsync(context);
        ResourceHandler.CheckKind(type, body);
        ResourceHandler.CheckName(body, name, null, type);
        // The decoder's type errors (a spec or finalizers of the wrong type) are a 400, as for any Namespace body.
        ObjectPatcher.Prune(context, type, body);
        var finalizers = (body["spec"] as JsonObject)?["finalizers"]?.DeepClone() as JsonArray ?? [];
        var updated = await registry.FinalizeNamespaceAsync(type, name, finalizers, context.RequestAborted);
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, updated);
    }

    private async Task NodeStreamAsync(HttpContext context, ResourceType type, string? ns, string name, string sub)
    {
        var pod = await registry.GetAsync(type, ns, name, context.RequestAborted);
        var node = ObjectMeta.Str(pod["spec"]?["nodeName"]);
        if (node is not { Length: > 0 })
        {
            // As upstream for a pod no node runs yet.
            throw ApiException.BadRequest($"pod {name} does not have a host assigned");
        }
        switch (sub)
        {
            case "log" when HttpMethods.IsGet(context.Request.Method):
                await kubelets.LogsAsync(context, registry, pod);
                return;
            case "exec" or "attach" when HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsPost(context.Request.Method):
                await kubelets.StreamAsync(context, registry, pod, sub);
                return;
            case "portforward" when HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsPost(context.Request.Method):
                await kubelets.PortForwardAsync(context, registry, pod);
                return;
            default:
                throw ApiException.MethodNotAllowed();
        }
    }

    public static void SetCondition(JsonObject obj, string conditionType, string status, DateTimeOffset now)
    {
        var statusObject = obj["status"] as JsonObject ?? [];
        obj["status"] = statusObject;
        var conditions = statusObject["conditions"] as JsonArray ?? [];
        statusObject["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => ObjectMeta.Str(c["type"]) == conditionType);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = conditionType };
            conditions.Add(existing);
        }
        if (ObjectMeta.Str(existing["status"]) != status)
        {
            existing["lastTransitionTime"] = ObjectMeta.Timestamp(now);
        }
        existing["status"] = status;
        existing["lastProbeTime"] = null;
    }
}

/// <summary>autoscaling/v1 Scale views of a scalable object.</summary>
internal static class Scale
{
    /// <summary>
    /// The Scale of <paramref name="parent"/>: spec.replicas, status.replicas and spec.selector, or
    /// for a custom resource the paths its CRD declares (apiextensions' scaleFromCustomResource:
    /// an absent replicas path reads 0, the selector path holds the selector's string form).
    /// </summary>
    public static JsonObject From(JsonObject parent, ScalePaths? paths = null)
    {
        var metadata = ObjectCodec.Metadata(parent);
        var selectorText = paths is null
            ? SelectorText(parent["spec"]?["selector"])
            : paths.LabelSelectorPath is { Length: > 0 } selectorPath ? ObjectMeta.Str(At(parent, selectorPath)) ?? "" : "";
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = metadata["name"]?.DeepClone(),
                ["namespace"] = metadata["namespace"]?.DeepClone(),
                ["uid"] = metadata["uid"]?.DeepClone(),
                ["resourceVersion"] = metadata["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = metadata["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = At(parent, paths?.SpecReplicasPath ?? ".spec.replicas")?.DeepClone() ?? 0 },
            ["status"] = new JsonObject
            {
                ["replicas"] = At(parent, paths?.StatusReplicasPath ?? ".status.replicas")?.DeepClone() ?? 0,
                ["selector"] = selectorText,
            },
        };
    }

    /// <summary>The value at a simple JSON path such as <c>.spec.replicas</c>, or null.</summary>
    private static JsonNode? At(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var segment in path.TrimStart('.').Split('.'))
        {
            node = (node as JsonObject)?[segment];
        }
        return node;
    }

    /// <summary>Sets the integer at a simple JSON path, creating the objects on the way.</summary>
    public static void SetPath(JsonObject obj, string path, int value)
    {
        var segments = path.TrimStart('.').Split('.');
        var node = obj;
        foreach (var segment in segments[..^1])
        {
            node = node.Ensure(segment);
        }
        node[segments[^1]] = value;
    }

    /// <summary>
    /// A label selector as its canonical string form ("app=web,tier in (a,b)"), as Scale's
    /// status.selector carries it; RC selectors are plain maps. One that does not convert gives "".
    /// </summary>
    public static string SelectorText(JsonNode? selector)
    {
        if (selector is not JsonObject obj)
        {
            return "";
        }
        var isMap = obj["matchLabels"] is not JsonObject && !obj.ContainsKey("matchExpressions");
        try
        {
            return (isMap ? JsonLabelSelector.FromSet(obj) : JsonLabelSelector.From(obj)).ToString();
        }
        catch (InvalidSelectorException)
        {
            return "";
        }
    }
}
