using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace MiniKube.ApiServer.Objects;

/// <summary>
/// A compiled JSONPath expression of the dialect Kubernetes uses for CRD printer columns,
/// selectable fields and scale paths (client-go util/jsonpath, the parser of
/// <c>kubectl get -o jsonpath</c>): <c>.a.b</c>, <c>['x.y']</c> and <c>["x"]</c>, <c>[0]</c>,
/// <c>[-1]</c>, slices <c>[1:3]</c>, wildcards <c>.*</c> and <c>[*]</c>, recursive descent
/// <c>..name</c>, unions <c>['a','b']</c> and <c>[0,2]</c>, and filters
/// <c>[?(@.type=="Ready")]</c> (==, !=, &lt;, &gt;, &lt;=, &gt;= against a string, number or
/// boolean, or <c>[?(@.x)]</c> for presence). Text around the expression is not supported:
/// one expression, optionally in braces and optionally starting with <c>$</c>. Parsed once,
/// immutable and safe to share; evaluation never throws for a shape mismatch: a missing key, an
/// index out of range or a field of a non-object yields no result, as with AllowMissingKeys.
/// </summary>
public sealed class JsonPath
{
    private readonly Step[] _steps;

    private JsonPath(string text, Step[] steps)
    {
        Text = text;
        _steps = steps;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>Compiles <paramref name="text"/>; throws <see cref="FormatException"/> with client-go's kind of message when it does not parse.</summary>
    public static JsonPath Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new JsonPath(text, new Parser(text).ParseAll());
    }

    /// <summary>Compiles <paramref name="text"/>, or gives the reason it does not parse.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out JsonPath? path, [NotNullWhen(false)] out string? error)
    {
        try
        {
            path = Parse(text);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            path = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Every value the path reaches, in document order; a JSON null found at the path is a null
    /// entry (unlike a missing key, which adds nothing).
    /// </summary>
    public IReadOnlyList<JsonNode?> Evaluate(JsonNode? root)
    {
        List<JsonNode?> current = [root];
        foreach (var step in _steps)
        {
            var next = new List<JsonNode?>();
            foreach (var node in current)
            {
                step.Apply(node, next);
            }
            current = next;
            if (current.Count == 0)
            {
                break;
            }
        }
        return current;
    }

    /// <summary>The first value the path reaches (client-go's results[0][0]), or false when it reaches none.</summary>
    public bool TryFirst(JsonNode? root, out JsonNode? value)
    {
        var results = Evaluate(root);
        value = results.Count > 0 ? results[0] : null;
        return results.Count > 0;
    }

    public override string ToString() => Text;

    private abstract class Step
    {
        public abstract void Apply(JsonNode? node, List<JsonNode?> results);
    }

    private sealed class FieldStep(string name) : Step
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            if (node is JsonObject map && map.TryGetPropertyValue(name, out var value))
            {
                results.Add(value);
            }
        }
    }

