using System.Text;
using k8s.Models;
using MiniKube.ApiServer.CustomResources;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.OpenApi;

/// <summary>
/// The OpenAPI v3 document of one custom group-version: every served version of that name of
/// every CRD of the group, merged into one document as the openapiv3 controller of
/// apiextensions-apiserver merges them (controller/openapiv3, builder.MergeSpecsV3). Per CRD
/// version, as controller/openapi/builder/builder.go builds it:
/// <list type="bullet">
/// <item>components <c>com.example.v1.Widget</c> (the reversed group, version and kind) from the
/// version's structural schema, with apiVersion, kind, metadata (ObjectMeta) and
/// <c>x-kubernetes-group-version-kind</c> (and <c>x-kubernetes-selectable-fields</c>), and
/// <c>com.example.v1.WidgetList</c>; a schema that cannot be read gives <c>type: object</c> only;</item>
/// <item>paths for the collection (and all namespaces), the item, and /status and /scale when
/// declared, with upstream's operation ids (<c>patchExampleComV1NamespacedWidget</c>), tags,
/// descriptions, <c>x-kubernetes-action</c>, and the CR's kind as <c>x-kubernetes-group-version-kind</c>
/// on every operation (scale ones included, as upstream);</item>
/// <item>PATCH accepting apply, JSON and merge patches only: kubectl falls back to a merge patch
/// for a kind whose PATCH lists no strategic merge patch (kubectl apply/patcher.go), and the
/// <c>fieldValidation</c> parameter, which tells kubectl to validate on the server.</item>
/// </list>
/// Query parameters are those of the built-in documents (<see cref="QueryParameters"/>).
/// </summary>
internal sealed class CustomResourceDocument
{
    private readonly SchemaComponents _components;
    private readonly TypeMetaFields _typeMeta;
    private readonly CustomResourceSchemas _schemas;
    private readonly SortedDictionary<string, JsonObject> _paths = new(StringComparer.Ordinal);

    private const string PatchComponent = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

    // No strategic merge patch: custom resources have no patch strategies.
    private static readonly string[] PatchMediaTypes = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"];

