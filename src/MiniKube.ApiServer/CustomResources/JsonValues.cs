using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// How the schema walkers see a JSON value: as Go sees it after apimachinery's JSON decoding, an
/// integer literal is an int64 and any other number a float64 (so <c>1.0</c> is a number, and
/// <c>integer</c> accepts it only because kube-openapi allows whole floats).
/// </summary>
internal static class JsonValues
{
    /// <summary>The kube-openapi type name of a value: object, array, string, integer, number, boolean, or null.</summary>
    public static string TypeName(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => AsLong(v) is not null ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    /// <summary>An integer literal as a long (what Go decodes to int64), else null.</summary>
    public static long? AsLong(JsonNode? value) => JsonFields.AsLong(value);

    /// <summary>Any JSON number as a double.</summary>
    public static double AsDouble(JsonNode value) =>
        double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    public static bool IsString(JsonNode? value, out string text)
    {
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            text = v.GetValue<string>();
            return true;
        }
        text = "";
        return false;
    }

    /// <summary>Deep equality with numbers compared by value (1 equals 1.0), as reflect.DeepEqual after Go's numeric conversion in enum checks.</summary>
    public static bool Equal(JsonNode? a, JsonNode? b)
    {
        switch (a)
        {
            case null:
                return b is null;
            case JsonObject objA:
                if (b is not JsonObject objB || objA.Count != objB.Count)
                {
                    return false;
                }
                foreach (var (key, value) in objA)
                {
                    if (!objB.TryGetPropertyValue(key, out var other) || !Equal(value, other))
                    {
                        return false;
                    }
                }
                return true;
            case JsonArray arrA:
                if (b is not JsonArray arrB || arrA.Count != arrB.Count)
                {
                    return false;
                }
                for (var i = 0; i < arrA.Count; i++)
                {
                    if (!Equal(arrA[i], arrB[i]))
                    {
                        return false;
                    }
                }
                return true;
            default:
                if (b is not JsonValue vb || a is not JsonValue va)
                {
                    return false;
                }
                var kindA = va.GetValueKind();
                var kindB = vb.GetValueKind();
                if (kindA == JsonValueKind.Number && kindB == JsonValueKind.Number)
                {
                    return AsLong(va) is { } la && AsLong(vb) is { } lb ? la == lb : AsDouble(va) == AsDouble(vb);
                }
                if (kindA != kindB)
                {
                    return false;
                }
                return kindA != JsonValueKind.String || va.GetValue<string>() == vb.GetValue<string>();
        }
    }

    /// <summary>
    /// A canonical text for equality checks of whole values (set items, list-map keys): Go's %#v,
    /// keys sorted, so equal values give equal text. Like upstream's json.Marshal of compound
    /// values, an integer and the same whole float compare equal.
    /// </summary>
    public static string Canonical(JsonNode? value) => GoSyntax.Interface(value);
}
