using System.Text;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Selectors;

/// <summary>One term of a field selector: <c>field=value</c> (also written <c>==</c>) or <c>field!=value</c>.</summary>
/// <param name="Field">The field label, e.g. spec.nodeName.</param>
/// <param name="Value">The unescaped value; "" matches an absent field.</param>
/// <param name="Negated">True for <c>!=</c>.</param>
public sealed record FieldRequirement(string Field, string Value, bool Negated)
{
    /// <summary>The escaped selector form, as apimachinery's hasTerm/notHasTerm print it.</summary>
    public override string ToString() => $"{Field}{(Negated ? "!=" : "=")}{FieldSelector.EscapeValue(Value)}";
}

/// <summary>
/// A parsed field selector bound to one resource: terms joined by ',' that must all hold,
/// parsed as apimachinery pkg/fields/selector.go does (terms sorted, the first <c>!=</c>, <c>==</c>
/// or <c>=</c> splits a term, values unescaped from <c>\\ \, \=</c>) and checked against the
/// labels the resource supports (<see cref="SelectableFields"/>). A field the object lacks reads
/// as "", so <c>spec.nodeName=</c> selects unscheduled pods. Immutable.
/// </summary>
public sealed class FieldSelector
{
    private static readonly string[] Operators = ["!=", "==", "="];

    private readonly SelectableFields _fields;

    private FieldSelector(IReadOnlyList<FieldRequirement> requirements, SelectableFields fields)
    {
        Requirements = requirements;
        _fields = fields;
    }

    public IReadOnlyList<FieldRequirement> Requirements { get; }

    /// <summary>True when the selector does not restrict anything.</summary>
    public bool IsEverything => Requirements.Count == 0;

    /// <summary>
    /// Parses the <c>fieldSelector</c> query parameter for a resource; null or empty selects
    /// everything. Throws <see cref="InvalidSelectorException"/> with kube-apiserver's message
    /// for bad syntax or an unsupported field (e.g. <c>field label not supported: spec.foo</c>).
    /// </summary>
    public static FieldSelector Parse(string? selector, ResourceType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var fields = SelectableFields.For(type);
        var requirements = new List<FieldRequirement>();
        foreach (var term in SplitTerms(selector ?? "").Order(StringComparer.Ordinal))
        {
            if (term.Length == 0)
            {
                continue;
            }

            if (!TrySplitTerm(term, out var field, out var op, out var rawValue))
            {
                throw new InvalidSelectorException($"invalid selector: '{selector}'; can't understand '{term}'");
            }

            requirements.Add(new FieldRequirement(field, UnescapeValue(rawValue), op == "!="));
        }

        // Syntax first, then field labels, the order upstream's parse-then-transform gives.
        var resolved = requirements.Select(r => r with { Field = fields.Resolve(r.Field) }).ToArray();
        return new FieldSelector(resolved, fields);
    }

    /// <summary>Whether the object satisfies every term.</summary>
    public bool Matches(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Requirements.All(r => string.Equals(_fields.Read(r.Field, obj), r.Value, StringComparison.Ordinal) != r.Negated);
    }

    /// <summary>
    /// The value a field must equal for anything to match (fields.Selector.RequiresExactMatch),
    /// e.g. metadata.name for a single-object watch; false when the selector leaves it open.
    /// </summary>
    public bool TryGetRequiredValue(string field, out string value)
    {
        foreach (var requirement in Requirements)
        {
            if (requirement.Field == field && !requirement.Negated)
            {
                value = requirement.Value;
                return true;
            }
        }

        value = "";
        return false;
    }

    /// <summary>The canonical selector string, terms sorted and values escaped.</summary>
    public override string ToString() => string.Join(",", Requirements);

    /// <summary>Escapes <c>\</c>, <c>,</c> and <c>=</c> in a value (fields.EscapeValue).</summary>
    public static string EscapeValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace(",", "\\,", StringComparison.Ordinal)
            .Replace("=", "\\=", StringComparison.Ordinal);
    }

    // Splits on commas that are not backslash-escaped; escapes stay in the terms.
    private static List<string> SplitTerms(string selector)
    {
        var terms = new List<string>();
        if (selector.Length == 0)
        {
            return terms;
        }

        var start = 0;
        var escaped = false;
        for (var i = 0; i < selector.Length; i++)
        {
            if (escaped)
            {
                escaped = false;
            }
            else if (selector[i] == '\\')
            {
                escaped = true;
            }
            else if (selector[i] == ',')
            {
                terms.Add(selector[start..i]);
                start = i + 1;
            }
        }

        terms.Add(selector[start..]);
        return terms;
    }

    // The field part has no escaping: the first operator found, scanning left to right, splits the term.
    private static bool TrySplitTerm(string term, out string field, out string op, out string value)
    {
        for (var i = 0; i < term.Length; i++)
        {
            foreach (var candidate in Operators)
            {
                if (string.CompareOrdinal(term, i, candidate, 0, candidate.Length) == 0)
                {
                    field = term[..i];
                    op = candidate;
                    value = term[(i + candidate.Length)..];
                    return true;
                }
            }
        }

        field = op = value = "";
        return false;
    }

    private static string UnescapeValue(string raw)
    {
        if (raw.AsSpan().IndexOfAny('\\', ',', '=') < 0)
        {
            return raw;
        }

        var builder = new StringBuilder(raw.Length);
        var escaped = false;
        foreach (var c in raw)
        {
            if (escaped)
            {
                if (c is not ('\\' or ',' or '='))
                {
                    throw new InvalidSelectorException($"invalid field selector: invalid escape sequence: \\{c}");
                }

                builder.Append(c);
                escaped = false;
            }
            else if (c == '\\')
            {
                escaped = true;
            }
            else if (c is ',' or '=')
            {
                // Go prints the rune with %v, i.e. as its code point.
                throw new InvalidSelectorException($"invalid field selector: unescaped character in value: {(int)c}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return escaped ? throw new InvalidSelectorException("invalid field selector: invalid escape sequence: \\") : builder.ToString();
    }
}
