namespace MiniKube.Client.Credentials;

/// <summary>
/// When a service-account token is requested again: once 80 % of its lifetime has passed, and
/// at the latest a day after it was issued. The one rule of the kubelet's token manager
/// (pkg/kubelet/token token_manager.go requiresRefresh) and of the controller manager's
/// per-controller clients (controller-manager clientbuilder client_builder_dynamic.go, 20 % leeway).
/// </summary>
public static class TokenLifetimes
{
    /// <summary>The latest a token is kept, whatever its lifetime (the kubelet's maxTTL).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);

    /// <summary>The moment a token valid from <paramref name="issuedAt"/> to <paramref name="expiresAt"/> is due for renewal.</summary>
    public static DateTimeOffset RefreshAt(DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        var eighty = issuedAt + (expiresAt - issuedAt) * 0.8;
        var oldest = issuedAt + MaxAge;
        return eighty < oldest ? eighty : oldest;
    }
}
