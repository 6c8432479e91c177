using System.Collections;
using System.Text;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// The strings extension's <c>"...".format([args])</c> (cel-go ext/formatting.go): %s, %d, %f
/// and %e with an optional precision, %x/%X, %o, %b and %%. The %s rendering of lists and maps
/// follows cel-go (<c>[1, 2]</c>, <c>{"a": 1}</c> sorted by key).
/// </summary>
internal static class CelFormatString
{
    public static string Format(string template, IList args)
    {
        var output = new StringBuilder();
        var next = 0;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] != '%')
            {
                output.Append(template[i]);
                continue;
            }
            if (++i >= template.Length)
            {
                throw new CelEvaluationException("could not parse formatting clause: unexpected end of string");
            }
            if (template[i] == '%')
            {
                output.Append('%');
                continue;
            }
            int? precision = null;
            if (template[i] == '.')
            {
                var start = ++i;
                while (i < template.Length && char.IsAsciiDigit(template[i]))
                {
                    i++;
                }
                precision = int.Parse(template.AsSpan(start, i - start), CultureInfo.InvariantCulture);
                if (i >= template.Length)
                {
                    throw new CelEvaluationException("could not parse formatting clause: unexpected end of string");
                }
            }
            if (next >= args.Count)
            {
                throw new CelEvaluationException($"index {next.ToString(CultureInfo.InvariantCulture)} out of range");
            }
            output.Append(Clause(template[i], precision, args[next++]));
        }
        return output.ToString();
    }

    private static string Clause(char verb, int? precision, object? arg) => verb switch
    {
        's' => Text(arg),
        'd' => arg is long or int or ulong ? Convert.ToString(arg, CultureInfo.InvariantCulture)! : throw Unsupported("decimal", arg),
        'f' => arg is double or long or int ? Convert.ToDouble(arg, CultureInfo.InvariantCulture).ToString("F" + (precision ?? 6).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : throw Unsupported("fixed-point", arg),
        'e' => arg is double or long or int ? Convert.ToDouble(arg, CultureInfo.InvariantCulture).ToString((precision ?? 6) is var p ? "0." + new string('0', p) + "e+00" : "", CultureInfo.InvariantCulture) : throw Unsupported("scientific", arg),
        'x' or 'X' => Hex(arg, verb == 'X'),
        'o' => arg is long l ? Convert.ToString(l, 8) : throw Unsupported("octal", arg),
        'b' => arg is long b ? Convert.ToString(b, 2) : arg is bool flag ? (flag ? "1" : "0") : throw Unsupported("binary", arg),
        _ => throw new CelEvaluationException($"could not parse formatting clause: unrecognized formatting clause \"{verb}\""),
    };

    private static string Hex(object? arg, bool upper)
    {
        var text = arg switch
        {
            long l => l.ToString("x", CultureInfo.InvariantCulture),
            ulong u => u.ToString("x", CultureInfo.InvariantCulture),
            string s => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(s)),
            _ => throw Unsupported("hexadecimal", arg),
        };
        return upper ? text.ToUpperInvariant() : text;
    }

    private static CelEvaluationException Unsupported(string clause, object? arg) =>
        new($"error during formatting: {clause} clause can only be used on {(clause == "decimal" ? "integers" : "numbers")}, was given {arg?.GetType().Name ?? "null"}");

    /// <summary>The %s rendering of a CEL value.</summary>
    public static string Text(object? value) => value switch
    {
        null => "null",
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().OrderBy(k => Text(k), StringComparer.Ordinal)
            .Select(k => $"{Quoted(k)}: {Quoted(map[k])}")) + "}",
        IList list => "[" + string.Join(", ", list.Cast<object?>().Select(Quoted)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Quoted(object? value) => value is string s ? GoStrings.Quote(s) : Text(value);
}
