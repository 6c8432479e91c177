using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// The REST verbs on resources (apiserver pkg/endpoints/handlers): routes a parsed path and
/// method to the registry, reads bodies, checks that a body's kind, name and namespace agree
/// with the URL, and writes objects, lists, watches and Status answers.
/// </summary>
internal sealed class ResourceHandler(ResourceRegistry registry, WatchResponder watches, SubresourceHandler subresources, PatchHandler patches)
{
    public Task HandleAsync(HttpContext context, ApiPath path)
    {
        var type = path.Type!;
        var method = context.Request.Method;
        if (path.Subresource is not null)
        {
            return subresources.HandleAsync(context, path);
        }
        var verb = method switch
        {
            _ when HttpMethods.IsGet(method) => path.Name is null ? "list" : "get",
            _ when HttpMethods.IsPost(method) => "create",
            _ when HttpMethods.IsPut(method) => "update",
            _ when HttpMethods.IsPatch(method) => "patch",
            _ when HttpMethods.IsDelete(method) => path.Name is null ? "deletecollection" : "delete",
            _ => "",
        };
        // Collections of namespaced kinds across all namespaces are read-only, as upstream routes them.
        if (!type.Verbs.Contains(verb) || (type.Namespaced && path.Namespace is null && verb is "create" or "deletecollection"))
        {
            throw ApiException.MethodNotAllowed();
        }
        if (path.Name is null)
        {
            return method switch
            {
                _ when HttpMethods.IsGet(method) => ListOrWatchAsync(context, type, path.Namespace),
                _ when HttpMethods.IsPost(method) => CreateAsync(context, type, path.Namespace),
                _ when HttpMethods.IsDelete(method) => DeleteCollectionAsync(context, type, path.Namespace),
                _ => throw ApiException.MethodNotAllowed(),
            };
        }
        RequireNamespace(type, path.Namespace);
        return method switch
        {
            _ when HttpMethods.IsGet(method) => GetAsync(context, type, path.Namespace, path.Name),
            _ when HttpMethods.IsPut(method) => UpdateAsync(context, type, path.Namespace, path.Name),
            _ when HttpMethods.IsPatch(method) => patches.PatchAsync(context, type, path.Namespace, path.Name, null),
            _ when HttpMethods.IsDelete(method) => DeleteAsync(context, type, path.Namespace, path.Name),
            _ => throw ApiException.MethodNotAllowed(),
        };
    }

    private async Task GetAsync(HttpContext context, ResourceType type, string? ns, string name)
    {
        var kv = await registry.GetStoredAsync(type, ns, name, context.RequestAborted);
        if (Presentation.WantsTable(context))
        {
            await Presentation.WriteTableAsync(context, type, [kv], new ListPage([kv], kv.ModRevision, null), single: true);
            return;
        }
        await ResponseWriter.WriteStoredAsync(context, kv);
    }

    private async Task ListOrWatchAsync(HttpContext context, ResourceType type, string? ns)
    {
        var options = ListOptions.Parse(context.Request.Query);
        var filter = ObjectFilter.From(type, options);
        if (options.Watch)
        {
            await watches.WatchAsync(context, type, ns, options, filter, Presentation.WatchEncoder(context, type));
            return;
        }
        var page = await registry.ListAsync(type, ns, options, filter, context.RequestAborted);
        if (Presentation.WantsTable(context))
        {
            await Presentation.WriteTableAsync(context, type, page.Items, page);
            return;
        }
        await ResponseWriter.WriteListAsync(context, type, page);
    }

