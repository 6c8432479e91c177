using k8s.Models;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.OpenApi;

/// <summary>
/// The <c>paths</c> entries of one resource, shaped like kube-apiserver's
/// (apiserver pkg/endpoints/installer.go): collection, item, all-namespaces list and the
/// subresources with a request/response kind (status, scale, binding, eviction). Every operation
/// carries <c>x-kubernetes-action</c> and <c>x-kubernetes-group-version-kind</c>; writes list the
/// <c>fieldValidation</c> parameter, which is what tells kubectl to leave validation to the server
/// (cli-runtime pkg/resource/query_param_verifier_v3.go), and PATCH lists the patch media types,
/// which lets kubectl compute strategic merge patches from OpenAPI v3 (kubectl pkg/cmd/apply/patcher.go).
/// </summary>
internal sealed class ResourcePaths
{
    private static readonly string[] PatchMediaTypes =
    [
        "application/apply-patch+yaml",
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
    ];

    // Request/response models of subresources whose kind differs from the parent's.
    private static readonly Dictionary<string, Type> SubresourceModels = new(StringComparer.Ordinal)
    {
        ["Scale"] = typeof(V1Scale),
        ["Binding"] = typeof(V1Binding),
        ["Eviction"] = typeof(V1Eviction),
    };

    private readonly SchemaComponents _schemas;

    public ResourcePaths(SchemaComponents schemas) => _schemas = schemas;

    /// <summary>The request/response model of a subresource, or null when it has none (log, exec, ...).</summary>
    public static Type? SubresourceModel(ResourceType resource, Subresource subresource) =>
        subresource.Kind == resource.Kind && subresource.Group == resource.Group
            ? resource.Model
            : SubresourceModels.GetValueOrDefault(subresource.Kind);

    public void Add(SortedDictionary<string, JsonObject> paths, ResourceType resource)
    {
        var root = resource.Group.Length == 0 ? "/api/" + resource.Version : $"/apis/{resource.Group}/{resource.Version}";
        var scope = resource.Namespaced ? "Namespaced" : "";
        var collection = resource.Namespaced ? $"{root}/namespaces/{{namespace}}/{resource.Name}" : $"{root}/{resource.Name}";
        var item = collection + "/{name}";
        var kind = new GroupVersionKind(resource.Group, resource.Version, resource.Kind);
        var ids = new OperationIds(resource, scope);
        var verbs = resource.Verbs.ToHashSet(StringComparer.Ordinal);
        var listModel = resource.Model.Assembly.GetType(resource.Model.FullName + "List");

        var collectionPath = PathItem(resource, named: false);
        if (verbs.Contains("list") && listModel is not null)
        {
            collectionPath["get"] = Operation("list", ids.For("list"), $"list or watch objects of kind {resource.Kind}", kind, QueryParameters.List, null, Responses(listModel, 200));
        }
        if (verbs.Contains("create"))
        {
            collectionPath["post"] = Operation("post", ids.For("create"), $"create a {resource.Kind}", kind, QueryParameters.Write, Body(resource.Model), Responses(resource.Model, 200, 201, 202));
        }
        if (verbs.Contains("deletecollection"))
        {
            collectionPath["delete"] = Operation("deletecollection", ids.For("delete", "Collection"), $"delete collection of {resource.Kind}", kind,
                [.. QueryParameters.List, .. QueryParameters.Delete], Body(typeof(V1DeleteOptions)), Responses(typeof(V1Status), 200));
        }
        AddIfAny(paths, collection, collectionPath);

        if (resource.Namespaced && verbs.Contains("list") && listModel is not null)
        {
            var everywhere = new JsonObject
            {
                ["get"] = Operation("list", ids.For("list", allNamespaces: true), $"list or watch objects of kind {resource.Kind}", kind, QueryParameters.List, null, Responses(listModel, 200)),
            };
            paths[$"{root}/{resource.Name}"] = everywhere;
        }

        var itemPath = PathItem(resource, named: true);
        AddItemOperations(itemPath, verbs, ids, "", resource.Kind, kind, resource.Model);
        if (verbs.Contains("delete"))
        {
            itemPath["delete"] = Operation("delete", ids.For("delete"), $"delete a {resource.Kind}", kind, QueryParameters.Delete, Body(typeof(V1DeleteOptions)), Responses(typeof(V1Status), 200, 202));
        }
        AddIfAny(paths, item, itemPath);

        foreach (var subresource in resource.Subresources)
        {
            var model = SubresourceModel(resource, subresource);
            if (model is null)
            {
                continue;
            }
            var subresourcePath = PathItem(resource, named: true);
            var subresourceKind = new GroupVersionKind(subresource.Group, subresource.Version, subresource.Kind);
            var suffix = char.ToUpperInvariant(subresource.Name[0]) + subresource.Name[1..];
            AddItemOperations(subresourcePath, subresource.Verbs.ToHashSet(StringComparer.Ordinal), ids, suffix, $"{subresource.Name} of the specified {resource.Kind}", subresourceKind, model);
            if (subresource.Verbs.Contains("create"))
            {
                subresourcePath["post"] = Operation("post", ids.For("create", suffix: suffix), $"create {subresource.Name} of a {resource.Kind}", subresourceKind, QueryParameters.Write, Body(model), Responses(model, 200, 201, 202));
            }
            AddIfAny(paths, $"{item}/{subresource.Name}", subresourcePath);
        }
    }

