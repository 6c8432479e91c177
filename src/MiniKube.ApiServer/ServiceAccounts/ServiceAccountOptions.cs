namespace MiniKube.ApiServer.ServiceAccounts;

/// <summary>
/// kube-apiserver's service-account flags, with k3s' values as defaults: the issuer
/// (<c>--service-account-issuer</c>, https://kubernetes.default.svc.&lt;cluster domain&gt;), the API
/// audiences (<c>--api-audiences</c>, the issuer when unset), the key file
/// (<c>--service-account-key-file</c>, k3s' DATA_DIR/server/tls/service.key), the longest
/// lifetime a token may ask for (<c>--service-account-max-token-expiration</c>, none by
/// default) and whether kubelet tokens are extended to a year (<c>--service-account-extend-token-expiration</c>).
/// </summary>
public sealed class ServiceAccountOptions
{
    /// <summary>The issuer for <paramref name="clusterDomain"/>, as k3s sets it.</summary>
    public static string IssuerFor(string clusterDomain) => "https://kubernetes.default.svc." + clusterDomain;

    public string Issuer { get; init; } = IssuerFor("cluster.local");

    /// <summary>The audiences the API server accepts, and gives tokens that ask for none; empty means the issuer.</summary>
    public IReadOnlyList<string> ApiAudiences { get; init; } = [];

    /// <summary>Where this server keeps the signing key (0600); null keeps it in the store only.</summary>
    public string? KeyFile { get; init; }

    /// <summary>
    /// The server token's secret: the key set is sealed with it in the store (as k3s seals its
    /// bootstrap data), so the datastore never holds the signing key in the clear. Null stores it
    /// plain (tests, and servers without a token).
    /// </summary>
    public string? SealingSecret { get; init; }

    /// <summary>Requests for longer tokens are shortened to this (with a warning); null = no limit.</summary>
    public TimeSpan? MaxTokenExpiration { get; init; }

    public bool ExtendTokenExpiration { get; init; } = true;

    /// <summary>Whether pods are admitted by the ServiceAccount plugin (default SA, token volume).</summary>
    public bool Admission { get; init; } = true;

    /// <summary>The audiences in effect.</summary>
    public IReadOnlyList<string> Audiences => ApiAudiences.Count > 0 ? ApiAudiences : [Issuer];
}
