using k8s;

namespace MiniKube.Hosting;

/// <summary>
/// How components in the server's own process reach its API server: over HTTPS like any client
/// (ARCHITECTURE.md §3), with the cluster's admin certificate.
/// </summary>
internal static class InProcessClient
{
    public static KubernetesClientConfiguration ConfigFor(ApiServerComponent apiServer)
    {
        var pki = apiServer.Pki ?? throw new InvalidOperationException("the API server is not ready");
        return new KubernetesClientConfiguration
        {
            Host = apiServer.Address!.ToString(),
            SslCaCerts = [pki.Ca],
            ClientCertificateData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ClusterPkiPem.Certificate(pki.Admin))),
            ClientCertificateKeyData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ClusterPkiPem.Key(pki.Admin))),
        };
    }
}
