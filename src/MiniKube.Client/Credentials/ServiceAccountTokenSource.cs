using System.Net.Http.Headers;
using k8s;
using k8s.Authentication;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace MiniKube.Client.Credentials;

/// <summary>
/// The bearer token of one service account, for a component's own client (kube-controller-manager's
/// --use-service-account-credentials; controller-manager clientbuilder client_builder_dynamic.go):
/// the <paramref name="requester"/> (the controller manager's own identity) makes the account
/// when it is missing and asks TokenRequest for a token of <see cref="ExpirationSeconds"/>,
/// which is kept and asked for again once <see cref="TokenLifetimes.RefreshAt"/> says so. A
/// client whose configuration carries this as its token provider asks it before every request,
/// so a long watch keeps the token it opened with while new requests get the fresh one.
/// Concurrent callers share one request; a failure reaches the caller (the controller retries).
/// </summary>
public sealed partial class ServiceAccountTokenSource(IKubernetes requester, string serviceAccountNamespace, string serviceAccountName, TimeProvider time, ILogger logger) : ITokenProvider, IDisposable
{
    /// <summary>The lifetime asked for, as upstream's client builder (defaultExpirationSeconds).</summary>
    public const long ExpirationSeconds = 3600;

    // Upstream pins a token that seems to expire sooner (clock skew) to the API's minimum lifetime.
    private static readonly TimeSpan MinimumLifetime = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim _requesting = new(1, 1);
    private volatile Issued? _current;

    /// <summary>The account's user name as the API server sees it.</summary>
    public string UserName => $"system:serviceaccount:{serviceAccountNamespace}:{serviceAccountName}";

    /// <inheritdoc/>
    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken) =>
        new("Bearer", await TokenAsync(cancellationToken));

    /// <summary>A token valid now: the kept one, or a new one when it is due.</summary>
    public async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && time.GetUtcNow() < current.RefreshAt)
        {
            return current.Token;
        }
        await _requesting.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } fresh && time.GetUtcNow() < fresh.RefreshAt)
            {
                return fresh.Token;
            }
            _current = await RequestAsync(cancellationToken);
            return _current.Token;
        }
        finally
        {
            _requesting.Release();
        }
    }

    /// <summary>
    /// Drops the kept token, so the next request asks for a new one: what a client does when the
    /// API server answers 401 (client-go's ResettableTokenSource), say for an account deleted
    /// and made again, whose old tokens name a uid that is gone.
    /// </summary>
    public void Reset() => _current = null;

    public void Dispose() => _requesting.Dispose();

    private async Task<Issued> RequestAsync(CancellationToken cancellationToken)
    {
        await EnsureServiceAccountAsync(cancellationToken);
        var request = new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { Audiences = [], ExpirationSeconds = ExpirationSeconds } };
        var reply = await requester.CoreV1.CreateNamespacedServiceAccountTokenAsync(request, serviceAccountName, serviceAccountNamespace, cancellationToken: cancellationToken);
        if (string.IsNullOrEmpty(reply.Status?.Token) || reply.Status.ExpirationTimestamp is not { } expires)
        {
            throw new InvalidOperationException($"the API server issued no token for service account {serviceAccountNamespace}/{serviceAccountName}");
        }
        var now = time.GetUtcNow();
        var expiry = new DateTimeOffset(DateTime.SpecifyKind(expires.ToUniversalTime(), DateTimeKind.Utc));
        if (expiry - now < MinimumLifetime)
        {
            expiry = now + MinimumLifetime;
        }
        var refreshAt = TokenLifetimes.RefreshAt(now, expiry);
        LogIssued(logger, serviceAccountNamespace, serviceAccountName, refreshAt);
        return new Issued(reply.Status.Token, refreshAt);
    }

    // getOrCreateServiceAccount: the account of a controller exists before its first token.
    private async Task EnsureServiceAccountAsync(CancellationToken cancellationToken)
    {
        try
        {
            await requester.CoreV1.ReadNamespacedServiceAccountAsync(serviceAccountName, serviceAccountNamespace, cancellationToken: cancellationToken);
            return;
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
            // Made below.
        }
        try
        {
            await requester.CoreV1.CreateNamespacedServiceAccountAsync(
                new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = serviceAccountName, NamespaceProperty = serviceAccountNamespace } },
                serviceAccountNamespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsConflict(e))
        {
            // Another server's controller manager made it first.
        }
    }

    private sealed record Issued(string Token, DateTimeOffset RefreshAt);

    [LoggerMessage(EventId = LogEvents.Client + 600, Level = LogLevel.Debug, Message = "Token for service account {Namespace}/{Name} issued; asked for again at {RefreshAt}")]
    private static partial void LogIssued(ILogger logger, string @namespace, string name, DateTimeOffset refreshAt);
}
