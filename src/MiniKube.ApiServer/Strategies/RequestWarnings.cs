namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Warnings raised during the request being served (a CRD's CEL rules that cannot be compiled,
/// admission webhooks' warnings), which the HTTP layer sends as Warning headers, as upstream's
/// warning recorder in the request context (warning.AddWarning). Begun once per request by the
/// HTTP layer; flows with the request's async calls. Null outside a request (tests, the server's
/// own writes), where warnings are dropped.
/// </summary>
public static class RequestWarnings
{
    private static readonly AsyncLocal<List<string>?> Ambient = new();

    /// <summary>
    /// The current request's warnings, or null outside a request. Code that may run in parallel
    /// with other work of the same request (webhooks are called in parallel) uses <see cref="Add"/>.
    /// </summary>
    public static List<string>? Current => Ambient.Value;

    /// <summary>Starts collecting for the current request and returns the list the HTTP layer reads (under its lock) when it answers.</summary>
    public static List<string> Begin()
    {
        var warnings = new List<string>();
        Ambient.Value = warnings;
        return warnings;
    }

    /// <summary>Adds one warning to the current request's answer; safe from parallel calls.</summary>
    public static void Add(string warning)
    {
        if (Ambient.Value is { } warnings)
        {
            lock (warnings)
            {
                warnings.Add(warning);
            }
        }
    }
}
