
namespace MiniKube.ApiServer.Selectors;

/// <summary>
/// Reads values out of wire-format objects by a path of property names, treating a missing
/// or null step as absent. Selectors and table printers read objects this way so that a
/// half-filled object (no status yet, no spec.nodeName) never throws.
/// </summary>
internal static class JsonFields
{
    public static JsonNode? Get(JsonNode? node, params ReadOnlySpan<string> path)
    {
        foreach (var name in path)
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(name, out node))
            {
                return null;
            }
        }

        return node;
    }

    public static JsonObject? Object(JsonNode? node, params ReadOnlySpan<string> path) => Get(node, path) as JsonObject;

    public static JsonArray? Array(JsonNode? node, params ReadOnlySpan<string> path) => Get(node, path) as JsonArray;

    /// <summary>The array's elements that are objects; empty when the array is absent.</summary>
    public static IEnumerable<JsonObject> Objects(JsonNode? node, params ReadOnlySpan<string> path) =>
        Array(node, path)?.OfType<JsonObject>() ?? [];

    /// <summary>Number of entries of an object or array; 0 when absent.</summary>
    public static int Count(JsonNode? node, params ReadOnlySpan<string> path) => Get(node, path) switch
    {
        JsonObject obj => obj.Count,
        JsonArray array => array.Count,
        _ => 0,
    };

    /// <summary>A string value, or a number or boolean rendered as text; null when absent.</summary>
    public static string? String(JsonNode? node, params ReadOnlySpan<string> path) => AsText(Get(node, path));

    /// <summary>A string value, or "" when absent: Go's zero value, which upstream code compares against.</summary>
    public static string Text(JsonNode? node, params ReadOnlySpan<string> path) => String(node, path) ?? "";

    public static long? Integer(JsonNode? node, params ReadOnlySpan<string> path)
    {
        if (Get(node, path) is not JsonValue value)
        {
            return null;
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.Number when value.TryGetValue(out long l) => l,
            JsonValueKind.Number when value.TryGetValue(out double d) => (long)d,
            JsonValueKind.String when long.TryParse(value.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
    }

    public static bool? Boolean(JsonNode? node, params ReadOnlySpan<string> path) => Get(node, path) is JsonValue value
        ? value.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        }
        : null;

    /// <summary>An RFC 3339 timestamp (metav1.Time or MicroTime); null when absent or unparsable.</summary>
    public static DateTimeOffset? Time(JsonNode? node, params ReadOnlySpan<string> path) =>
        String(node, path) is { Length: > 0 } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;

    /// <summary>A JSON object of string values (labels, annotations, selectors) as a dictionary.</summary>
    public static Dictionary<string, string> StringMap(JsonNode? node, params ReadOnlySpan<string> path)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Object(node, path) is { } obj)
        {
            foreach (var (key, value) in obj)
            {
                map[key] = AsText(value) ?? "";
            }
        }

        return map;
    }

    private static string? AsText(JsonNode? node) => node is JsonValue value
        ? value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        }
        : null;
}
