using System.Text;
using System.Text.Encodings.Web;

namespace MiniKube.ApiServer.ManagedFields;

/// <summary>What a <see cref="PathElement"/> selects, in structured-merge-diff's sort order.</summary>
public enum PathElementKind
{
    /// <summary>A struct field or map key: <c>f:name</c>.</summary>
    Field,
    /// <summary>An associative list item by its keys: <c>k:{"name":"web"}</c>.</summary>
    Key,
    /// <summary>A set list item by value: <c>v:"x"</c>.</summary>
    Value,
    /// <summary>A list item by position: <c>i:3</c> (never written for the built-in kinds).</summary>
    Index,
}

/// <summary>
/// One step of a field path (structured-merge-diff fieldpath/element.go). Identity is the
/// FieldsV1 key text (<c>f:…</c>, <c>k:…</c> with key fields sorted by name, <c>v:…</c>, <c>i:…</c>),
/// built once, so elements hash and compare without re-serializing. <see cref="Value"/> keeps
/// the parsed key object or set value for ordering and for finding the item in a list.
/// Build elements with the factories (<see cref="Field"/>, <see cref="Key"/>, <see cref="SetValue"/>,
/// <see cref="At"/>, <see cref="Parse"/>), which keep the text and the parts in agreement.
/// </summary>
public readonly struct PathElement(PathElementKind kind, string text, string? name, JsonNode? value, int index) : IEquatable<PathElement>, IComparable<PathElement>
{
    public PathElementKind Kind { get; } = kind;

    /// <summary>The FieldsV1 key, e.g. <c>f:spec</c>.</summary>
    public string Text { get; } = text;

    /// <summary>The field name of a <see cref="PathElementKind.Field"/>.</summary>
    public string? Name { get; } = name;

    /// <summary>The key fields (a JsonObject, sorted) or the set value. Shared: never mutate.</summary>
    public JsonNode? Value { get; } = value;

    public int Index { get; } = index;

    // Field elements repeat in every object of a kind: their texts are kept, up to a bound so
    // that arbitrary map keys (labels, data) cannot grow the cache without end.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, PathElement> Fields = new(StringComparer.Ordinal);
    private const int MaxCachedFields = 20_000;

    public static PathElement Field(string name)
    {
        if (Fields.TryGetValue(name, out var cached))
        {
            return cached;
        }
        var element = new PathElement(PathElementKind.Field, "f:" + name, name, null, 0);
        if (Fields.Count < MaxCachedFields)
        {
            Fields.TryAdd(name, element);
        }
        return element;
    }

    /// <summary>A key element from the key fields of a list item (sorted here, as upstream).</summary>
    public static PathElement Key(IReadOnlyList<KeyValuePair<string, JsonNode?>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var ordered = fields.Count == 1 ? fields : fields.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        var sorted = new JsonObject();
        var text = new StringBuilder("k:{");
        foreach (var (name, value) in ordered)
        {
            text.Append(sorted.Count > 0 ? "," : "");
            JsonText.Append(text, name);
            text.Append(':');
            JsonText.Append(text, value);
            sorted[name] = value?.DeepClone();
        }
        return new(PathElementKind.Key, text.Append('}').ToString(), null, sorted, 0);
    }

    public static PathElement SetValue(JsonNode? value)
    {
        var copy = value?.DeepClone();
        return new(PathElementKind.Value, "v:" + JsonText.Compact(copy), null, copy, 0);
    }

    public static PathElement At(int index) => new(PathElementKind.Index, "i:" + index.ToString(CultureInfo.InvariantCulture), null, null, index);

    /// <summary>Reads a FieldsV1 key (fieldpath/serialize-pe.go DeserializePathElement).</summary>
    /// <exception cref="FormatException">The key is not one upstream could have written.</exception>
    public static PathElement Parse(string text)
    {
        if (text.Length < 2 || text[1] != ':')
        {
            throw new FormatException($"invalid path element \"{text}\"");
        }
        var rest = text[2..];
        switch (text[0])
        {
            case 'f':
                return Field(rest);

            case 'v':
                return SetValue(ParseJson(rest));
            case 'k':
                if (ParseJson(rest) is not JsonObject fields)
                {
                    throw new FormatException($"invalid key \"{text}\"");
                }
                return Key(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)).ToList());
            case 'i':
                return int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    ? At(index)
                    : throw new FormatException($"invalid index \"{text}\"");
            default:
                throw new FormatException("unknown path element type");
        }
    }

    private static JsonNode? ParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>The element as paths print in conflicts: <c>.name</c>, <c>[name="web"]</c>, <c>[=x]</c>, <c>[3]</c>.</summary>
    public override string ToString() => Kind switch
    {
        PathElementKind.Field => "." + Name,
        PathElementKind.Key => "[" + string.Join(",", ((JsonObject)Value!).Select(f => f.Key + "=" + JsonText.Printed(f.Value))) + "]",
        PathElementKind.Value => "[=" + JsonText.Printed(Value) + "]",
        _ => "[" + Index.ToString(CultureInfo.InvariantCulture) + "]",
    };

    public bool Equals(PathElement other) => Text == other.Text;

    public override bool Equals(object? obj) => obj is PathElement other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    /// <summary>fieldpath's PathElement.Compare: by kind, then name, key fields, value or index.</summary>
    public int CompareTo(PathElement other)
    {
        if (Kind != other.Kind)
        {
            return Kind.CompareTo(other.Kind);
        }
        return Kind switch
        {
            PathElementKind.Field => string.CompareOrdinal(Name, other.Name),
            PathElementKind.Key => JsonOrder.CompareFields((JsonObject)Value!, (JsonObject)other.Value!),
            PathElementKind.Value => JsonOrder.Compare(Value, other.Value),
            _ => Index.CompareTo(other.Index),
        };
    }

    public static bool operator ==(PathElement left, PathElement right) => left.Equals(right);

    public static bool operator !=(PathElement left, PathElement right) => !left.Equals(right);

    public static bool operator <(PathElement left, PathElement right) => left.CompareTo(right) < 0;

    public static bool operator >(PathElement left, PathElement right) => left.CompareTo(right) > 0;

    public static bool operator <=(PathElement left, PathElement right) => left.CompareTo(right) <= 0;

    public static bool operator >=(PathElement left, PathElement right) => left.CompareTo(right) >= 0;

    /// <summary>A whole path as conflicts print it, e.g. <c>.spec.containers[name="web"].image</c>.</summary>
    public static string Print(IEnumerable<PathElement> path)
    {
        var text = new StringBuilder();
        foreach (var element in path)
        {
            text.Append(element.ToString());
        }
        return text.ToString();
    }
}