    /// <summary><c>.*</c> and <c>[*]</c>: every value of an object, every item of a list.</summary>
    private sealed class WildcardStep : Step
    {
        public static readonly WildcardStep Instance = new();

        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            switch (node)
            {
                case JsonObject map:
                    results.AddRange(map.Select(p => p.Value));
                    break;
                case JsonArray list:
                    results.AddRange(list);
                    break;
            }
        }
    }

    /// <summary><c>..</c>: the node and every node below it, depth first (evalRecursive); the next step picks from them.</summary>
    private sealed class RecursiveStep : Step
    {
        public static readonly RecursiveStep Instance = new();

        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            results.Add(node);
            switch (node)
            {
                case JsonObject map:
                    foreach (var (_, value) in map)
                    {
                        Apply(value, results);
                    }
                    break;
                case JsonArray list:
                    foreach (var item in list)
                    {
                        Apply(item, results);
                    }
                    break;
            }
        }
    }

    /// <summary><c>[i]</c> and <c>[start:end:step]</c> with Go slice bounds clamped to the list, negatives from the end.</summary>
    private sealed class SliceStep(int? start, int? end, int step, bool single) : Step
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            if (node is not JsonArray list)
            {
                return;
            }
            var count = list.Count;
            if (single)
            {
                var index = start!.Value < 0 ? start.Value + count : start.Value;
                if (index >= 0 && index < count)
                {
                    results.Add(list[index]);
                }
                return;
            }
            var from = Clamp(start ?? 0, count);
            var to = Clamp(end ?? count, count);
            for (var i = from; i < to; i += step)
            {
                results.Add(list[i]);
            }
        }

        private static int Clamp(int bound, int count) => Math.Clamp(bound < 0 ? bound + count : bound, 0, count);
    }

    private sealed class UnionStep(Step[] parts) : Step
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            foreach (var part in parts)
            {
                part.Apply(node, results);
            }
        }
    }

    /// <summary><c>[?(@.a.b OP literal)]</c> or <c>[?(@.a)]</c> over a list's items (or an object's values).</summary>
    private sealed class FilterStep(JsonPath left, string? op, JsonNode? literal) : Step
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            IEnumerable<JsonNode?> candidates = node switch
            {
                JsonArray list => list,
                JsonObject map => map.Select(p => p.Value),
                _ => [],
            };
            foreach (var item in candidates)
            {
                var found = left.Evaluate(item);
                if (found.Count == 0)
                {
                    continue;
                }
                if (op is null || Compare(found[0], op, literal))
                {
                    results.Add(item);
                }
            }
        }

        private static bool Compare(JsonNode? value, string op, JsonNode? literal)
        {
            int? order = (value, literal) switch
            {
                (JsonValue a, JsonValue b) when a.GetValueKind() == JsonValueKind.Number && b.GetValueKind() == JsonValueKind.Number =>
                    a.GetValue<double>().CompareTo(b.GetValue<double>()),
                (JsonValue a, JsonValue b) when a.GetValueKind() == JsonValueKind.String && b.GetValueKind() == JsonValueKind.String =>
                    string.CompareOrdinal(a.GetValue<string>(), b.GetValue<string>()),
                _ => null,
            };
            return op switch
            {
                "==" => order is { } o ? o == 0 : JsonNode.DeepEquals(value, literal),
                "!=" => order is { } o ? o != 0 : !JsonNode.DeepEquals(value, literal),
                "<" => order < 0,
                ">" => order > 0,
                "<=" => order <= 0,
                ">=" => order >= 0,
                _ => false,
            };
        }
    }

    private sealed class Parser(string text)
    {
        private readonly string _text = Unwrap(text);
        private int _at;

        public Step[] ParseAll()
        {
            var steps = ParseSteps(stopAtOperator: false);
            if (_at < _text.Length)
            {
                throw Error($"unrecognized character in action: {Quote(_text[_at])}");
            }
            return steps;
        }

        private static string Unwrap(string text)
        {
            var trimmed = text.Trim();
            if (trimmed.StartsWith('{'))
            {
                if (!trimmed.EndsWith('}'))
                {
                    throw new FormatException("unclosed action");
                }
                trimmed = trimmed[1..^1].Trim();
            }
            return trimmed;
        }

        private Step[] ParseSteps(bool stopAtOperator)
        {
            var steps = new List<Step>();
            if (Peek() is '$' or '@')
            {
                _at++;
            }
            while (_at < _text.Length)
            {
                var c = _text[_at];
                if (c == '.')
                {
                    if (Peek(1) == '.')
                    {
                        _at += 2;
                        steps.Add(RecursiveStep.Instance);
                        // "..name" and "..[0]": the name follows without a dot of its own.
                        if (Peek() is not '[' and not null)
                        {
                            steps.Add(FieldAt());
                        }
                        continue;
                    }
                    _at++;
                    steps.Add(FieldAt());
                }
                else if (c == '[')
                {
                    steps.Add(Bracket());
                }
                else if (stopAtOperator && (char.IsWhiteSpace(c) || c is '=' or '!' or '<' or '>' or ')'))
                {
                    break;
                }
                else
                {
                    throw Error($"unrecognized character in action: {Quote(c)}");
                }
            }
            return [.. steps];
        }

        private Step FieldAt()
        {
            var start = _at;
            while (_at < _text.Length && IsNameChar(_text[_at]))
            {
                _at++;
            }
            var name = _text[start.._at];
            return name switch
            {
                "" => throw Error("invalid field name: empty"),
                "*" => WildcardStep.Instance,
                _ => new FieldStep(name),
            };
        }

        // client-go reads a field name up to the next '.', '[' or the end; '*' is the wildcard.
        private static bool IsNameChar(char c) => c is not ('.' or '[' or ']' or ' ' or '\t' or ')' or '=' or '!' or '<' or '>' or ',' or '}' or '{');

        private Step Bracket()
        {
            var close = FindClose(_at);
            var inside = _text[(_at + 1)..close].Trim();
            _at = close + 1;
            if (inside.Length == 0)
            {
                throw Error("invalid array index: empty");
            }
            if (inside.StartsWith('?'))
            {
                return Filter(inside[1..].Trim());
            }
            if (inside == "*")
            {
                return WildcardStep.Instance;
            }
            var parts = SplitTopLevel(inside, ',');
            if (parts.Count > 1)
            {
                return new UnionStep([.. parts.Select(p => Single(p.Trim()))]);
            }
            return Single(inside);
        }

        private Step Single(string part)
        {
            if (part.Length >= 2 && part[0] is '\'' or '"')
            {
                if (part[^1] != part[0])
                {
                    throw Error($"unclosed quote in {part}");
                }
                return new FieldStep(Unescape(part[1..^1]));
            }
            if (part == "*")
            {
                return WildcardStep.Instance;
            }
            var bounds = part.Split(':');
            if (bounds.Length > 3)
            {
                throw Error($"invalid array index {part}");
            }
            var numbers = bounds.Select(b => b.Trim().Length == 0 ? (int?)null : Integer(b.Trim(), part)).ToArray();
            if (bounds.Length == 1)
            {
                return new SliceStep(numbers[0], null, 1, single: true);
            }
            var step = bounds.Length == 3 ? numbers[2] ?? 1 : 1;
            if (step <= 0)
            {
                throw Error($"invalid array index {part}: step must be positive");
            }
            return new SliceStep(numbers[0], numbers[1], step, single: false);
        }

        private int Integer(string text, string part) =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Error($"invalid array index {part}");

        private FilterStep Filter(string body)
        {
            if (body.Length < 2 || body[0] != '(' || body[^1] != ')')
            {
                throw Error($"unrecognized filter: {body}");
            }
            var inner = new Parser("{" + body[1..^1] + "}");
            if (inner.Peek() != '@')
            {
                throw Error($"unrecognized filter: {body}");
            }
            var left = new JsonPath(body, inner.ParseSteps(stopAtOperator: true));
            inner.SkipSpace();
            if (inner.Peek() is null)
            {
                return new FilterStep(left, null, null);
            }
            var op = inner.Operator() ?? throw Error($"unrecognized filter operator in {body}");
            inner.SkipSpace();
            var literal = inner.Literal(body);
            inner.SkipSpace();
            if (inner.Peek() is not null)
            {
                throw Error($"unrecognized filter: {body}");
            }
            return new FilterStep(left, op, literal);
        }

        private string? Operator()
        {
            foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
            {
                if (string.CompareOrdinal(_text, _at, op, 0, op.Length) == 0)
                {
                    _at += op.Length;
                    return op;
                }
            }
            return null;
        }

        private JsonValue Literal(string body)
        {
            var rest = _text[_at..].TrimEnd();
            _at = _text.Length;
            if (rest.Length >= 2 && rest[0] is '\'' or '"' && rest[^1] == rest[0])
            {
                return JsonValue.Create(Unescape(rest[1..^1]));
            }
            if (rest is "true" or "false")
            {
                return JsonValue.Create(rest == "true");
            }
            if (double.TryParse(rest, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return JsonValue.Create(number);
            }
            throw Error($"unrecognized filter value in {body}");
        }

        private int FindClose(int open)
        {
            char? quote = null;
            var depth = 0;
            for (var i = open; i < _text.Length; i++)
            {
                var c = _text[i];
                if (quote is not null)
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == quote)
                    {
                        quote = null;
                    }
                }
                else if (c is '\'' or '"')
                {
                    quote = c;
                }
                else if (c == '[')
                {
                    depth++;
                }
                else if (c == ']' && --depth == 0)
                {
                    return i;
                }
            }
            throw Error("unterminated array");
        }

        private static List<string> SplitTopLevel(string text, char separator)
        {
            var parts = new List<string>();
            char? quote = null;
            var start = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quote is not null)
                {
                    if (c == quote)
                    {
                        quote = null;
                    }
                }
                else if (c is '\'' or '"')
                {
                    quote = c;
                }
                else if (c == separator)
                {
                    parts.Add(text[start..i]);
                    start = i + 1;
                }
            }
            parts.Add(text[start..]);
            return parts;
        }

        private static string Unescape(string quoted)
        {
            if (!quoted.Contains('\\', StringComparison.Ordinal))
            {
                return quoted;
            }
            var builder = new StringBuilder(quoted.Length);
            for (var i = 0; i < quoted.Length; i++)
            {
                if (quoted[i] == '\\' && i + 1 < quoted.Length)
                {
                    i++;
                }
                builder.Append(quoted[i]);
            }
            return builder.ToString();
        }

        private char? Peek(int ahead = 0) => _at + ahead < _text.Length ? _text[_at + ahead] : null;

        private void SkipSpace()
        {
            while (_at < _text.Length && char.IsWhiteSpace(_text[_at]))
            {
                _at++;
            }
        }

        private static string Quote(char c) => "'" + c + "'";

        private FormatException Error(string message) => new($"{message} in {_text}");
    }
}
