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
    /// <summary>The compiled pattern, or null with <paramref name="error"/> saying why.</summary>
    public static Regex? TryCompile(string pattern, out string? error)
    {
        try
        {
            error = null;
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