    private void AddItemOperations(JsonObject path, HashSet<string> verbs, OperationIds ids, string suffix, string what, GroupVersionKind kind, Type model)
    {
        if (verbs.Contains("get"))
        {
            path["get"] = Operation("get", ids.For("read", suffix: suffix), $"read {Specified(what)}", kind, [], null, Responses(model, 200));
        }
        if (verbs.Contains("update"))
        {
            path["put"] = Operation("put", ids.For("replace", suffix: suffix), $"replace {Specified(what)}", kind, QueryParameters.Write, Body(model), Responses(model, 200, 201));
        }
        if (verbs.Contains("patch"))
        {
            path["patch"] = Operation("patch", ids.For("patch", suffix: suffix), $"partially update {Specified(what)}", kind, QueryParameters.Patch, PatchBody(model), Responses(model, 200, 201));
        }
    }

    private static string Specified(string what) => what.Contains(' ', StringComparison.Ordinal) ? what : "the specified " + what;

    private static void AddIfAny(SortedDictionary<string, JsonObject> paths, string path, JsonObject item)
    {
        if (item.Any(p => p.Key != "parameters"))
        {
            paths[path] = item;
        }
    }

    private static JsonObject PathItem(ResourceType resource, bool named)
    {
        var parameters = new JsonArray();
        if (named)
        {
            parameters.Add(QueryParameters.PathParameter("name", $"name of the {resource.Kind}"));
        }
        if (resource.Namespaced)
        {
            parameters.Add(QueryParameters.PathParameter("namespace", "object name and auth scope, such as for teams and projects"));
        }
        parameters.Add(QueryParameters.Create("pretty", "string", "If 'true', the output is pretty printed."));
        return new JsonObject { ["parameters"] = parameters };
    }

    /// <summary>One operation object; <paramref name="tag"/> defaults to the built-in tag of the kind's group-version.</summary>
    internal static JsonObject Operation(string action, string operationId, string description, GroupVersionKind kind, IEnumerable<JsonObject> parameters, JsonObject? body, JsonObject responses, string? tag = null)
    {
        var operation = new JsonObject
        {
            ["description"] = description,
            ["operationId"] = operationId,
        };
        var parameterArray = new JsonArray([.. parameters]);
        if (parameterArray.Count > 0)
        {
            operation["parameters"] = parameterArray;
        }
        if (body is not null)
        {
            operation["requestBody"] = body;
        }
        operation["responses"] = responses;
        operation["tags"] = new JsonArray(tag ?? OperationIds.Tag(kind.Group, kind.Version));
        operation["x-kubernetes-action"] = action;
        operation["x-kubernetes-group-version-kind"] = kind.ToJson();
        return operation;
    }

    private JsonObject Body(Type model) => new()
    {
        ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = _schemas.Ref(model) } },
        ["required"] = true,
    };

    private JsonObject PatchBody(Type model)
    {
        var content = new JsonObject();
        foreach (var mediaType in PatchMediaTypes)
        {
            content[mediaType] = new JsonObject { ["schema"] = _schemas.Ref(model) };
        }
        return new JsonObject { ["content"] = content, ["required"] = true };
    }

    private JsonObject Responses(Type model, params int[] codes)
    {
        var responses = new JsonObject();
        foreach (var code in codes)
        {
            responses[code.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = _schemas.Ref(model) } },
                ["description"] = code switch { 201 => "Created", 202 => "Accepted", _ => "OK" },
            };
        }
        return responses;
    }
}