    public CustomResourceDocument(DefinitionNames names, ModelDescriptions descriptions)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(descriptions);
        var kinds = new Dictionary<Type, GroupVersionKind[]>
        {
            [typeof(V1Status)] = [new("", "v1", "Status")],
            [typeof(V1DeleteOptions)] = [new("", "v1", "DeleteOptions")],
            [typeof(V1Scale)] = [new("autoscaling", "v1", "Scale")],
        };
        _components = new SchemaComponents(names, descriptions, kinds);
        _typeMeta = new TypeMetaFields(_components, descriptions);
        _schemas = new CustomResourceSchemas(_typeMeta);
    }

    /// <summary>The definition name upstream gives a custom kind: <c>com.example.v1.Widget</c> for example.com/v1 Widget.</summary>
    public static string DefinitionName(string group, string version, string kind) =>
        string.Join('.', group.Split('.').Reverse()) + "." + version + "." + kind;

    /// <summary>Adds one served version of a CRD: its kind, list and paths.</summary>
    public void Add(JsonObject crd, JsonObject version)
    {
        ArgumentNullException.ThrowIfNull(crd);
        ArgumentNullException.ThrowIfNull(version);
        var resource = CustomResource.Read(crd, version);
        var gvk = new GroupVersionKind(resource.Group, resource.Version, resource.Kind);
        var kindName = DefinitionName(resource.Group, resource.Version, resource.Kind);
        var listName = DefinitionName(resource.Group, resource.Version, resource.ListKind);
        _components.Add(kindName, KindSchema(resource, gvk));
        _components.Add(listName, ListSchema(resource, kindName));
        new Paths(this, resource, gvk).AddAll(kindName, listName);
    }

    /// <summary>The document of everything added.</summary>
    public JsonObject ToJson()
    {
        var paths = new JsonObject();
        foreach (var (path, item) in _paths)
        {
            paths[path] = item;
        }
        return new JsonObject
        {
            ["components"] = new JsonObject { ["schemas"] = _components.ToJson() },
            ["info"] = new JsonObject { ["title"] = "Kubernetes CRD Swagger", ["version"] = "v0.1.0" },
            ["openapi"] = "3.0.0",
            ["paths"] = paths,
        };
    }

    private JsonObject KindSchema(CustomResource resource, GroupVersionKind gvk)
    {
        JsonObject schema;
        if (resource.Schema is { } structural)
        {
            schema = _schemas.Convert(structural);
            _schemas.SetTypeMeta(schema);
        }
        else
        {
            // No usable schema: kubectl must not take the absence of properties as "no fields allowed".
            schema = new JsonObject { ["type"] = "object" };
        }
        schema["x-kubernetes-group-version-kind"] = new JsonArray(gvk.ToJson());
        if (resource.SelectableFields() is { } selectable)
        {
            schema["x-kubernetes-selectable-fields"] = selectable;
        }
        return schema;
    }

    private JsonObject ListSchema(CustomResource resource, string kindName)
    {
        var schema = new JsonObject
        {
            ["description"] = $"{resource.ListKind} is a list of {resource.Kind}",
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = _typeMeta.ApiVersion(),
                ["items"] = new JsonObject
                {
                    ["description"] = $"List of {resource.Plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md",
                    ["items"] = SchemaComponents.RefTo(kindName),
                    ["type"] = "array",
                },
                ["kind"] = _typeMeta.Kind(),
                ["metadata"] = _typeMeta.ListMeta(),
            },
            ["required"] = new JsonArray("items"),
            ["type"] = "object",
            ["x-kubernetes-group-version-kind"] = new JsonArray(new GroupVersionKind(resource.Group, resource.Version, resource.ListKind).ToJson()),
        };
        if (resource.SelectableFields() is { } selectable)
        {
            schema["x-kubernetes-selectable-fields"] = selectable;
        }
        return schema;
    }

    private JsonObject PatchRef()
    {
        _components.Add(PatchComponent, new JsonObject
        {
            ["description"] = "The body of a PATCH request; its form is given by the request's Content-Type.",
            ["type"] = "object",
        });
        return SchemaComponents.RefTo(PatchComponent);
    }

    /// <summary>What the document needs to know of one served CRD version.</summary>
    private sealed record CustomResource(
        string Group, string Version, string Kind, string ListKind, string Plural, bool Namespaced,
        StructuralSchema? Schema, bool HasStatus, bool HasScale, JsonArray? Selectable)
    {
        public static CustomResource Read(JsonObject crd, JsonObject version)
        {
            var spec = crd["spec"] as JsonObject;
            var names = spec?["names"] as JsonObject;
            var kind = Text(names?["kind"]);
            var listKind = Text(names?["listKind"]);
            var subresources = (version["subresources"] ?? spec?["subresources"]) as JsonObject;
            var openApi = ((version["schema"] ?? spec?["validation"]) as JsonObject)?["openAPIV3Schema"] as JsonObject;
            return new CustomResource(
                Text(spec?["group"]),
                Text(version["name"]),
                kind,
                listKind.Length > 0 ? listKind : kind + "List",
                Text(names?["plural"]),
                Text(spec?["scope"]) != "Cluster",
                openApi is null ? null : ReadSchema(openApi),
                subresources?["status"] is JsonObject,
                subresources?["scale"] is JsonObject,
                version["selectableFields"] as JsonArray);
        }

        /// <summary><c>x-kubernetes-selectable-fields</c>: each jsonPath without its leading dot (builder.go buildSelectableFields).</summary>
        public JsonArray? SelectableFields()
        {
            if (Selectable is not { Count: > 0 })
            {
                return null;
            }
            var fields = new JsonArray();
            foreach (var field in Selectable.OfType<JsonObject>())
            {
                var path = Text(field["jsonPath"]);
                fields.Add(new JsonObject { ["fieldPath"] = path.StartsWith('.') ? path[1..] : path });
            }
            return fields;
        }

        private static StructuralSchema? ReadSchema(JsonObject openApi)
        {
            var errors = new List<FieldError>();
            var schema = SchemaReader.Read(openApi, FieldPath.Root, errors);
            return errors.Count == 0 ? schema : null;
        }

        private static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";
    }

    /// <summary>The paths of one CRD version (builder.go generateBuilder and buildRoute).</summary>
    private sealed class Paths(CustomResourceDocument document, CustomResource resource, GroupVersionKind gvk)
    {
        private readonly string _scope = resource.Namespaced ? "Namespaced" : "";
        private readonly string _idInfix = OperationToken(TrimK8sIo(resource.Group), true) + OperationToken(resource.Version, true);
        private readonly string _tag = OperationToken(TrimK8sIo(resource.Group), false) + "_" + OperationToken(resource.Version, false);

        public void AddAll(string kindName, string listName)
        {
            var root = $"/apis/{resource.Group}/{resource.Version}";
            var collection = resource.Namespaced ? $"{root}/namespaces/{{namespace}}/{resource.Plural}" : $"{root}/{resource.Plural}";
            var item = collection + "/{name}";
            var kind = SchemaComponents.RefTo(kindName);
            var list = SchemaComponents.RefTo(listName);

            if (resource.Namespaced)
            {
                document._paths[$"{root}/{resource.Plural}"] = new JsonObject
                {
                    ["get"] = Operation("list", $"list{_idInfix}{resource.Kind}ForAllNamespaces", $"list objects of kind {resource.Kind}",
                        QueryParameters.List, null, Responses(list, 200)),
                    ["parameters"] = new JsonArray(Pretty()),
                };
            }

            var collectionPath = PathItem(named: false);
            collectionPath["get"] = Operation("list", Id("list", ""), $"list objects of kind {resource.Kind}", QueryParameters.List, null, Responses(list, 200));
            collectionPath["post"] = Operation("post", Id("create", ""), $"create{Article(resource.Kind)}{resource.Kind}", QueryParameters.Write,
                Body(kind), Responses(kind, 200, 201, 202));
            collectionPath["delete"] = Operation("deletecollection", Id("delete", "", collection: true), $"delete collection of {resource.Kind}",
                [.. QueryParameters.List, .. QueryParameters.Delete], Body(document._components.Ref(typeof(V1DeleteOptions)), required: false),
                Responses(document._components.Ref(typeof(V1Status)), 200));
            document._paths[collection] = collectionPath;

            var itemPath = PathItem(named: true);
            AddItemOperations(itemPath, "", kind);
            itemPath["delete"] = Operation("delete", Id("delete", ""), $"delete{Article(resource.Kind)}{resource.Kind}", QueryParameters.Delete,
                Body(document._components.Ref(typeof(V1DeleteOptions)), required: false), Responses(document._components.Ref(typeof(V1Status)), 200, 202));
            document._paths[item] = itemPath;

            if (resource.HasStatus)
            {
                var statusPath = PathItem(named: true);
                AddItemOperations(statusPath, "status", kind);
                document._paths[item + "/status"] = statusPath;
            }
            if (resource.HasScale)
            {
                var scalePath = PathItem(named: true);
                AddItemOperations(scalePath, "scale", document._components.Ref(typeof(V1Scale)));
                document._paths[item + "/scale"] = scalePath;
            }
        }

        private void AddItemOperations(JsonObject path, string subresource, JsonObject model)
        {
            var what = subresource.Length == 0 ? "" : " " + subresource + " of";
            path["get"] = Operation("get", Id("read", subresource), $"read{what} the specified {resource.Kind}", [], null, Responses(model, 200));
            path["put"] = Operation("put", Id("replace", subresource), $"replace{what} the specified {resource.Kind}", QueryParameters.Write,
                Body(model.DeepClone().AsObject()), Responses(model, 200, 201));
            path["patch"] = Operation("patch", Id("patch", subresource), $"partially update{what} the specified {resource.Kind}", QueryParameters.Patch,
                PatchBody(), Responses(model, 200, 201));
        }

        // GetOperationIDAndTags: verb + group and version tokens + the route's operation name
        // (operationVerb + Namespaced + Kind + Subresource); deletecollection reads "deleteXCollectionY".
        private string Id(string verb, string subresource, bool collection = false) =>
            verb + _idInfix + (collection ? "Collection" : "") + _scope + resource.Kind
            + (subresource.Length == 0 ? "" : char.ToUpperInvariant(subresource[0]) + subresource[1..]);

        private JsonObject PathItem(bool named)
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
            parameters.Add(Pretty());
            return new JsonObject { ["parameters"] = parameters };
        }

        private static JsonObject Pretty() => QueryParameters.Create("pretty", "string", "If 'true', the output is pretty printed.");

        private JsonObject Operation(string action, string operationId, string description, IEnumerable<JsonObject> parameters, JsonObject? body, JsonObject responses) =>
            ResourcePaths.Operation(action, operationId, description, gvk, parameters, body, responses, _tag);

        private static JsonObject Body(JsonObject schema, bool required = true)
        {
            var body = new JsonObject
            {
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema } },
            };
            if (required)
            {
                body["required"] = true;
            }
            return body;
        }

        private JsonObject PatchBody()
        {
            var content = new JsonObject();
            foreach (var mediaType in PatchMediaTypes)
            {
                content[mediaType] = new JsonObject { ["schema"] = document.PatchRef() };
            }
            return new JsonObject { ["content"] = content, ["required"] = true };
        }

        private static JsonObject Responses(JsonObject schema, params int[] codes)
        {
            var responses = new JsonObject();
            foreach (var code in codes)
            {
                responses[code.ToString(CultureInfo.InvariantCulture)] = new JsonObject
                {
                    ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema.DeepClone() } },
                    ["description"] = code switch { 201 => "Created", 202 => "Accepted", _ => "OK" },
                };
            }
            return responses;
        }

        // endpoints.GetArticleForNoun: " an " before a vowel sound's letter, " a " otherwise.
        private static string Article(string noun) => noun.Length > 0 && "aeiouAEIOU".Contains(noun[0], StringComparison.Ordinal) ? " an " : " a ";

        private static string TrimK8sIo(string group) => group.EndsWith(".k8s.io", StringComparison.Ordinal) ? group[..^".k8s.io".Length] : group;

        /// <summary>ToValidOperationID: letters, '_' and non-leading digits kept, anything else dropped and the next letter upper-cased.</summary>
        private static string OperationToken(string text, bool capitalizeFirst)
        {
            var result = new StringBuilder(text.Length);
            var capitalize = capitalizeFirst;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (char.IsLetter(c) || c == '_' || (i != 0 && char.IsDigit(c)))
                {
                    result.Append(capitalize ? char.ToUpperInvariant(c) : c);
                    capitalize = false;
                }
                else
                {
                    capitalize = true;
                }
            }
            return result.ToString();
        }
    }
}

