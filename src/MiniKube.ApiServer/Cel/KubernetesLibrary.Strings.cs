using System.Text;
using CelNet = global::Cel;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// cel-go's strings extension (ext/strings.go, as Kubernetes enables it): indexes count code
/// points, not UTF-16 units, and <c>split</c>/<c>replace</c> follow Go's strings.SplitN and
/// strings.Replace. <c>size</c> is redefined here to return an int64 of code points.
/// </summary>
internal static partial class KubernetesLibrary
{
    private static void RegisterStrings(CelNet.CelEnvironment env)
    {
        Type[] s = [typeof(string)], ss = [typeof(string), typeof(string)], sss = [typeof(string), typeof(string), typeof(string)];
        Add(env, "size", s, a => (long)Runes(Str(a[0])).Length);
        Add(env, "size", [typeof(Google.Protobuf.ByteString)], a => (long)((Google.Protobuf.ByteString)a[0]!).Length);
        Add(env, "size", [typeof(System.Collections.IDictionary)], a => (long)((System.Collections.IDictionary)a[0]!).Count);
        Add(env, "size", [typeof(System.Collections.IList)], a => (long)List(a[0]).Count);
        Add(env, "charAt", [typeof(string), typeof(long)], a =>
        {
            var runes = Runes(Str(a[0]));
            var i = Int(a[1]);
            return i == runes.Length ? "" : i < 0 || i > runes.Length ? throw IndexOutOfRange(i) : runes[i];
        });
        Add(env, "indexOf", ss, a => IndexOf(Str(a[0]), Str(a[1]), 0));
        Add(env, "indexOf", [typeof(string), typeof(string), typeof(long)], a => IndexOf(Str(a[0]), Str(a[1]), Int(a[2])));
        Add(env, "lastIndexOf", ss, a => LastIndexOf(Str(a[0]), Str(a[1]), null));
        Add(env, "lastIndexOf", [typeof(string), typeof(string), typeof(long)], a => LastIndexOf(Str(a[0]), Str(a[1]), Int(a[2])));
        Add(env, "lowerAscii", s, a => MapAscii(Str(a[0]), char.ToLowerInvariant));
        Add(env, "upperAscii", s, a => MapAscii(Str(a[0]), char.ToUpperInvariant));
        Add(env, "replace", sss, a => Replace(Str(a[0]), Str(a[1]), Str(a[2]), -1));
        Add(env, "replace", [typeof(string), typeof(string), typeof(string), typeof(long)], a => Replace(Str(a[0]), Str(a[1]), Str(a[2]), Int(a[3])));
        Add(env, "split", ss, a => Split(Str(a[0]), Str(a[1]), -1));
        Add(env, "split", [typeof(string), typeof(string), typeof(long)], a => Split(Str(a[0]), Str(a[1]), Int(a[2])));
        Add(env, "substring", [typeof(string), typeof(long)], a => Substring(Str(a[0]), Int(a[1]), null));
        Add(env, "substring", [typeof(string), typeof(long), typeof(long)], a => Substring(Str(a[0]), Int(a[1]), Int(a[2])));
        Add(env, "trim", s, a => Str(a[0]).Trim());
        Add(env, "reverse", s, a => string.Concat(Runes(Str(a[0])).Reverse()));
        Add(env, "join", [typeof(System.Collections.IList)], a => Join(List(a[0]), ""));
        Add(env, "join", [typeof(System.Collections.IList), typeof(string)], a => Join(List(a[0]), Str(a[1])));
        AddNamespaced(env, "strings", "quote", s, a => GoStrings.Quote(Str(a[0])));
        Add(env, "format", [typeof(string), typeof(System.Collections.IList)], a => CelFormatString.Format(Str(a[0]), List(a[1])));
    }

    /// <summary>The string as code points (each an element), as cel-go indexes strings.</summary>
    private static string[] Runes(string value)
    {
        if (value.All(c => !char.IsSurrogate(c)))
        {
            var chars = new string[value.Length];
            for (var i = 0; i < value.Length; i++)
            {
                chars[i] = value[i].ToString();
            }
            return chars;
        }
        return value.EnumerateRunes().Select(r => r.ToString()).ToArray();
    }