/// <summary>JSON text of values inside field paths.</summary>
internal static class JsonText
{
    // Go's encoder leaves non-ASCII alone, as the relaxed encoder does.
    internal static readonly JsonSerializerOptions Options = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Compact(JsonNode? value) => value is null ? "null" : value.ToJsonString(Options);

    /// <summary>Appends compact JSON; strings, what keys are mostly made of, without a JSON writer.</summary>
    public static void Append(StringBuilder text, JsonNode? value)
    {
        if (value is JsonValue scalar && scalar.GetValueKind() == JsonValueKind.String && scalar.TryGetValue<string>(out var s))
        {
            Append(text, s);
            return;
        }
        text.Append(Compact(value));
    }

    public static void Append(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            if (c < ' ' || c == '"' || c == '\\')
            {
                text.Append(Compact(JsonValue.Create(value)));
                return;
            }
        }
        text.Append('"').Append(value).Append('"');
    }

    /// <summary>structured-merge-diff's value.ToString: strings quoted as Go's %q, the rest as JSON.</summary>
    public static string Printed(JsonNode? value) => Compact(value);
}

/// <summary>
/// The total order of JSON values of structured-merge-diff's value.Compare: numbers, then
/// strings, booleans, lists, maps and null last.
/// </summary>
internal static class JsonOrder
{
    public static int Compare(JsonNode? left, JsonNode? right)
    {
        var (l, r) = (Rank(left), Rank(right));
        if (l != r)
        {
            return l.CompareTo(r);
        }
        return l switch
        {
            0 => left!.GetValue<double>().CompareTo(right!.GetValue<double>()),
            1 => string.CompareOrdinal(left!.GetValue<string>(), right!.GetValue<string>()),
            2 => left!.GetValue<bool>().CompareTo(right!.GetValue<bool>()),
            3 => CompareLists((JsonArray)left!, (JsonArray)right!),
            4 => CompareFields(Sorted((JsonObject)left!), Sorted((JsonObject)right!)),
            _ => 0,
        };
    }

    /// <summary>value.FieldList.Compare over fields already sorted by name.</summary>
    public static int CompareFields(JsonObject left, JsonObject right)
    {
        using var l = left.GetEnumerator();
        using var r = right.GetEnumerator();
        while (true)
        {
            var (hasLeft, hasRight) = (l.MoveNext(), r.MoveNext());
            if (!hasLeft || !hasRight)
            {
                return hasLeft.CompareTo(hasRight);
            }
            var c = string.CompareOrdinal(l.Current.Key, r.Current.Key);
            if (c == 0)
            {
                c = Compare(l.Current.Value, r.Current.Value);
            }
            if (c != 0)
            {
                return c;
            }
        }
    }

    private static int CompareLists(JsonArray left, JsonArray right)
    {
        for (var i = 0; i < Math.Min(left.Count, right.Count); i++)
        {
            var c = Compare(left[i], right[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return left.Count.CompareTo(right.Count);
    }

    private static JsonObject Sorted(JsonObject map)
    {
        var sorted = new JsonObject();
        foreach (var (key, value) in map.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            sorted[key] = value?.DeepClone();
        }
        return sorted;
    }

    private static int Rank(JsonNode? value) => value switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => 0,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => 1,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => 2,
        JsonArray => 3,
        JsonObject => 4,
        _ => 5,
    };
}
