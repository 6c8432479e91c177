using System.Security.Cryptography.X509Certificates;
using k8s;

namespace MiniKube.Hosting;

/// <summary>
/// How a kubelet in this process reaches the API server. The component that provides it (the
/// API server in <c>mkube server</c>, the join in <c>mkube agent</c>) fills it in before it is
/// ready, so a component started after that one may use it.
/// </summary>
internal interface IClusterAccess
{
    /// <summary>A fresh client configuration (each client owns its own).</summary>
    KubernetesClientConfiguration ClientConfiguration();

    /// <summary>The cluster CA: it verifies the API server, and the kubelet API accepts only clients it issued.</summary>
    X509Certificate2 ClusterCa { get; }
}

/// <summary>The API server of this very process, reached over HTTPS with the admin certificate (ARCHITECTURE.md §3: no shortcut around the API).</summary>
internal sealed class LocalClusterAccess(ApiServerComponent apiServer) : IClusterAccess
{
    public X509Certificate2 ClusterCa => Pki.Ca;

    private ApiServer.Pki.ClusterPki Pki => apiServer.Pki ?? throw new InvalidOperationException("the API server is not ready");

    public KubernetesClientConfiguration ClientConfiguration() => new()
    {
        Host = apiServer.Address!.ToString(),
        SslCaCerts = [Pki.Ca],
        ClientCertificateData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ClusterPkiPem.Certificate(Pki.Admin))),
        ClientCertificateKeyData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ClusterPkiPem.Key(Pki.Admin))),
    };
}
