using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MiniKube.ApiServer.Pki;

namespace MiniKube.ApiServer.Auth;

/// <summary>
/// Authenticates a request as kube-apiserver does: a client certificate issued by the cluster
/// CA (CN is the user, each O a group), or a bearer token from the server's static token table.
/// Anything else is anonymous and gets 401 outside the public paths.
/// </summary>
public sealed class Authenticator(ClusterPki pki, IReadOnlyDictionary<string, UserInfo> tokens)
{
    private const int MaxCachedCertificates = 4096;

    // Building an X509 chain costs more than serving a GET, and a client presents the same
    // certificate on every request: verified certificates are remembered by their SHA-256,
    // together with their expiry, which is checked on every use.
    private readonly ConcurrentDictionary<string, (UserInfo User, DateTime NotAfter)> _verified = new(StringComparer.Ordinal);

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
            return Lookup(authorization["Bearer ".Length..].Trim());
        }
        return null;
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
