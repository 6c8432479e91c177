using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using CelNet = global::Cel;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// <c>matches</c> (replacing cel-net's backtracking one) and Kubernetes' <c>find</c> and
/// <c>findAll</c> (apiserver pkg/cel/library/regex.go). Patterns compile with
/// <see cref="RegexOptions.NonBacktracking"/>: linear time like RE2, and like RE2 without
/// backreferences or lookaround (such a pattern is an evaluation error). Compiled patterns are
/// cached, since a rule's pattern is almost always a constant.
/// </summary>
internal static partial class KubernetesLibrary
{
    private const int RegexCacheLimit = 512;

    private static readonly ConcurrentDictionary<string, Regex> RegexCache = new(StringComparer.Ordinal);

    private static void RegisterRegex(CelNet.CelEnvironment env)
    {
        Add(env, "matches", [typeof(string), typeof(string)], a => Pattern(Str(a[1])).IsMatch(Str(a[0])));
        Add(env, "find", [typeof(string), typeof(string)], a => Pattern(Str(a[1])).Match(Str(a[0])) is { Success: true } m ? m.Value : "");
        Add(env, "findAll", [typeof(string), typeof(string)], a => FindAll(Str(a[0]), Str(a[1]), -1));
        Add(env, "findAll", [typeof(string), typeof(string), typeof(long)], a => FindAll(Str(a[0]), Str(a[1]), Int(a[2])));
    }

    private static object?[] FindAll(string text, string pattern, long limit)
    {
        if (limit == 0)
        {
            return [];
        }
        var found = new List<object?>();
        for (var m = Pattern(pattern).Match(text); m.Success && (limit < 0 || found.Count < limit); m = m.NextMatch())
        {
            CelBudget.Charge();
            found.Add(m.Value);
        }
        return found.ToArray();
    }

    /// <summary>The compiled pattern; an invalid or unsupported one is an evaluation error in cel-go's words.</summary>
    internal static Regex Pattern(string pattern)
    {
        if (RegexCache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }
        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new CelEvaluationException($"error parsing regexp: {e.Message}");
        }
        catch (NotSupportedException e)
        {
            throw new CelEvaluationException($"error parsing regexp: {e.Message}");
        }
        if (RegexCache.Count >= RegexCacheLimit)
        {
            RegexCache.Clear();
        }
        RegexCache[pattern] = regex;
        return regex;
    }
}
