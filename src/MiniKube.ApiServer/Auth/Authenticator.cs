using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MiniKube.ApiServer.Pki;
using MiniKube.ApiServer.ServiceAccounts;

namespace MiniKube.ApiServer.Auth;

/// <summary>
/// Authenticates a request as kube-apiserver does: a client certificate issued by the cluster
/// CA (CN is the user, each O a group), a bearer token from the server's static token table, or a
/// service-account token (<see cref="ServiceAccountTokenValidator"/>). Anything else is anonymous
/// and gets 401 outside the public paths.
/// </summary>
public sealed class Authenticator(ClusterPki pki, IReadOnlyDictionary<string, UserInfo> tokens)
{
    private const int MaxCachedCertificates = 4096;

    // Building an X509 chain costs more than serving a GET, and a client presents the same
    // certificate on every request: verified certificates are remembered by their SHA-256,
    // together with their expiry, which is checked on every use.
    private readonly ConcurrentDictionary<string, (UserInfo User, DateTime NotAfter)> _verified = new(StringComparer.Ordinal);

    /// <summary>Validates service-account JWTs; null accepts none.</summary>
    public ServiceAccountTokenValidator? ServiceAccounts { get; init; }

    public async Task<UserInfo?> AuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var certificate = await context.Connection.GetClientCertificateAsync(context.RequestAborted);
        if (certificate is not null && FromVerifiedCertificate(certificate) is { } user)
        {
            return user;
        }
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization["Bearer ".Length..].Trim();
            return Lookup(token) ?? (await AuthenticateTokenAsync(token, null, context.RequestAborted))?.User;
        }
        return null;
    }

    /// <summary>
    /// Authenticates a bare bearer token (what TokenReview asks): a static token, valid for the
    /// API audiences, or a service-account token valid for one of <paramref name="audiences"/>
    /// (the API audiences when null or empty). Returns the user and the audiences the token is
    /// good for, or null when no authenticator accepts it.
    /// </summary>
    public async Task<TokenAuthentication?> AuthenticateTokenAsync(string token, IReadOnlyList<string>? audiences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (Lookup(token) is { } user)
        {
            return new TokenAuthentication(user, audiences ?? []);
        }
        if (ServiceAccounts is null || await ServiceAccounts.ValidateAsync(token, audiences, cancellationToken) is not { } account)
        {
            return null;
        }
        return new TokenAuthentication(FromServiceAccount(account), account.Audiences);
    }

    // apiserver's ServiceAccountInfo.UserInfo: the account's name and groups, its uid, and the bound pod, node and token id as extras.
    private static UserInfo FromServiceAccount(ServiceAccountIdentity account)
    {
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        void Add(string key, string value)
        {
            if (value.Length > 0)
            {
                extra[key] = [value];
            }
        }
        Add("authentication.kubernetes.io/pod-name", account.PodName);
        Add("authentication.kubernetes.io/pod-uid", account.PodUid);
        Add("authentication.kubernetes.io/node-name", account.NodeName);
        Add("authentication.kubernetes.io/node-uid", account.NodeUid);
        Add("authentication.kubernetes.io/credential-id", account.CredentialId);
        return new UserInfo(
            ServiceAccountUser.Name(account.Namespace, account.Name),
            [ServiceAccountUser.AllGroup, ServiceAccountUser.NamespaceGroup(account.Namespace), UserInfo.AuthenticatedGroup])
        {
            Uid = account.Uid,
            Extra = extra,
        };
    }

    private UserInfo? FromVerifiedCertificate(X509Certificate2 certificate)
    {
        var hash = Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
        if (_verified.TryGetValue(hash, out var known) && DateTime.UtcNow < known.NotAfter)
        {
            return known.User;
        }
        if (!pki.IsClientCertificate(certificate))
        {
            return null;
        }
        if (_verified.Count >= MaxCachedCertificates)
        {
            _verified.Clear();
        }
        var user = FromCertificate(certificate);
        _verified[hash] = (user, certificate.NotAfter.ToUniversalTime());
        return user;
    }

    private UserInfo? Lookup(string token)
    {
        // Compare in constant time so response timing does not reveal a token's prefix.
        var presented = Encoding.UTF8.GetBytes(token);
        UserInfo? found = null;
        foreach (var (known, user) in tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(known)))
            {
                found = user;
            }
        }
        return found;
    }

    private static UserInfo FromCertificate(X509Certificate2 certificate)
    {
        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var groups = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == "2.5.4.10")
            .Select(rdn => rdn.GetSingleElementValue() ?? "")
            .ToList();
        groups.Add("system:authenticated");
        return new UserInfo(name, groups);
    }
}

/// <summary>A token's user and the audiences it was found valid for (TokenReview's status.audiences).</summary>
public sealed record TokenAuthentication(UserInfo User, IReadOnlyList<string> Audiences);
