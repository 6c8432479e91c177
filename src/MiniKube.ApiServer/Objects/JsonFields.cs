
namespace MiniKube.ApiServer.Objects;

/// <summary>
/// Typed reads and writes of JSON object fields. A JSON null counts as absent, as it does for
/// Go's omitempty fields; a value of the wrong JSON type also counts as absent, because
/// decoding (not admission) is where type mismatches are reported.
/// </summary>
internal static class JsonFields
{
    public static JsonObject? Obj(this JsonObject? o, string name) => o?[name] as JsonObject;

    public static JsonArray? Arr(this JsonObject? o, string name) => o?[name] as JsonArray;

    public static string? Str(this JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>The string, or "" when absent (Go's zero value).</summary>
    public static string StrOrEmpty(this JsonObject? o, string name) => o.Str(name) ?? "";

    public static long? Int(this JsonObject? o, string name) => AsLong(o?[name]);

    /// <summary>
    /// A JSON integer as a long. Reads the number's text, because a value built in code (an int) and
    /// one parsed from the wire (a JsonElement) do not convert alike; "1.0" is no integer, as in Go.
    /// </summary>
    public static long? AsLong(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            && long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    public static bool? Bool(this JsonObject? o, string name) => (o?[name] as JsonValue)?.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>True when the field is present and not null.</summary>
    public static bool Has(this JsonObject? o, string name) => o?[name] is not null;

    /// <summary>The objects of an array field, with their indexes; non-objects are skipped.</summary>
    public static IEnumerable<(int Index, JsonObject Item)> Items(this JsonObject? o, string name)
    {
        var array = o.Arr(name);
        if (array is null)
        {
            yield break;
        }
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonObject item)
            {
                yield return (i, item);
            }
        }
    }

    /// <summary>The entries of a string map, sorted by key so errors come out in a stable order.</summary>
    public static IEnumerable<(string Key, string Value)> StringMap(this JsonObject? o, string name)
    {
        var map = o.Obj(name);
        if (map is null)
        {
            return [];
        }
        return map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, ScalarText(p.Value)));
    }

    /// <summary>The text of a JSON scalar (strings unquoted); empty for null.</summary>
    public static string ScalarText(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    /// <summary>The object field, created empty when absent.</summary>
    public static JsonObject Ensure(this JsonObject o, string name)
    {
        if (o[name] is JsonObject existing)
        {
            return existing;
        }
        var created = new JsonObject();
        o[name] = created;
        return created;
    }

    /// <summary>Sets the field when it is absent or null; returns true when it did.</summary>
    public static bool Default(this JsonObject o, string name, JsonNode value)
    {
        if (o[name] is not null)
        {
            return false;
        }
        o[name] = value;
        return true;
    }

    /// <summary>Sets a string field when it is absent, null or "" (Go's zero value for strings).</summary>
    public static void DefaultString(this JsonObject o, string name, string value)
    {
        if (string.IsNullOrEmpty(o.Str(name)))
        {
            o[name] = value;
        }
    }

    /// <summary>Sets an integer field when it is absent, null or 0 (Go's zero value for non-pointer ints).</summary>
    public static void DefaultNonZero(this JsonObject o, string name, long value)
    {
        if (o.Int(name) is null or 0)
        {
            o[name] = value;
        }
    }
}