/// <summary>
/// apiVersion, kind and metadata as a custom kind's schema carries them (builder.go
/// addTypeMetaProperties and the ObjectMeta/ListMeta references), with the descriptions of the
/// built-in models. Each call gives fresh nodes.
/// </summary>
internal sealed class TypeMetaFields(SchemaComponents components, ModelDescriptions descriptions)
{
    public JsonObject ApiVersion() => Described(new JsonObject { ["type"] = "string" }, descriptions.ForProperty(typeof(V1Pod), nameof(V1Pod.ApiVersion)));

    public JsonObject Kind() => Described(new JsonObject { ["type"] = "string" }, descriptions.ForProperty(typeof(V1Pod), nameof(V1Pod.Kind)));

    public JsonObject ObjectMeta() => Wrapped(components.Ref(typeof(V1ObjectMeta)), descriptions.ForProperty(typeof(V1Pod), nameof(V1Pod.Metadata)));

    public JsonObject ListMeta() => Wrapped(components.Ref(typeof(V1ListMeta)), descriptions.ForProperty(typeof(V1PodList), nameof(V1PodList.Metadata)));

    // A description beside a $ref is ignored in OpenAPI 3.0: wrap the reference in allOf, as SchemaComponents does.
    private static JsonObject Wrapped(JsonObject reference, string? description) =>
        description is null ? reference : Described(new JsonObject { ["allOf"] = new JsonArray(reference) }, description);

    private static JsonObject Described(JsonObject schema, string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return schema;
        }
        schema["description"] = description;
        var sorted = new JsonObject();
        foreach (var (key, value) in schema.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
        {
            schema.Remove(key);
            sorted[key] = value;
        }
        return sorted;
    }
}
