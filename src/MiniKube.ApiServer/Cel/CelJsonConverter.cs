namespace MiniKube.ApiServer.Cel;

/// <summary>
/// JSON → the values cel-net evaluates (CelMap, object?[] lists, long, double, string, bool,
/// null), following apiextensions-apiserver pkg/apiserver/schema/cel/model (UnstructuredToVal):
/// JSON integers are CEL int (int64), numbers with a fraction or exponent are double, and a
/// schema of type <c>number</c> makes integers doubles; <c>x-kubernetes-int-or-string</c> keeps
/// what was given. Declared property names are escaped as apiserver pkg/cel/escaping.go does
/// (<c>foo-bar</c> is <c>self.foo__dash__bar</c>, a reserved word <c>x</c> is <c>__x__</c>);
/// names that cannot be escaped are not visible. A resource root (and an embedded resource)
/// shows only apiVersion, kind and metadata.name/generateName (WithTypeAndObjectMeta).
/// One converter serves one object: it remembers what it converted, so rules at many depths
/// of the same object convert each subtree once, and it tracks the largest collection for the
/// cost guard. Not thread-safe.
/// </summary>
internal sealed class CelJsonConverter
{
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function",
        "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
    };

    private readonly Dictionary<JsonNode, object?> converted = new(ReferenceEqualityComparer.Instance);

    /// <summary>The largest list, map or string length seen so far.</summary>
    public int LargestCollection { get; private set; }

    /// <summary>Converts <paramref name="node"/> typed by <paramref name="schema"/> (null: by the JSON alone).</summary>
    public object? Convert(JsonNode? node, JsonObject? schema, bool resourceRoot = false)
    {
        if (node is null)
        {
            return null;
        }
        if (!resourceRoot && converted.TryGetValue(node, out var known))
        {
            return known;
        }
        var value = node switch
        {
            JsonObject obj => ConvertObject(obj, schema, resourceRoot || IsTrue(schema, "x-kubernetes-embedded-resource")),
            JsonArray array => ConvertArray(array, schema),
            JsonValue scalar => ConvertScalar(scalar, schema),
            _ => null,
        };
        if (!resourceRoot)
        {
            converted[node] = value;
        }
        return value;
    }

    private CelMap ConvertObject(JsonObject obj, JsonObject? schema, bool resource)
    {
        var properties = schema?["properties"] as JsonObject;
        var additional = schema?["additionalProperties"] as JsonObject;
        var map = new CelMap(obj.Count);
        foreach (var (key, child) in obj)
        {
            if (properties is not null && properties[key] is JsonObject propertySchema)
            {
                if (Escape(key) is not { } name)
                {
                    continue;
                }
                var value = resource && key == "metadata" && child is JsonObject meta ? ObjectMeta(meta) : Convert(child, propertySchema);
                map[name] = value;
            }
            else if (resource && key is "apiVersion" or "kind" or "metadata")
            {
                map[key] = key == "metadata" && child is JsonObject meta ? ObjectMeta(meta) : Convert(child, null);
            }
            else if (properties is null || additional is not null || IsTrue(schema, "x-kubernetes-preserve-unknown-fields"))
            {
                map[key] = Convert(child, additional);
            }
        }
        LargestCollection = Math.Max(LargestCollection, map.Count);
        return map;
    }

    // Only name and generateName of an object's metadata are visible to rules (model.WithTypeAndObjectMeta).
    private static CelMap ObjectMeta(JsonObject meta)
    {
        var map = new CelMap(2);
        foreach (var key in new[] { "name", "generateName" })
        {
            if (meta[key] is JsonValue value && value.TryGetValue<string>(out var text))
            {
                map[key] = text;
            }
        }
        return map;
    }

    private object?[] ConvertArray(JsonArray array, JsonObject? schema)
    {
        var items = schema?["items"] as JsonObject;
        var list = new object?[array.Count];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = Convert(array[i], items);
        }
        LargestCollection = Math.Max(LargestCollection, list.Length);
        return list;
    }

    private object? ConvertScalar(JsonValue scalar, JsonObject? schema)
    {
        switch (scalar.GetValueKind())
        {
            case JsonValueKind.String:
                var text = scalar.GetValue<string>();
                LargestCollection = Math.Max(LargestCollection, text.Length);
                return (string?)schema?["format"] is "date-time" && !IsTrue(schema, "x-kubernetes-int-or-string")
                    && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                    ? time
                    : text;
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number:
                return Number(scalar, isDouble: (string?)schema?["type"] == "number");
            default:
                return null;
        }
    }

    // Parsed JSON holds a JsonElement; values built in code (defaults, patches) hold CLR numbers.
    private static object Number(JsonValue scalar, bool isDouble)
    {
        if (scalar.TryGetValue<JsonElement>(out var element))
        {
            return !isDouble && element.TryGetInt64(out var integer) ? (object)integer : element.GetDouble();
        }
        var raw = scalar.GetValue<object>();
        // Arms typed object: a switch of long and double arms would make every result a double.
        return raw switch
        {
            double or float => (object)System.Convert.ToDouble(raw, CultureInfo.InvariantCulture),
            decimal d when isDouble || decimal.Truncate(d) != d || d < long.MinValue || d > long.MaxValue => (object)(double)d,
            ulong u when u > long.MaxValue => (object)(double)u,
            _ when isDouble => (object)System.Convert.ToDouble(raw, CultureInfo.InvariantCulture),
            _ => (object)System.Convert.ToInt64(raw, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>A property name as rules spell it, or null when it cannot be escaped (then rules cannot see it).</summary>
    public static string? Escape(string name)
    {
        if (Reserved.Contains(name))
        {
            return "__" + name + "__";
        }
        if (name.Length == 0 || !IsNameStart(name[0]) || !name.All(IsNameChar))
        {
            return null;
        }
        if (name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !name.Contains("__", StringComparison.Ordinal))
        {
            return name;
        }
        return name.Replace("__", "__underscores__", StringComparison.Ordinal)
            .Replace(".", "__dot__", StringComparison.Ordinal)
            .Replace("-", "__dash__", StringComparison.Ordinal)
            .Replace("/", "__slash__", StringComparison.Ordinal);
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c is '_' or '.' or '-' or '/';

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '/';

    private static bool IsTrue(JsonObject? schema, string key) =>
        schema?[key] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
}