    private static CelEvaluationException IndexOutOfRange(long index) =>
        new($"index out of range: {index.ToString(CultureInfo.InvariantCulture)}");

    private static long IndexOf(string text, string sub, long offset)
    {
        var runes = Runes(text);
        if (offset < 0 || offset > runes.Length)
        {
            throw IndexOutOfRange(offset);
        }
        var subRunes = Runes(sub);
        for (var i = offset; i + subRunes.Length <= runes.Length; i++)
        {
            if (runes.AsSpan((int)i, subRunes.Length).SequenceEqual(subRunes))
            {
                return i;
            }
        }
        return -1;
    }

    private static long LastIndexOf(string text, string sub, long? offset)
    {
        var runes = Runes(text);
        var start = offset ?? runes.Length;
        if (start < 0 || start > runes.Length)
        {
            throw IndexOutOfRange(start);
        }
        var subRunes = Runes(sub);
        for (var i = Math.Min(start, runes.Length - subRunes.Length); i >= 0; i--)
        {
            if (runes.AsSpan((int)i, subRunes.Length).SequenceEqual(subRunes))
            {
                return i;
            }
        }
        return -1;
    }

    private static string MapAscii(string value, Func<char, char> map) =>
        string.Create(value.Length, value, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsAscii(source[i]) ? map(source[i]) : source[i];
            }
        });

    // Go's strings.Replace: n < 0 replaces all; an empty old string matches before every code point.
    private static string Replace(string text, string old, string replacement, long n)
    {
        if (n == 0)
        {
            return text;
        }
        if (old.Length == 0)
        {
            var runes = Runes(text);
            var builder = new StringBuilder();
            var done = 0L;
            for (var i = 0; i <= runes.Length; i++)
            {
                if (n < 0 || done < n)
                {
                    builder.Append(replacement);
                    done++;
                }
                if (i < runes.Length)
                {
                    builder.Append(runes[i]);
                }
            }
            return builder.ToString();
        }
        if (n < 0)
        {
            return text.Replace(old, replacement, StringComparison.Ordinal);
        }
        var result = new StringBuilder();
        var position = 0;
        for (var count = 0L; count < n; count++)
        {
            var found = text.IndexOf(old, position, StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }
            result.Append(text, position, found - position).Append(replacement);
            position = found + old.Length;
        }
        return result.Append(text, position, text.Length - position).ToString();
    }

    // Go's strings.SplitN: n == 0 gives no parts, n < 0 all, an empty separator splits code points.
    private static object?[] Split(string text, string separator, long n)
    {
        if (n == 0)
        {
            return [];
        }
        if (separator.Length == 0)
        {
            var runes = Runes(text);
            if (n < 0 || n >= runes.Length)
            {
                return runes;
            }
            var head = runes[..(int)(n - 1)];
            return [.. head, string.Concat(runes[(int)(n - 1)..])];
        }
        var parts = n < 0 ? text.Split(separator) : text.Split(separator, (int)Math.Min(n, int.MaxValue));
        CelBudget.Charge(parts.Length);
        return parts;
    }

    private static string Substring(string text, long start, long? end)
    {
        var runes = Runes(text);
        var stop = end ?? runes.Length;
        if (start < 0 || start > runes.Length)
        {
            throw IndexOutOfRange(start);
        }
        if (stop < 0 || stop > runes.Length)
        {
            throw IndexOutOfRange(stop);
        }
        if (start > stop)
        {
            throw new CelEvaluationException($"invalid substring range. start: {start.ToString(CultureInfo.InvariantCulture)}, end: {stop.ToString(CultureInfo.InvariantCulture)}");
        }
        return string.Concat(runes[(int)start..(int)stop]);
    }

    private static string Join(System.Collections.IList list, string separator)
    {
        CelBudget.Charge(list.Count);
        return string.Join(separator, list.Cast<object?>().Select(v => v as string ?? throw new CelEvaluationException("no such overload")));
    }
}
