using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiniKube.ApiServer.Pki;

/// <summary>
/// Certificate and key files of a PKI directory (<c>NAME.crt</c>, <c>NAME.key</c>) and the making
/// of new ones. Keys are ECDSA P-256 and are owner-only (0600) from the moment they exist (certificates 0644); both
/// files are replaced by rename, so a reader sees the old pair or the new one.
/// </summary>
public static class CertificateFiles
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(365);
    private static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly UnixFileMode Readable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>The certificate file of <paramref name="name"/>.</summary>
    public static string CertificatePath(string directory, string name) => Path.Combine(directory, name + ".crt");

    /// <summary>The key file of <paramref name="name"/>.</summary>
    public static string KeyPath(string directory, string name) => Path.Combine(directory, name + ".key");

    /// <summary>The certificate with its key, or null when either file is missing.</summary>
    /// <exception cref="CryptographicException">The files are damaged or do not belong together.</exception>
    public static X509Certificate2? Load(string directory, string name)
    {
        var (cert, key) = (CertificatePath(directory, name), KeyPath(directory, name));
        return File.Exists(cert) && File.Exists(key) ? X509Certificate2.CreateFromPemFile(cert, key) : null;
    }

    /// <summary>The certificate alone (no key needed), or null when its file is missing.</summary>
    public static X509Certificate2? LoadPublic(string directory, string name)
    {
        var path = CertificatePath(directory, name);
        return File.Exists(path) ? X509Certificate2.CreateFromPem(File.ReadAllText(path)) : null;
    }

    /// <summary>Writes the certificate and its key (0600).</summary>
    public static void Save(string directory, string name, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        WriteReplacing(KeyPath(directory, name), ClusterPki.KeyPem(certificate), OwnerOnly);
        WriteReplacing(CertificatePath(directory, name), ClusterPki.Pem(certificate), Readable);
    }

    /// <summary>Makes and saves a CA valid for 10 years (k3s: certutil.NewSelfSignedCACert), named <c>CN@unix-time</c> as k3s names them.</summary>
    public static X509Certificate2 CreateCa(string directory, string name, string commonName, DateTimeOffset now)
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

    /// <summary>Issues and saves <paramref name="leaf"/> as its specification says, signed by <paramref name="issuer"/> (null: self-signed).</summary>
    public static X509Certificate2 Issue(string directory, LeafCertificate leaf, X509Certificate2? issuer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        return Issue(directory, leaf.Name, new X500DistinguishedName(leaf.Subject), Extensions(leaf), issuer, now);
    }

    // What a leaf's specification puts in its certificate: not a CA, signing only, its usage and names.
    private static List<X509Extension> Extensions(LeafCertificate leaf)
    {
        var extensions = new List<X509Extension>
        {
            new X509BasicConstraintsExtension(false, false, 0, true),
            new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true),
            new X509EnhancedKeyUsageExtension([new Oid(leaf.Usage == CertificateUsage.ServerAuth ? ServerAuthOid : ClientAuthOid)], false),
        };
        if (leaf.Names.Count > 0)
        {
            extensions.Add(SubjectAlternativeNames(leaf.Names));
        }
        return extensions;
    }

    // A leaf cannot outlive its CA; near the CA's end it is cut short (and the CA warned about).
    private static DateTimeOffset Cap(DateTimeOffset notAfter, X509Certificate2 issuer)
    {
        var caNotAfter = CertificateRenewal.NotAfter(issuer);
        return notAfter < caNotAfter ? notAfter : caNotAfter;
    }

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return serial;
    }

    /// <summary>
    /// Certifies the key of a PKCS#10 request (its signature checked; subject and extensions
    /// ignored) as <paramref name="leaf"/> says, signed by <paramref name="issuer"/>; nothing is saved.
    /// </summary>
    /// <exception cref="CryptographicException">The request is malformed or its signature does not verify.</exception>
    public static X509Certificate2 SignRequest(string requestPem, LeafCertificate leaf, X509Certificate2 issuer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(issuer);
        var presented = CertificateRequest.LoadSigningRequestPem(requestPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        var request = new CertificateRequest(new X500DistinguishedName(leaf.Subject), presented.PublicKey, HashAlgorithmName.SHA256);
        foreach (var extension in Extensions(leaf))
        {
            request.CertificateExtensions.Add(extension);
        }
        return request.Create(issuer, now.AddMinutes(-5), Cap(now + LeafLifetime, issuer), Serial());
    }

    /// <summary>
    /// Issues and saves a successor of <paramref name="existing"/>: a new key, a new validity, and
    /// the same subject and extensions (names, usages), signed by <paramref name="issuer"/> (null: self-signed).
    /// What <c>mkube certificate rotate</c> does, without needing to know how the leaf was first made.
    /// </summary>
    public static X509Certificate2 Reissue(string directory, string name, X509Certificate2 existing, X509Certificate2? issuer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(existing);
        // Key identifiers describe the old key (and issuer); everything else carries over as it was.
        var extensions = existing.Extensions
            .Where(e => e is not X509SubjectKeyIdentifierExtension and not X509AuthorityKeyIdentifierExtension)
            .ToList();
        return Issue(directory, name, existing.SubjectName, extensions, issuer, now);
    }

    /// <summary>The extended key usages of a certificate as k3s lists them: CertSign, ServerAuth, ClientAuth, or Unknown.</summary>
    public static IReadOnlyList<string> Usages(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var usages = new List<string>();
        if (certificate.Extensions.OfType<X509KeyUsageExtension>().Any(k => k.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign)))
        {
            usages.Add("CertSign");
        }
        foreach (var oid in certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>()))
        {
            usages.Add(oid.Value switch { ServerAuthOid => "ServerAuth", ClientAuthOid => "ClientAuth", _ => "Unknown" });
        }
        return usages.Count > 0 ? usages : ["Unknown"];
    }

    /// <summary>The DNS names and IP addresses a certificate carries.</summary>
    public static HashSet<string> NamesOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        return san is null ? new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            : san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString())).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    private static X509Certificate2 Issue(string directory, string name, X500DistinguishedName subject, IEnumerable<X509Extension> extensions, X509Certificate2? issuer, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        foreach (var extension in extensions)
        {
            request.CertificateExtensions.Add(extension);
        }
        var notBefore = now.AddMinutes(-5);
        var notAfter = now + LeafLifetime;
        X509Certificate2 withKey;
        if (issuer is null)
        {
            withKey = request.CreateSelfSigned(notBefore, notAfter);
        }
        else
        {
            using var issued = request.Create(issuer, notBefore, Cap(notAfter, issuer), Serial());
            withKey = issued.CopyWithPrivateKey(key);
        }
        Save(directory, name, withKey);
        return withKey;
    }

    private static X509Extension SubjectAlternativeNames(IEnumerable<string> names)
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
        return san.Build();
    }

    /// <summary>Writes through a temporary file, created with <paramref name="mode"/> so a key is never readable by others, renamed over <paramref name="path"/>.</summary>
    private static void WriteReplacing(string path, string text, UnixFileMode mode)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }
        // An existing temp file keeps its old mode through FileMode.Create; set it to be sure.
        File.SetUnixFileMode(temp, mode);
        File.Move(temp, path, overwrite: true);
    }
}
