using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiniKube.ApiServer.Pki;

/// <summary>
/// The cluster's certificates, made on first start and reused after, as k3s does: a CA (10
/// years), the API server's serving certificate (1 year, renewed when its names change or it
/// nears expiry) and the admin client certificate (CN=admin, O=system:masters); and, for API
/// aggregation, a separate front-proxy CA (k3s's request-header-ca) with the client certificate
/// the API server presents to extension API servers (CN=system:auth-proxy), which trust the
/// X-Remote-* headers only from a client that CA signed. Keys are ECDSA P-256 and are written
/// owner-only.
/// </summary>
public sealed class ClusterPki
{
    private const string CaName = "server-ca";
    private const string ServingName = "serving-kube-apiserver";
    private const string AdminName = "client-admin";
    private const string FrontProxyCaName = "request-header-ca";
    private const string FrontProxyClientName = "client-auth-proxy";

    /// <summary>The front-proxy client certificate's common name: what extension servers' requestheader-allowed-names lists.</summary>
    public const string FrontProxyClientUser = "system:auth-proxy";

    private ClusterPki(X509Certificate2 ca, X509Certificate2 serving, X509Certificate2 admin, X509Certificate2 frontProxyCa, X509Certificate2 frontProxyClient)
    {
        Ca = ca;
        Serving = serving;
        Admin = admin;
        FrontProxyCa = frontProxyCa;
        FrontProxyClient = frontProxyClient;
    }

    /// <summary>The cluster CA (public part only).</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The serving certificate, with its private key.</summary>
    public X509Certificate2 Serving { get; }

    /// <summary>The admin client certificate, with its private key.</summary>
    public X509Certificate2 Admin { get; }

    /// <summary>The CA of the front-proxy client certificate (public part only): requestheader-client-ca-file.</summary>
    public X509Certificate2 FrontProxyCa { get; }

    /// <summary>The client certificate the aggregator proxies with, with its private key.</summary>
    public X509Certificate2 FrontProxyClient { get; }

    /// <summary>Loads the certificates from <paramref name="directory"/>, making what is missing or stale.</summary>
    /// <param name="names">DNS names and IP addresses the serving certificate must carry.</param>
    public static ClusterPki LoadOrCreate(string directory, IReadOnlyCollection<string> names, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(time);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var now = time.GetUtcNow();
        var ca = Load(directory, CaName) ?? CreateCa(directory, CaName, "mkube-server-ca", now);
        var serving = Load(directory, ServingName);
        if (serving is null || serving.NotAfter.ToUniversalTime() < now.AddDays(90).UtcDateTime || !Covers(serving, names))
        {
            serving = Issue(directory, ServingName, ca, "CN=kube-apiserver", names, serverAuth: true, now);
        }
        var admin = Load(directory, AdminName) ?? Issue(directory, AdminName, ca, "CN=admin, O=system:masters", [], serverAuth: false, now);
        using var frontProxyCa = Load(directory, FrontProxyCaName) ?? CreateCa(directory, FrontProxyCaName, "mkube-request-header-ca", now);
        var frontProxyClient = Load(directory, FrontProxyClientName)
            ?? Issue(directory, FrontProxyClientName, frontProxyCa, "CN=" + FrontProxyClientUser, [], serverAuth: false, now);
        using var caWithKey = ca;
        return new ClusterPki(X509CertificateLoader.LoadCertificate(ca.RawData), serving, admin, X509CertificateLoader.LoadCertificate(frontProxyCa.RawData), frontProxyClient);
    }

    /// <summary>Whether <paramref name="certificate"/> was issued by this cluster's CA.</summary>
    public bool IsIssuedByCluster(X509Certificate2 certificate) => Verify(certificate, null);

    /// <summary>Whether <paramref name="certificate"/> is a client certificate (client-auth usage) of this cluster's CA.</summary>
    public bool IsClientCertificate(X509Certificate2 certificate) => Verify(certificate, "1.3.6.1.5.5.7.3.2");

    private bool Verify(X509Certificate2 certificate, string? usage)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        if (usage is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(usage));
        }
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    public static string KeyPem(X509Certificate2 certificate) =>
        (certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("no private key")).ExportPkcs8PrivateKeyPem();

    private static X509Certificate2 CreateCa(string directory, string name, string commonName, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}@{now.ToUnixTimeSeconds()}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        Save(directory, name, ca);
        return ca;
    }

    private static X509Certificate2 Issue(string directory, string name, X509Certificate2 ca, string subject, IReadOnlyCollection<string> names, bool serverAuth, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (names.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var n in names)
            {
                if (IPAddress.TryParse(n, out var ip))
                {
                    san.AddIpAddress(ip);
                }
                else
                {
                    san.AddDnsName(n);
                }
            }
            request.CertificateExtensions.Add(san.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca, now.AddMinutes(-5), now.AddYears(1), serial);
        var withKey = issued.CopyWithPrivateKey(key);
        Save(directory, name, withKey);
        return withKey;
    }

    private static bool Covers(X509Certificate2 certificate, IReadOnlyCollection<string> names)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
        {
            return names.Count == 0;
        }
        var present = san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString())).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return names.All(present.Contains);
    }

    private static X509Certificate2? Load(string directory, string name)
    {
        var (cert, key) = Paths(directory, name);
        return File.Exists(cert) && File.Exists(key) ? X509Certificate2.CreateFromPemFile(cert, key) : null;
    }

    private static void Save(string directory, string name, X509Certificate2 certificate)
    {
        var (cert, key) = Paths(directory, name);
        File.WriteAllText(cert, Pem(certificate));
        File.WriteAllText(key, "");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(key, KeyPem(certificate));
    }

    private static (string Cert, string Key) Paths(string directory, string name) =>
        (Path.Combine(directory, name + ".crt"), Path.Combine(directory, name + ".key"));
}
