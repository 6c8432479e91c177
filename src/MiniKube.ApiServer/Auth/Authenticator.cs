using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Http;
using MiniKube.ApiServer.Pki;

namespace MiniKube.ApiServer.Auth;

/// <summary>Who made a request: the user name and groups, as kube-apiserver's user.Info.</summary>
public sealed record UserInfo(string Name, IReadOnlyList<string> Groups);

/// <summary>
/// Authenticates a request as kube-apiserver does: a client certificate issued by the cluster
/// CA (CN is the user, each O a group), or a bearer token from the server's static token table.
/// Anything else is anonymous and gets 401 outside the public paths.
/// </summary>
public sealed class Authenticator(ClusterPki pki, IReadOnlyDictionary<string, UserInfo> tokens)
{
    public async Task<UserInfo?> AuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var certificate = await context.Connection.GetClientCertificateAsync(context.RequestAborted);
        if (certificate is not null && pki.IsIssuedByCluster(certificate))
        {
            return FromCertificate(certificate);
        }
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Lookup(authorization["Bearer ".Length..].Trim());
        }
        return null;
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
