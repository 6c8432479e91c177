namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Where code deep in a write (admission webhooks' and policies' warnings) adds Warning headers
/// to the response of the request being served, as upstream's warning.AddWarning(ctx, …) does.
/// The HTTP layer sets a sink once per request, before the response starts; outside a request
/// (tests, the server's own writes) warnings are dropped. Flows with the request's async calls.
/// </summary>
public static class RequestWarnings
{
    private static readonly AsyncLocal<Action<string>?> Sink = new();

    /// <summary>The current request's sink; null outside a request.</summary>
    public static Action<string>? Current
    {
        get => Sink.Value;
        set => Sink.Value = value;
    }

    /// <summary>Adds one warning to the current response, if there is one.</summary>
    public static void Add(string warning) => Sink.Value?.Invoke(warning);
}
