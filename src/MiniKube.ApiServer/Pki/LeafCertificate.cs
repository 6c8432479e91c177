namespace MiniKube.ApiServer.Pki;

/// <summary>What a leaf certificate is for: its extended key usage.</summary>
public enum CertificateUsage
{
    /// <summary>A TLS server (1.3.6.1.5.5.7.3.1).</summary>
    ServerAuth,

    /// <summary>A TLS client, whose CN and O are the user and groups it authenticates as (1.3.6.1.5.5.7.3.2).</summary>
    ClientAuth,
}

/// <summary>
/// One leaf certificate of a PKI directory: the files <c>NAME.crt</c> and <c>NAME.key</c>, the
/// k3s service it belongs to (<c>mkube certificate --service</c>), the subject, names and usage it
/// is issued with, and the CA in the same directory that signs it (null: self-signed, as a
/// kubelet's serving certificate is without --tls-cert-file). Every leaf goes through the same
/// <see cref="CertificateRenewal"/> rule; adding a certificate is adding one of these to a list.
/// </summary>
/// <param name="Name">File name without extension, as k3s names them (<c>serving-kube-apiserver</c>).</param>
/// <param name="Service">k3s' service name (pkg/util/services): api-server, admin, auth-proxy, kubelet…</param>
/// <param name="Subject">Distinguished name, e.g. <c>CN=admin, O=system:masters</c>.</param>
/// <param name="Names">DNS names and IP addresses for the subject alternative names; empty for client certificates.</param>
/// <param name="Usage">Server or client.</param>
/// <param name="IssuerName">The CA's file name in the same directory, or null for self-signed.</param>
public sealed record LeafCertificate(string Name, string Service, string Subject, IReadOnlyCollection<string> Names, CertificateUsage Usage, string? IssuerName);
