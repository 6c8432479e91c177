using k8s.Models;
using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.OpenApi;

/// <summary>
/// The <c>components.schemas</c> of one OpenAPI v3 document, rendered from <see cref="SchemaNode"/>s
/// on demand: asking for a reference to a model adds its schema and every schema it reaches.
/// Shapes follow kube-openapi's output for built-in types (objects by <c>$ref</c>, maps as
/// <c>additionalProperties</c>, Time/Quantity/IntOrString as named components, patch strategies
/// as <c>x-kubernetes-patch-*</c> on the property). One instance per document: JSON nodes have a
/// single parent, so nothing here is shared between documents.
/// </summary>
internal sealed class SchemaComponents
{
    private const string RefPrefix = "#/components/schemas/";

    // Fields that are metav1.MicroTime upstream; the models type them as DateTime like Time.
    private static readonly HashSet<(Type, string)> MicroTimeFields =
    [
        (typeof(V1LeaseSpec), "acquireTime"),
        (typeof(V1LeaseSpec), "renewTime"),
        (typeof(Corev1Event), "eventTime"),
    ];

    private readonly DefinitionNames _names;
    private readonly ModelDescriptions _descriptions;
    private readonly IReadOnlyDictionary<Type, GroupVersionKind[]> _kinds;
    private readonly SortedDictionary<string, JsonObject> _schemas = new(StringComparer.Ordinal);

    /// <param name="kinds">Top-level kinds by model, for <c>x-kubernetes-group-version-kind</c>.</param>
    public SchemaComponents(DefinitionNames names, ModelDescriptions descriptions, IReadOnlyDictionary<Type, GroupVersionKind[]> kinds)
    {
        _names = names;
        _descriptions = descriptions;
        _kinds = kinds;
    }

    /// <summary>A fresh <c>{"$ref": ...}</c> to the model's schema, adding it if needed.</summary>
    public JsonObject Ref(Type model) => RefTo(Ensure(model));

    /// <summary>A fresh <c>{"$ref": ...}</c> to a component by its definition name (which must be added).</summary>
    public static JsonObject RefTo(string name) => new() { ["$ref"] = RefPrefix + name };

    /// <summary>Adds a component built elsewhere (a custom resource's kind and list); the first one of a name stays.</summary>
    public void Add(string name, JsonObject schema) => _schemas.TryAdd(name, schema);

    /// <summary>The schemas added so far, sorted by name.</summary>
    public JsonObject ToJson()
    {
        var schemas = new JsonObject();
        foreach (var (name, schema) in _schemas)
        {
            schemas[name] = schema;
        }
        return schemas;
    }


    private string Ensure(Type model)
    {
        var name = _names.For(model);
        if (!_schemas.ContainsKey(name))
        {
            var schema = new JsonObject();
            // Registered before it is filled in, so recursive types end at a $ref.
            _schemas[name] = schema;
            FillObject(schema, model);
        }
        return name;
    }

    private void FillObject(JsonObject schema, Type model)
    {
        var node = ModelSchema.For(model);
        AddDescription(schema, _descriptions.ForType(model));
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var property in node.Properties.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            properties[property.Name] = Property(model, property);
            if (property.Required)
            {
                required.Add(property.Name);
            }
        }
        if (properties.Count > 0)
        {
            schema["properties"] = properties;
        }
        if (required.Count > 0)
        {
            schema["required"] = required;
        }
        schema["type"] = "object";
        if (_kinds.TryGetValue(model, out var kinds))
        {
            schema["x-kubernetes-group-version-kind"] = new JsonArray([.. kinds.Select(k => (JsonNode)k.ToJson())]);
        }
    }

    private JsonObject Property(Type owner, SchemaProperty property)
    {
        var schema = Render(property.Schema, owner, property.Name);
        var description = _descriptions.ForProperty(owner, property.ClrName);
        var strategy = PatchStrategy(property);
        if (schema.ContainsKey("$ref") && (description is not null || strategy is not null))
        {
            // OpenAPI 3.0 ignores siblings of $ref; kube-openapi wraps the reference in allOf.
            schema = new JsonObject { ["allOf"] = new JsonArray(schema) };
        }
        AddDescription(schema, description);
        if (!string.IsNullOrEmpty(property.MergeKey))
        {
            schema["x-kubernetes-patch-merge-key"] = property.MergeKey;
        }
        if (strategy is not null)
        {
            schema["x-kubernetes-patch-strategy"] = strategy;
        }
        return schema;
    }

    private static string? PatchStrategy(SchemaProperty property) => (property.MergeKey, property.RetainKeys) switch
    {
        (not null, true) => "merge,retainKeys",
        (not null, false) => "merge",
        (null, true) => "retainKeys",
        _ => null,
    };

    private JsonObject Render(SchemaNode node, Type owner, string jsonName) => node.Kind switch
    {
        SchemaKind.Object when node.Model is not null => Ref(node.Model),
        SchemaKind.Array => new JsonObject { ["items"] = Items(node, owner, jsonName), ["type"] = "array" },
        SchemaKind.Map => new JsonObject { ["additionalProperties"] = Items(node, owner, jsonName), ["type"] = "object" },
        SchemaKind.String => new JsonObject { ["type"] = "string" },
        SchemaKind.Integer => new JsonObject { ["format"] = node.Format ?? "int64", ["type"] = "integer" },
        SchemaKind.Number => new JsonObject { ["format"] = "double", ["type"] = "number" },
        SchemaKind.Boolean => new JsonObject { ["type"] = "boolean" },
        SchemaKind.Bytes => new JsonObject { ["format"] = "byte", ["type"] = "string" },
        SchemaKind.Time => Named(MicroTimeFields.Contains((owner, jsonName)) ? DefinitionNames.MicroTime : DefinitionNames.Time),
        SchemaKind.Quantity => Named(DefinitionNames.Quantity),
        SchemaKind.IntOrString => Named(DefinitionNames.IntOrString),
        // runtime.RawExtension, FieldsV1 and friends: any JSON object.
        _ => new JsonObject { ["type"] = "object" },
    };

    private JsonObject Items(SchemaNode node, Type owner, string jsonName) =>
        node.Items is null ? new JsonObject { ["type"] = "object" } : Render(node.Items, owner, jsonName);

    /// <summary>A reference to one of the scalar components of apimachinery, adding it on first use.</summary>
    private JsonObject Named(string name)
    {
        if (!_schemas.ContainsKey(name))
        {
            _schemas[name] = name switch
            {
                DefinitionNames.Quantity => new JsonObject
                {
                    ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "number" }),
                },
                DefinitionNames.IntOrString => new JsonObject
                {
                    ["format"] = "int-or-string",
                    ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" }),
                    ["x-kubernetes-int-or-string"] = true,
                },
                _ => new JsonObject { ["format"] = "date-time", ["type"] = "string" },
            };
            AddDescription(_schemas[name], ScalarDescription(name));
        }
        return RefTo(name);
    }

    private string? ScalarDescription(string name) => name switch
    {
        DefinitionNames.Quantity => _descriptions.ForType(typeof(ResourceQuantity)),
        DefinitionNames.IntOrString => _descriptions.ForType(typeof(IntOrString)),
        _ => null,
    };

    private static void AddDescription(JsonObject schema, string? description)
    {
        if (!string.IsNullOrWhiteSpace(description))
        {
            schema["description"] = description;
        }
    }
}
