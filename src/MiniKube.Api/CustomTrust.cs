using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiniKube.Api;

/// <summary>
/// Whether a certificate chains to one of the given roots, and to nothing else: the system's
/// trust store plays no part, and revocation is not checked (cluster CAs publish no CRLs), as Go's
/// x509.Certificate.Verify does with VerifyOptions.Roots set, which is how Kubernetes components
/// check a peer against a CA they were given (the kubelet's --client-ca-file, the etcd client's
/// CA file, a webhook's caBundle). No network access: intermediates come only from the peer.
/// </summary>
public static class CustomTrust
{
    /// <param name="certificate">The peer's leaf certificate.</param>
    /// <param name="roots">The only trusted roots.</param>
    /// <param name="usage">An extended key usage OID the chain must allow (e.g. client authentication), or null for any.</param>
    /// <param name="intermediates">Certificates the peer sent besides its leaf, to build the chain through.</param>
    public static bool Verifies(X509Certificate2 certificate, X509Certificate2Collection roots, string? usage = null, IEnumerable<X509Certificate2>? intermediates = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(roots);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Go never fetches missing intermediates from the certificate's AIA URLs; neither do we.
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (usage is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usage));
        }
        foreach (var intermediate in intermediates ?? [])
        {
            chain.ChainPolicy.ExtraStore.Add(intermediate);
        }
        return chain.Build(certificate);
    }
}
