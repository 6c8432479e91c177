namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// The authenticated user of the request being served, for the few strategies that record it
/// (a CertificateSigningRequest's spec.username and groups, as upstream's csr strategy takes them
/// from the request context). Set once per request by the HTTP layer after authentication; flows
/// with the request's async calls. Null outside a request (tests, bootstrap writes).
/// </summary>
public static class RequestUser
{
    private static readonly AsyncLocal<Requester?> Ambient = new();

    public static Requester? Current
    {
        get => Ambient.Value;
        set => Ambient.Value = value;
    }
}

/// <summary>Who made a request: user name and groups, as authentication established them.</summary>
public sealed record Requester(string Name, IReadOnlyList<string> Groups);
