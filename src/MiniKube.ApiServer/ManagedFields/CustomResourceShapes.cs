using System.Collections.Concurrent;
using k8s.Models;
using MiniKube.ApiServer.CustomResources;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.ManagedFields;

/// <summary>
/// Field shapes of custom resources from a CRD version's structural schema, as server-side apply
/// sees CRs upstream (apiextensions-apiserver builds the version's OpenAPI with
/// controller/openapi/builder, and kube-openapi schemaconv turns it into structured-merge-diff
/// types): objects with properties are structs (unknown fields under
/// x-kubernetes-preserve-unknown-fields are deduced), additionalProperties are granular maps,
/// <c>x-kubernetes-map-type: atomic</c> makes either one value, arrays are atomic unless
/// <c>x-kubernetes-list-type</c> is set (set, or map keyed by <c>x-kubernetes-list-map-keys</c>,
/// with the key fields' schema defaults), int-or-string and other scalars are leaves, untyped
/// preserved values are deduced, and metadata (of the object and of embedded resources) is
/// ObjectMeta's shape. Shapes are immutable, built once per CRD version and shared.
/// </summary>
public static class CustomResourceShapes
{
    private static readonly ConcurrentDictionary<(string Crd, string Version), (string Identity, IFieldShape Shape)> Cache = new();

    /// <summary>
    /// The root shape of <paramref name="version"/> of <paramref name="crd"/> (a whole
    /// apiextensions.k8s.io/v1 CustomResourceDefinition as JSON): its
    /// <c>schema.openAPIV3Schema</c>, else the CRD-wide <c>spec.validation</c> one; without a
    /// readable schema, a deduced root with ObjectMeta metadata. Cached per CRD name and version,
    /// rebuilt when the CRD's uid or resourceVersion changes.
    /// </summary>
    public static IFieldShape For(JsonObject crd, string version)
    {
        ArgumentNullException.ThrowIfNull(crd);
        ArgumentNullException.ThrowIfNull(version);
        var metadata = crd["metadata"] as JsonObject;
        var name = (string?)(metadata?["name"] as JsonValue) ?? "";
        var identity = $"{metadata?["uid"]}/{metadata?["resourceVersion"]}";
        if (name.Length > 0 && identity != "/" && Cache.TryGetValue((name, version), out var cached) && cached.Identity == identity)
        {
            return cached.Shape;
        }
        var shape = ForSchema(OpenApiV3Schema(crd, version));
        if (name.Length > 0 && identity != "/")
        {
            Cache[(name, version)] = (identity, shape);
        }
        return shape;
    }

    /// <summary>The root shape of objects of <paramref name="openApiV3Schema"/>; null or unreadable gives a deduced root with ObjectMeta metadata.</summary>
    public static IFieldShape ForSchema(JsonObject? openApiV3Schema)
    {
        if (openApiV3Schema is null)
        {
            return Root(null);
        }
        var errors = new List<FieldError>();
        var schema = SchemaReader.Read(openApiV3Schema, FieldPath.Root, errors);
        return Root(errors.Count == 0 ? schema : null);
    }

    /// <summary>The root shape of objects of a structural schema (null: deduced, with ObjectMeta metadata).</summary>
    public static IFieldShape Root(StructuralSchema? schema)
    {
        var fields = new Dictionary<string, IFieldShape>(StringComparer.Ordinal);
        if (schema is not null)
        {
            foreach (var (name, property) in schema.Properties)
            {
                fields[name] = Of(property);
            }
        }
        AddTypeMeta(fields);
        // A root without properties (or preserving unknown fields) keeps unknown fields deduced, as a struct does.
        return new Shape(ShapeKind.Struct, fields);
    }

    private static JsonObject? OpenApiV3Schema(JsonObject crd, string version)
    {
        var spec = crd["spec"] as JsonObject;
        var match = (spec?["versions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(v => (string?)(v["name"] as JsonValue) == version);
        return ((match?["schema"] ?? spec?["validation"]) as JsonObject)?["openAPIV3Schema"] as JsonObject;
    }

    private static void AddTypeMeta(Dictionary<string, IFieldShape> fields)
    {
        fields["apiVersion"] = Shape.Leaf;
        fields["kind"] = Shape.Leaf;
        fields["metadata"] = ModelShapes.Instance.For(typeof(V1ObjectMeta));
    }

    private static IFieldShape Of(StructuralSchema node)
    {
        if (node.XIntOrString)
        {
            return Shape.Leaf;
        }
        if (node.XEmbeddedResource)
        {
            var fields = Properties(node);
            AddTypeMeta(fields);
            return node.XMapType == "atomic" ? Shape.Leaf : new Shape(ShapeKind.Struct, fields);
        }
        switch (node.Type)
        {
            case "object" when node.XMapType == "atomic":
                return Shape.Leaf;
            case "object" when node.Properties.Count > 0:
                return new Shape(ShapeKind.Struct, Properties(node));
            case "object" when node.AdditionalProperties is not null:
                return new Shape(ShapeKind.Map, values: Of(node.AdditionalProperties));
            case "object" when node.XPreserveUnknownFields || node.HasAdditionalProperties:
                return DeducedShape.Instance;
            case "object":
                // Nothing is known below (everything is pruned): a struct without fields.
                return new Shape(ShapeKind.Struct, []);
            case "array":
                var items = node.Items is null ? DeducedShape.Instance : Of(node.Items);
                return node.XListType switch
                {
                    "set" => new Shape(ShapeKind.SetList, items: Shape.Leaf),
                    "map" => new Shape(ShapeKind.KeyedList, items: items, keys: node.XListMapKeys, keyDefaults: KeyDefaults(node)),
                    _ => Shape.Leaf,
                };
            case "":
                // Untyped: only preserved unknown values (x-kubernetes-preserve-unknown-fields) reach here.
                return DeducedShape.Instance;
            default:
                return Shape.Leaf;
        }
    }

    private static Dictionary<string, IFieldShape> Properties(StructuralSchema node)
    {
        var fields = new Dictionary<string, IFieldShape>(StringComparer.Ordinal);
        foreach (var (name, property) in node.Properties)
        {
            fields[name] = Of(property);
        }
        return fields;
    }

    private static Dictionary<string, JsonNode> KeyDefaults(StructuralSchema list)
    {
        var defaults = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        if (list.Items is { } items)
        {
            foreach (var key in list.XListMapKeys)
            {
                if (items.Properties.TryGetValue(key, out var field) && field.Default is { } value)
                {
                    defaults[key] = value;
                }
            }
        }
        return defaults;
    }

    /// <summary>One node's shape; never changed after construction.</summary>
    private sealed class Shape(
        ShapeKind kind,
        Dictionary<string, IFieldShape>? fields = null,
        IFieldShape? values = null,
        IFieldShape? items = null,
        IReadOnlyList<string>? keys = null,
        Dictionary<string, JsonNode>? keyDefaults = null) : IFieldShape
    {
        public static readonly Shape Leaf = new(ShapeKind.Atomic);

        public ShapeKind Kind => kind;

        public IFieldShape? Field(string name) => kind switch
        {
            ShapeKind.Struct => fields!.GetValueOrDefault(name),
            ShapeKind.Map => values,
            _ => null,
        };

        public IFieldShape? Items => items;

        public IReadOnlyList<string> Keys => keys ?? [];

        // Defaults are schema JSON shared by every request; hand out copies, since a node has one parent.
        public JsonNode? KeyDefault(string key) => keyDefaults?.GetValueOrDefault(key)?.DeepClone();

        public bool SpecAndStatusAlwaysPresent => false;
    }
}
