using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiniKube.ApiServer.Pki;

namespace MiniKube.ApiServer.Auth;

/// <summary>
/// Authenticates a request as kube-apiserver does: a client certificate issued by the cluster
/// CA (CN is the user, each O a group), or a bearer token one of the <see cref="ITokenAuthenticator"/>s
/// recognises (the static token table first). Anything else is anonymous and gets 401 outside
/// the public paths. <see cref="AuthenticateTokenAsync"/> is the bare-token entry TokenReview uses.
/// </summary>
public sealed class Authenticator
{
    /// <summary>The API server's audiences when none are configured: the service-account issuer's, as k3s and kube-apiserver default them.</summary>
    public static readonly IReadOnlyList<string> DefaultApiAudiences = ["https://kubernetes.default.svc.cluster.local"];

    private const int MaxCachedCertificates = 4096;

    private readonly ClusterPki _pki;
    private readonly IReadOnlyList<ITokenAuthenticator> _tokenAuthenticators;

    /// <summary>An authenticator whose bearer tokens are the static <paramref name="tokens"/> table.</summary>
    public Authenticator(ClusterPki pki, IReadOnlyDictionary<string, UserInfo> tokens)
        : this(pki, tokens, [], DefaultApiAudiences)
    {
    }

    /// <param name="pki">Verifies client certificates.</param>
    /// <param name="tokens">The static token table, asked first.</param>
    /// <param name="tokenAuthenticators">Asked after the table, in order (service-account tokens).</param>
    /// <param name="apiAudiences">The audiences a bearer token of a request must be meant for.</param>
    public Authenticator(ClusterPki pki, IReadOnlyDictionary<string, UserInfo> tokens, IReadOnlyList<ITokenAuthenticator> tokenAuthenticators, IReadOnlyList<string> apiAudiences)
    {
        _pki = pki;
        ApiAudiences = apiAudiences;
        _tokenAuthenticators = [new StaticTokens(tokens, apiAudiences), .. tokenAuthenticators];
    }

    /// <summary>The API server's audiences (--api-audiences): what request tokens, and TokenReviews naming none, are checked against.</summary>
    public IReadOnlyList<string> ApiAudiences { get; }

    // Building an X509 chain costs more than serving a GET, and a client presents the same
    // certificate on every request: verified certificates are remembered by their SHA-256,
    // together with their expiry, which is checked on every use.
    private readonly ConcurrentDictionary<string, (UserInfo User, DateTime NotAfter)> _verified = new(StringComparer.Ordinal);

    // A TLS connection hands every request on it the same certificate object, so its answer is
    // also kept by that object: a request on a known connection costs a reference lookup instead
    // of hashing the certificate again. Entries live as long as the connection's certificate.
    // Only verified certificates are kept, as in the table above: one that failed is checked again.
    private readonly ConditionalWeakTable<X509Certificate2, Verified> _byConnection = new();

    /// <summary>The user a request's client certificate or bearer token names; null when neither is valid (anonymous).</summary>
    public async Task<UserInfo?> AuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Read after the handshake (ClientCertificateMode.AllowCertificate); asked for only when absent.
        var certificate = context.Connection.ClientCertificate ?? await context.Connection.GetClientCertificateAsync(context.RequestAborted);
        if (certificate is not null && FromConnectionCertificate(certificate) is { } user)
        {
            return user;
        }
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (await AuthenticateTokenAsync(authorization["Bearer ".Length..].Trim(), ApiAudiences, context.RequestAborted)).User;
        }
        return null;
    }

    /// <summary>
    /// A bare bearer token, as apiserver's bearertoken authenticator over the token union: the
    /// first authenticator that recognises it wins; when none does, the errors of those that
    /// rejected it, or upstream's "invalid bearer token".
    /// </summary>
    public async Task<TokenAuthentication> AuthenticateTokenAsync(string token, IReadOnlyList<string> audiences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(audiences);
        var errors = new List<string>();
        foreach (var authenticator in _tokenAuthenticators)
        {
            var result = await authenticator.AuthenticateTokenAsync(token, audiences, cancellationToken);
            if (result.IsAuthenticated)
            {
                return result;
            }
            if (result.Error.Length > 0 && !errors.Contains(result.Error, StringComparer.Ordinal))
            {
                errors.Add(result.Error);
            }
        }
        return TokenAuthentication.Rejected(errors.Count switch
        {
            0 => "invalid bearer token",
            1 => errors[0],
            _ => $"[{string.Join(", ", errors)}]",
        });
    }

    private UserInfo? FromConnectionCertificate(X509Certificate2 certificate)
    {
        if (_byConnection.TryGetValue(certificate, out var known))
        {
            return DateTime.UtcNow < known.NotAfter ? known.User : null;
        }
        if (FromVerifiedCertificate(certificate) is not { } user)
        {
            return null;
        }
        _byConnection.AddOrUpdate(certificate, new Verified(user, certificate.NotAfter.ToUniversalTime()));
        return user;
    }

    private UserInfo? FromVerifiedCertificate(X509Certificate2 certificate)
    {
        var hash = Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
        if (_verified.TryGetValue(hash, out var known) && DateTime.UtcNow < known.NotAfter)
        {
            return known.User;
        }
        if (!_pki.IsClientCertificate(certificate))
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

    // A verified certificate object's user and its expiry.
    private sealed record Verified(UserInfo User, DateTime NotAfter);
}
