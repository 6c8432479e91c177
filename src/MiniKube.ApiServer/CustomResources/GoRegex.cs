using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// Compiles a schema's <c>pattern</c> the way CRDs need it: upstream uses Go's RE2 (linear time,
/// no backreferences or lookaround); .NET's <see cref="RegexOptions.NonBacktracking"/> engine
/// has the same guarantees and rejects the same constructs, so a pattern it cannot compile is a
/// CRD-time error rather than a slow request later. Go's named groups <c>(?P&lt;name&gt;…)</c>
/// are rewritten to .NET's <c>(?&lt;name&gt;…)</c>. Matching is unanchored, as Go's MatchString.
/// </summary>
internal static class GoRegex
{
    // Big CRDs repeat the same few patterns (DNS names, quantities) hundreds of times, and building
    // a NonBacktracking engine is the costly part: one instance per pattern text, shared (Regex is
    // thread-safe), made when a value is first matched. Checking a CRD keeps only the verdict per
    // text, so a CRD whose objects are never written holds no engines (each is tens of kilobytes).
    // Both bounded so that a stream of distinct patterns cannot grow them without end.
    private const int CacheLimit = 10_000;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> Verdicts = new(StringComparer.Ordinal);

    /// <summary>Why <paramref name="pattern"/> cannot compile, or null when it can; remembered per text.</summary>
    public static string? Check(string pattern)
    {
        if (Cache.ContainsKey(pattern))
        {
            return null;
        }
        if (Verdicts.TryGetValue(pattern, out var known))
        {
            return known;
        }
        Compile(pattern, out var error);
        if (Verdicts.Count < CacheLimit)
        {
            Verdicts.TryAdd(pattern, error);
        }
        return error;
    }

    /// <summary>The compiled pattern, or null with <paramref name="error"/> saying why.</summary>
    public static Regex? TryCompile(string pattern, out string? error)
    {
        error = null;
        if (Cache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }
        var regex = Compile(pattern, out error);
        if (regex is not null && Cache.Count < CacheLimit)
        {
            Cache.TryAdd(pattern, regex);
        }
        return regex;
    }

    private static Regex? Compile(string pattern, out string? error)
    {
        error = null;
        try
        {
            return new Regex(pattern.Replace("(?P<", "(?<", StringComparison.Ordinal),
                RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            // Construct not supported by a linear-time engine, or malformed syntax.
            error = "error parsing regexp: " + e.Message;
            return null;
        }
        catch (NotSupportedException e)
        {
            error = "error parsing regexp: " + e.Message;
            return null;
        }
    }
}
