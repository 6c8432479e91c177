using System.Text;

namespace MiniKube.ApiServer.Objects;

/// <summary>One term of a field selector, unescaped: <c>field=value</c> (also <c>==</c>) or <c>field!=value</c>.</summary>
/// <param name="Field">The field label as written, e.g. spec.nodeName.</param>
/// <param name="Value">The unescaped value; "" matches an absent field.</param>
/// <param name="Negated">True for <c>!=</c>.</param>
public readonly record struct FieldTerm(string Field, string Value, bool Negated);

/// <summary>
/// The syntax of field selectors alone, as apimachinery pkg/fields/selector.go parses it: terms
/// joined by unescaped ',', sorted; the first <c>!=</c>, <c>==</c> or <c>=</c> splits a term;
/// values unescaped from <c>\\ \, \=</c>. Knows no resource: which field labels a resource supports
/// is <c>Selectors/FieldSelector</c>'s business; the authorizers read the bare terms
/// (authorizer.Attributes.GetFieldSelector). Bad syntax throws <see cref="InvalidSelectorException"/>
/// with upstream's message.
/// </summary>
public static class FieldSelectorSyntax
{
    private static readonly string[] Operators = ["!=", "==", "="];

    /// <summary>The terms of <paramref name="selector"/>, sorted as upstream sorts them; none for null or "".</summary>
    public static IReadOnlyList<FieldTerm> Parse(string? selector)
    {
        var terms = new List<FieldTerm>();
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
            terms.Add(new FieldTerm(field, UnescapeValue(rawValue), op == "!="));
        }
        return terms;
    }

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
