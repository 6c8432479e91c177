using System.Text;

namespace MiniKube.ApiServer.Objects;

/// <summary>
/// Compact JSON with every object's keys in ordinal order, as Go's encoding/json writes a
/// decoded <c>map[string]interface{}</c> (jsonpath output of printer columns, the last-applied
/// annotation). How strings are escaped is the caller's: <see cref="AppendGoString"/> for
/// encoding/json's own escaping.
/// </summary>
internal static class SortedJson
{
    /// <summary>Appends <paramref name="node"/>; strings (values and keys) go through <paramref name="appendString"/>, other scalars as JSON.</summary>
    public static void Append(StringBuilder text, JsonNode? node, Action<StringBuilder, string> appendString)
    {
        switch (node)
        {
            case JsonObject map:
                text.Append('{');
                var first = true;
                foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(first ? "" : ",");
                    appendString(text, key);
                    text.Append(':');
                    Append(text, value, appendString);
                    first = false;
                }
                text.Append('}');
                break;
            case JsonArray list:
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    text.Append(i > 0 ? "," : "");
                    Append(text, list[i], appendString);
                }
                text.Append(']');
                break;
            case null:
                text.Append("null");
                break;
            case JsonValue scalar when scalar.GetValueKind() == JsonValueKind.String:
                appendString(text, scalar.GetValue<string>());
                break;
            default:
                text.Append(node.ToJsonString());
                break;
        }
    }

    /// <summary>A JSON string as Go's encoding/json writes it: HTML characters and line separators escaped, lower-case hex.</summary>
    public static void AppendGoString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                < ' ' or '<' or '>' or '&' or '\u2028' or '\u2029' => text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => text.Append(c),
            };
        }
        text.Append('"');
    }
}
