using MiniKube.ApiServer.CustomResources;

namespace MiniKube.ApiServer.OpenApi;

/// <summary>
/// A CRD version's structural schema as an OpenAPI v3 schema, the way apiextensions-apiserver
/// publishes it (pkg/apiserver/schema kubeopenapi.go ToKubeOpenAPI after unfold.go Unfold, then
/// controller/openapi/builder addEmbeddedProperties): every keyword and x-kubernetes-* extension
/// the structural schema keeps (example and externalDocs are not kept upstream either),
/// <c>x-kubernetes-int-or-string</c> spelled out as <c>anyOf: [integer, string]</c>, and embedded
/// resources given apiVersion, kind and an ObjectMeta metadata, with kind and apiVersion required.
/// Keys are written sorted, so the same schema always gives the same bytes (and hash). Values
/// taken from the CRD (default, enum, rules) are copied: the CRD's JSON stays untouched.
/// </summary>
internal sealed class CustomResourceSchemas(TypeMetaFields typeMeta)
{
    /// <summary>The schema of <paramref name="node"/> and everything below it.</summary>
    public JsonObject Convert(StructuralSchema node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var schema = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        Generic(node, schema);
        if (node.Properties.Count > 0)
        {
            var properties = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
            foreach (var (name, property) in node.Properties)
            {
                properties[name] = Convert(property);
            }
            schema["properties"] = ToObject(properties);
        }
        if (node.Items is not null)
        {
            schema["items"] = Convert(node.Items);
        }
        if (node.AdditionalProperties is not null)
        {
            schema["additionalProperties"] = Convert(node.AdditionalProperties);
        }
        else if (node.HasAdditionalProperties)
        {
            schema["additionalProperties"] = node.AdditionalPropertiesAllowed;
        }
        ValueValidation(node, schema);
        Extensions(node, schema);
        var result = ToObject(schema);
        if (node.XEmbeddedResource)
        {
            AddTypeMeta(result);
        }
        return result;
    }

    /// <summary>
    /// Adds apiVersion, kind and metadata (a reference to ObjectMeta) to an object schema,
    /// replacing what the CRD declared for them, as buildKubeNative and addEmbeddedProperties do.
    /// </summary>
    public void SetTypeMeta(JsonObject schema)
    {
        var properties = schema["properties"] as JsonObject;
        var merged = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (properties is not null)
        {
            foreach (var (name, value) in properties.ToList())
            {
                properties.Remove(name);
                merged[name] = value;
            }
        }
        merged["apiVersion"] = typeMeta.ApiVersion();
        merged["kind"] = typeMeta.Kind();
        merged["metadata"] = typeMeta.ObjectMeta();
        schema["properties"] = ToObject(merged);
        Sort(schema);
    }

    private void AddTypeMeta(JsonObject schema)
    {
        SetTypeMeta(schema);
        var required = schema["required"] as JsonArray ?? [];
        var names = required.Select(n => (string?)n).ToHashSet(StringComparer.Ordinal);
        foreach (var name in new[] { "kind", "apiVersion" })
        {
            if (!names.Contains(name))
            {
                required.Add(name);
            }
        }
        schema["required"] = required;
        Sort(schema);
    }

    private static void Generic(StructuralSchema node, SortedDictionary<string, JsonNode?> schema)
    {
        SetIf(schema, "type", node.Type);
        SetIf(schema, "title", node.Title);
        SetIf(schema, "description", node.Description);
        SetTrue(schema, "nullable", node.Nullable);
        SetCopy(schema, "default", node.Default);
    }