    private async Task CreateAsync(HttpContext context, ResourceType type, string? ns)
    {
        RequireNamespace(type, ns);
        var obj = await RequestBody.ReadObjectAsync(context);
        CheckKind(type, obj);
        if (ObjectMeta.Namespace(obj) is { Length: > 0 } bodyNamespace && type.Namespaced && bodyNamespace != ns)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        var warnings = ObjectPatcher.Prune(context, type, obj);
        var owner = FieldOwners.For(context, type, ManagerEntry.Update, null, "CreateOptions", registry.Clock);
        var created = await registry.CreateAsync(type, ns, obj, DryRun(context), context.RequestAborted, owner);
        Warnings.Add(context, warnings);
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status201Created, created);
    }

    private async Task UpdateAsync(HttpContext context, ResourceType type, string? ns, string name)
    {
        var obj = await RequestBody.ReadObjectAsync(context);
        CheckKind(type, obj);
        CheckName(obj, name, ns, type);
        var warnings = ObjectPatcher.Prune(context, type, obj);
        var owner = FieldOwners.For(context, type, ManagerEntry.Update, null, "UpdateOptions", registry.Clock);
        var updated = await registry.UpdateAsync(type, ns, name, null, _ => obj.DeepClone().AsObject(), DryRun(context), context.RequestAborted, owner);
        Warnings.Add(context, warnings);
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, updated);
    }

    private async Task DeleteAsync(HttpContext context, ResourceType type, string? ns, string name)
    {
        var options = DeleteOptions.From(await RequestBody.ReadOptionalObjectAsync(context), context.Request.Query);
        var (obj, gone) = await registry.DeleteAsync(type, ns, name, options, context.RequestAborted);
        // Kinds whose strategy says so answer with the object (clients decode it as such), the rest with a Status.
        if (!gone || type.Strategy.ReturnsDeletedObject)
        {
            await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, obj);
            return;
        }
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, StatusResponses.Success(StatusCodes.Status200OK, new JsonObject
        {
            ["name"] = name,
            ["group"] = type.Group,
            ["kind"] = type.Name,
            ["uid"] = ObjectMeta.Uid(obj),
        }));
    }

    private async Task DeleteCollectionAsync(HttpContext context, ResourceType type, string? ns)
    {
        var listOptions = ListOptions.Parse(context.Request.Query);
        var options = DeleteOptions.From(await RequestBody.ReadOptionalObjectAsync(context), context.Request.Query);
        var page = await registry.ListAsync(type, ns, listOptions with { Limit = 0, Continue = null }, ObjectFilter.From(type, listOptions), context.RequestAborted);
        var items = new JsonArray();
        foreach (var kv in page.Items)
        {
            var obj = ObjectCodec.Decode(kv.Value, kv.ModRevision);
            try
            {
                var (deleted, _) = await registry.DeleteAsync(type, ObjectMeta.Namespace(obj), ObjectMeta.Name(obj)!, options, context.RequestAborted);
                items.Add(deleted);
            }
            catch (ApiException e) when (e.Code == StatusCodes.Status404NotFound)
            {
                // Deleted by someone else meanwhile: the outcome asked for.
            }
        }
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["kind"] = type.ListKind,
            ["apiVersion"] = type.GroupVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = page.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["items"] = items,
        });
    }

    public static bool DryRun(HttpContext context) => ListOptions.Value(context.Request.Query, "dryRun") == "All";

    private static void RequireNamespace(ResourceType type, string? ns)
    {
        if (type.Namespaced && ns is null)
        {
            throw ApiException.PathNotFound();
        }
    }

    /// <summary>A body's apiVersion and kind, when given, must be the URL's (apiserver's "does not match the expected").</summary>
    public static void CheckKind(ResourceType type, JsonObject obj)
    {
        CheckTypeAndObjectMeta(type, obj);
        var apiVersion = ObjectMeta.Str(obj["apiVersion"]);
        var kind = ObjectMeta.Str(obj["kind"]);
        if (apiVersion is { Length: > 0 } && apiVersion != type.GroupVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.GroupVersion})");
        }
        if (kind is { Length: > 0 } && kind != type.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
        }
        obj["apiVersion"] = type.GroupVersion;
        obj["kind"] = type.Kind;
    }

    /// <summary>
    /// What the decoder refuses before anything reads the body: apiVersion and kind that are not
    /// strings (runtime's TypeMeta decode, "couldn't get version/kind") and a metadata that is not
    /// an object (encoding/json's UnmarshalTypeError into ObjectMeta). Deeper type errors are
    /// the field pruner's (<see cref="ObjectPatcher.Prune"/>).
    /// </summary>
    private static void CheckTypeAndObjectMeta(ResourceType type, JsonObject obj)
    {
        foreach (var field in new[] { "apiVersion", "kind" })
        {
            if (obj[field] is { } value && value.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Null))
            {
                throw ApiException.BadRequest($"couldn't get version/kind; json parse error: json: cannot unmarshal {Patching.JsonKindName.Of(value)} into Go struct field .{field} of type string");
            }
        }
        if (obj["metadata"] is { } metadata && metadata.GetValueKind() is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            throw ApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: json: cannot unmarshal {Patching.JsonKindName.Of(metadata)} into Go struct field {type.Kind}.metadata of type v1.ObjectMeta");
        }
    }

    public static void CheckName(JsonObject obj, string name, string? ns, ResourceType type)
    {
        var bodyName = ObjectMeta.Name(obj);
        if (bodyName is { Length: > 0 } && bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }
        if (type.Namespaced && ObjectMeta.Namespace(obj) is { Length: > 0 } bodyNamespace && bodyNamespace != ns)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        ObjectCodec.Metadata(obj)["name"] = name;
    }
}

/// <summary>Warning response headers (kubectl prints each as "Warning: text").</summary>
internal static class Warnings
{
    public static void Add(HttpContext context, IEnumerable<string> warnings)
    {
        foreach (var warning in warnings)
        {
            // Header values must be ASCII: escape the rest as upstream's warning recorder does.
            var text = new System.Text.StringBuilder();
            foreach (var c in warning)
            {
                text.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    < ' ' or > '~' => $"\\u{(int)c:x4}",
                    _ => c.ToString(),
                });
            }
            context.Response.Headers.Append("Warning", $"299 - \"{text}\"");
        }
    }
}
