namespace MiniKube.ApiServer.Cel;

/// <summary>
/// A rule's <c>fieldPath</c> (a JSON path of field selections and <c>['key']</c> lookups,
/// relative to the rule's node) checked against the schema and turned into the text that is
/// appended to the error's field path, as apiextensions schema/cel validation.go ValidFieldPath does.
/// </summary>
internal static class RuleFieldPath
{
    /// <summary>The normalized path (e.g. <c>spec.labels[app]</c>), or an error saying why it does not fit the schema.</summary>
    public static (string? Path, string? Error) Normalize(string jsonPath, JsonObject schema)
    {
        var parts = new List<string>();
        var current = schema;
        var i = 0;
        while (i < jsonPath.Length)
        {
            string name;
            if (jsonPath[i] == '.')
            {
                var end = i + 1;
                while (end < jsonPath.Length && jsonPath[end] is not ('.' or '['))
                {
                    end++;
                }
                name = jsonPath[(i + 1)..end];
                if (name.Length == 0)
                {
                    return (null, "unexpected end of JSON path");
                }
                i = end;
            }
            else if (jsonPath[i] == '[')
            {
                if (Quoted(jsonPath, i + 1) is not { } quoted)
                {
                    return (null, "expected single quoted string");
                }
                name = quoted.Value;
                i = quoted.Next;
                if (i >= jsonPath.Length || jsonPath[i] != ']')
                {
                    return (null, "expected ]");
                }
                i++;
            }
            else
            {
                return (null, $"expected [ or . but got: {jsonPath[i..]}");
            }

            if (current["properties"] is JsonObject properties)
            {
                if (properties[name] is not JsonObject child)
                {
                    return (null, "does not refer to a valid field");
                }
                parts.Add(parts.Count == 0 ? name : "." + name);
                current = child;
            }
            else if (current["additionalProperties"] is JsonObject additional)
            {
                parts.Add($"[{name}]");
                current = additional;
            }
            else
            {
                return (null, "does not refer to a valid field");
            }
        }
        return (string.Concat(parts), null);
    }

    // A single-quoted string with backslash escapes, starting at the quote.
    private static (string Value, int Next)? Quoted(string text, int start)
    {
        if (start >= text.Length || text[start] != '\'')
        {
            return null;
        }
        var value = new System.Text.StringBuilder();
        for (var i = start + 1; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\'':
                    return (value.ToString(), i + 1);
                case '\\' when i + 1 < text.Length:
                    i++;
                    value.Append(text[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => text[i] });
                    break;
                default:
                    value.Append(text[i]);
                    break;
            }
        }
        return null;
    }
}
