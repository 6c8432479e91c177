using System.Text.Json.Nodes;

namespace MiniKube.Addons.Gateway.Crds;

/// <summary>
/// A small vocabulary for writing structural OpenAPI v3 schemas (apiextensions.k8s.io/v1
/// <c>JSONSchemaProps</c>) as C# expressions. Every call returns a new node, so a shared piece
/// (a parent reference, a header filter) is a method called wherever it is used, never one
/// object hung under two parents. The modifiers change the node they are given and return it.
/// </summary>
internal static class Schema
{
    /// <summary>A string with optional length bounds and an RE2-compatible pattern.</summary>
    public static JsonObject String(int? minLength = null, int? maxLength = null, string? pattern = null)
    {
        var schema = new JsonObject { ["type"] = "string" };
        if (minLength is { } min)
        {
            schema["minLength"] = min;
        }
        if (maxLength is { } max)
        {
            schema["maxLength"] = max;
        }
        if (pattern is not null)
        {
            schema["pattern"] = pattern;
        }
        return schema;
    }

    /// <summary>A string restricted to <paramref name="values"/>.</summary>
    public static JsonObject Enum(params string[] values) =>
        new() { ["type"] = "string", ["enum"] = new JsonArray([.. values.Select(v => (JsonNode?)v)]) };

    /// <summary>A 32-bit integer (Go's int32) with optional bounds.</summary>
    public static JsonObject Int32(int? minimum = null, int? maximum = null)
    {
        var schema = new JsonObject { ["type"] = "integer", ["format"] = "int32" };
        if (minimum is { } min)
        {
            schema["minimum"] = min;
        }
        if (maximum is { } max)
        {
            schema["maximum"] = max;
        }
        return schema;
    }

    /// <summary>An object with these properties, in this order.</summary>
    public static JsonObject Object(params (string Name, JsonObject Schema)[] properties)
    {
        var props = new JsonObject();
        foreach (var (name, schema) in properties)
        {
            props[name] = schema;
        }
        return new JsonObject { ["type"] = "object", ["properties"] = props };
    }

    /// <summary>An array of <paramref name="items"/>, at most <paramref name="maxItems"/> long (upstream bounds every list, which also bounds CEL cost).</summary>
    public static JsonObject Array(JsonObject items, int maxItems) =>
        new() { ["type"] = "array", ["items"] = items, ["maxItems"] = maxItems };

    /// <summary>A map of string keys to <paramref name="values"/>, at most <paramref name="maxProperties"/> entries.</summary>
    public static JsonObject Map(JsonObject values, int maxProperties) =>
        new() { ["type"] = "object", ["additionalProperties"] = values, ["maxProperties"] = maxProperties };

    public static JsonObject Required(this JsonObject schema, params string[] names)
    {
        schema["required"] = new JsonArray([.. names.Select(n => (JsonNode?)n)]);
        return schema;
    }

    public static JsonObject Default(this JsonObject schema, JsonNode value)
    {
        schema["default"] = value;
        return schema;
    }

    public static JsonObject Doc(this JsonObject schema, string description)
    {
        schema["description"] = description;
        return schema;
    }

    public static JsonObject MinItems(this JsonObject schema, int minItems)
    {
        schema["minItems"] = minItems;
        return schema;
    }

    /// <summary>An x-kubernetes-validations CEL rule with the message a violation reports.</summary>
    public static JsonObject Rule(this JsonObject schema, string rule, string message)
    {
        if (schema["x-kubernetes-validations"] is not JsonArray rules)
        {
            schema["x-kubernetes-validations"] = rules = [];
        }
        rules.Add(new JsonObject { ["rule"] = rule, ["message"] = message });
        return schema;
    }

    /// <inheritdoc cref="Rule(JsonObject, string, string)"/>
    public static JsonObject Rule(this JsonObject schema, (string Rule, string Message) rule) => schema.Rule(rule.Rule, rule.Message);

    /// <summary>A list whose items are unique by <paramref name="keys"/> (a map list: apply merges by key).</summary>
    public static JsonObject MapList(this JsonObject schema, params string[] keys)
    {
        schema["x-kubernetes-list-type"] = "map";
        schema["x-kubernetes-list-map-keys"] = new JsonArray([.. keys.Select(k => (JsonNode?)k)]);
        return schema;
    }

    /// <summary>A list of unique scalars.</summary>
    public static JsonObject SetList(this JsonObject schema)
    {
        schema["x-kubernetes-list-type"] = "set";
        return schema;
    }

    /// <summary>A list replaced whole by apply.</summary>
    public static JsonObject AtomicList(this JsonObject schema)
    {
        schema["x-kubernetes-list-type"] = "atomic";
        return schema;
    }

    public static JsonObject Set(this JsonObject schema, string keyword, JsonNode value)
    {
        schema[keyword] = value;
        return schema;
    }
}