    private void ValueValidation(StructuralSchema node, SortedDictionary<string, JsonNode?> schema)
    {
        SetIf(schema, "format", node.Format);
        SetIf(schema, "pattern", node.Pattern);
        SetNumber(schema, "maximum", node.Maximum);
        SetNumber(schema, "minimum", node.Minimum);
        SetNumber(schema, "multipleOf", node.MultipleOf);
        SetInteger(schema, "maxLength", node.MaxLength);
        SetInteger(schema, "minLength", node.MinLength);
        SetInteger(schema, "maxItems", node.MaxItems);
        SetInteger(schema, "minItems", node.MinItems);
        SetInteger(schema, "maxProperties", node.MaxProperties);
        SetInteger(schema, "minProperties", node.MinProperties);
        SetTrue(schema, "exclusiveMaximum", node.ExclusiveMaximum);
        SetTrue(schema, "exclusiveMinimum", node.ExclusiveMinimum);
        SetTrue(schema, "uniqueItems", node.UniqueItems);
        SetCopy(schema, "enum", node.Enum);
        if (node.Required.Count > 0)
        {
            schema["required"] = new JsonArray([.. node.Required.Select(r => (JsonNode)r)]);
        }
        var anyOf = node.AnyOf.Select(Convert).ToList();
        var allOf = node.AllOf.Select(Convert).ToList();
        // unfold.go: int-or-string is published as anyOf integer/string, unless the schema
        // already spells that out (in anyOf, or first in allOf).
        if (node.XIntOrString && !IsIntOrString(node.AnyOf) && !(node.AllOf.Count > 0 && IsIntOrString(node.AllOf[0].AnyOf)))
        {
            if (anyOf.Count == 0)
            {
                anyOf = IntOrString();
            }
            else
            {
                allOf.Insert(0, new JsonObject { ["anyOf"] = new JsonArray([.. IntOrString()]) });
            }
        }
        SetList(schema, "allOf", allOf);
        SetList(schema, "anyOf", anyOf);
        SetList(schema, "oneOf", [.. node.OneOf.Select(Convert)]);
        if (node.Not is not null)
        {
            schema["not"] = Convert(node.Not);
        }
    }

    private static void Extensions(StructuralSchema node, SortedDictionary<string, JsonNode?> schema)
    {
        SetTrue(schema, "x-kubernetes-preserve-unknown-fields", node.XPreserveUnknownFields);
        SetTrue(schema, "x-kubernetes-embedded-resource", node.XEmbeddedResource);
        SetTrue(schema, "x-kubernetes-int-or-string", node.XIntOrString);
        if (node.XListMapKeys.Count > 0)
        {
            schema["x-kubernetes-list-map-keys"] = new JsonArray([.. node.XListMapKeys.Select(k => (JsonNode)k)]);
        }
        SetIf(schema, "x-kubernetes-list-type", node.XListType);
        SetIf(schema, "x-kubernetes-map-type", node.XMapType);
        if (node.XValidations is { Count: > 0 })
        {
            schema["x-kubernetes-validations"] = node.XValidations.DeepClone();
        }
    }

    private static bool IsIntOrString(IReadOnlyList<StructuralSchema> anyOf) =>
        anyOf.Count == 2 && anyOf[0].Type == "integer" && anyOf[1].Type == "string";

    private static List<JsonObject> IntOrString() => [new() { ["type"] = "integer" }, new() { ["type"] = "string" }];

    // Values of the CRD's own JSON: copied, as a node has one parent.
    private static void SetCopy(SortedDictionary<string, JsonNode?> schema, string key, JsonNode? value)
    {
        if (value is not null)
        {
            schema[key] = value.DeepClone();
        }
    }

    // Go's omitempty: a false flag is not written.
    private static void SetTrue(SortedDictionary<string, JsonNode?> schema, string key, bool value)
    {
        if (value)
        {
            schema[key] = true;
        }
    }

    private static void SetIf(SortedDictionary<string, JsonNode?> schema, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            schema[key] = value;
        }
    }

    private static void SetNumber(SortedDictionary<string, JsonNode?> schema, string key, double? value)
    {
        if (value is { } number)
        {
            // Whole numbers print without a fraction, as Go's float64 encoding does.
            schema[key] = number == Math.Floor(number) && Math.Abs(number) < 1e15 ? JsonValue.Create((long)number) : JsonValue.Create(number);
        }
    }

    private static void SetInteger(SortedDictionary<string, JsonNode?> schema, string key, long? value)
    {
        if (value is { } number)
        {
            schema[key] = number;
        }
    }

    private static void SetList(SortedDictionary<string, JsonNode?> schema, string key, List<JsonObject> items)
    {
        if (items.Count > 0)
        {
            schema[key] = new JsonArray([.. items]);
        }
    }

    private static JsonObject ToObject(SortedDictionary<string, JsonNode?> entries)
    {
        var result = new JsonObject();
        foreach (var (key, value) in entries)
        {
            result[key] = value;
        }
        return result;
    }

    /// <summary>Re-inserts the keys of <paramref name="schema"/> in order (after properties were set on it).</summary>
    private static void Sort(JsonObject schema)
    {
        var entries = schema.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        schema.Clear();
        foreach (var (key, value) in entries)
        {
            schema[key] = value;
        }
    }
}
