namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Warnings a strategy raises during the request being served (a CRD's CEL rules that cannot be
/// compiled), which the HTTP layer sends as Warning headers, as upstream's warning recorder in
/// the request context. Begun once per request by the HTTP layer; flows with the request's async
/// calls. Null outside a request (tests, internal writes), where warnings are dropped.
/// </summary>
public static class RequestWarnings
{
    private static readonly AsyncLocal<List<string>?> Ambient = new();

    /// <summary>The current request's warnings, or null outside a request.</summary>
    public static List<string>? Current => Ambient.Value;

    /// <summary>Starts collecting for the current request and returns the list the HTTP layer reads when it answers.</summary>
    public static List<string> Begin()
    {
        var warnings = new List<string>();
        Ambient.Value = warnings;
        return warnings;
    }
}
