using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// The HTTPS listener's certificates by SNI (Kestrel's ServerCertificateSelector): an exact host
/// first, then a <c>*.</c> wildcard entry for the name's parent, then a self-signed default made at
/// start (as Traefik's "TRAEFIK DEFAULT CERT" and ingress-nginx's fake certificate), which also
/// answers clients that send no SNI — unless an entry lists <see cref="AnyName"/> (a Gateway
/// HTTPS listener without a hostname), whose certificate then takes the default's place. Secrets are parsed once per resourceVersion; a Secret that
/// is not a valid PEM pair is left out (its hosts get the default) and reported through
/// <see cref="Rejected"/>. Reads are lock-free: <see cref="Update"/> swaps a whole snapshot.
/// </summary>
public sealed class TlsCertificates
{
    private readonly Dictionary<string, X509Certificate2> _parsed = new(StringComparer.Ordinal);
    private volatile Snapshot _current = new(new Dictionary<string, X509Certificate2>(), new Dictionary<string, X509Certificate2>(), null);

    /// <summary>The host an entry lists to cover every name nothing else covers.</summary>
    public const string AnyName = "*";

    public TlsCertificates(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Default = SelfSigned(time.GetUtcNow());
    }

    /// <summary>Called with <c>namespace/name</c> and the reason when a Secret cannot be used.</summary>
    public event Action<string, string>? Rejected;

    /// <summary>The certificate for names nothing else covers.</summary>
    public X509Certificate2 Default { get; }

    /// <summary>The certificate for <paramref name="serverName"/> (SNI; null or empty: the default).</summary>
    public X509Certificate2 Select(string? serverName)
    {
        var snapshot = _current;
        if (string.IsNullOrEmpty(serverName))
        {
            return snapshot.Any ?? Default;
        }
        if (snapshot.Exact.TryGetValue(serverName, out var exact))
        {
            return exact;
        }
        var dot = serverName.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && snapshot.Wildcard.TryGetValue(serverName[dot..], out var wildcard) ? wildcard : snapshot.Any ?? Default;
    }

    /// <summary>Replaces the certificates with <paramref name="entries"/>; the first entry naming a host keeps it.</summary>
    public void Update(IReadOnlyList<TlsEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var exact = new Dictionary<string, X509Certificate2>(StringComparer.OrdinalIgnoreCase);
        var wildcard = new Dictionary<string, X509Certificate2>(StringComparer.OrdinalIgnoreCase);
        X509Certificate2? any = null;
        lock (_parsed)
        {
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                var key = $"{entry.Secret.Metadata.Uid}/{entry.Secret.Metadata.ResourceVersion}";
                if (!_parsed.TryGetValue(key, out var certificate))
                {
                    certificate = Parse(entry.Secret);
                    if (certificate is null)
                    {
                        continue;
                    }
                    _parsed[key] = certificate;
                }
                used.Add(key);
                foreach (var host in entry.Hosts)
                {
                    if (host == AnyName)
                    {
                        any ??= certificate;
                    }
                    else if (HostPatterns.IsWildcard(host))
                    {
                        wildcard.TryAdd(host[1..], certificate);
                    }
                    else
                    {
                        exact.TryAdd(host, certificate);
                    }
                }
            }
            // Old versions are dropped from the cache, not disposed: a handshake may still hold one.
            foreach (var stale in _parsed.Keys.Where(k => !used.Contains(k)).ToList())
            {
                _parsed.Remove(stale);
            }
        }
        _current = new Snapshot(exact, wildcard, any);
    }

    private X509Certificate2? Parse(V1Secret secret)
    {
        var name = $"{secret.Namespace()}/{secret.Name()}";
        if (secret.Data is null || !secret.Data.TryGetValue("tls.crt", out var crt) || !secret.Data.TryGetValue("tls.key", out var key))
        {
            Rejected?.Invoke(name, "it has no tls.crt and tls.key");
            return null;
        }
        try
        {
            return X509Certificate2.CreateFromPem(System.Text.Encoding.UTF8.GetString(crt), System.Text.Encoding.UTF8.GetString(key));
        }
        catch (CryptographicException e)
        {
            Rejected?.Invoke(name, e.Message);
            return null;
        }
        catch (ArgumentException e)
        {
            Rejected?.Invoke(name, e.Message);
            return null;
        }
    }

    private static X509Certificate2 SelfSigned(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mkube ingress default certificate", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
    }

    private sealed record Snapshot(IReadOnlyDictionary<string, X509Certificate2> Exact, IReadOnlyDictionary<string, X509Certificate2> Wildcard, X509Certificate2? Any);
}
