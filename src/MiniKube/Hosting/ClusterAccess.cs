using System.Security.Cryptography.X509Certificates;
using k8s;
using Microsoft.Extensions.Logging;

namespace MiniKube.Hosting;

/// <summary>
/// Who a component of this process is to the API server: each has its own user and RBAC role
/// (ARCHITECTURE.md §2), as kube-scheduler, kube-controller-manager, kube-proxy and the kubelet
/// each run with their own kubeconfig in k3s.
/// </summary>
/// <param name="Role">Which component.</param>
/// <param name="NodeName">The node of a kubelet or an ingress data plane; empty for the others.</param>
internal sealed record ComponentIdentity(ComponentRole Role, string NodeName = "")
{
    /// <summary>system:kube-scheduler.</summary>
    public static ComponentIdentity Scheduler { get; } = new(ComponentRole.Scheduler);

    /// <summary>system:kube-controller-manager: its informers, leader election, events and its controllers' token requests.</summary>
    public static ComponentIdentity ControllerManager { get; } = new(ComponentRole.ControllerManager);

    /// <summary>The cluster DNS add-on (system:mkube:cluster-dns, bound to system:kube-dns).</summary>
    public static ComponentIdentity ClusterDns { get; } = new(ComponentRole.ClusterDns);

    /// <summary>The metrics add-on (system:mkube:metrics-server, bound to system:metrics-server).</summary>
    public static ComponentIdentity Metrics { get; } = new(ComponentRole.Metrics);

    /// <summary>The servers' ingress add-on as it installs the Gateway API CRDs (system:mkube:ingress, bound to system:mkube:gateway-crds).</summary>
    public static ComponentIdentity GatewayCrds { get; } = new(ComponentRole.GatewayCrds);

    /// <summary>The ingress data plane of <paramref name="nodeName"/>: system:mkube:ingress:NODE in system:mkube:ingress-nodes.</summary>
    public static ComponentIdentity Ingress(string nodeName) => new(ComponentRole.Ingress, nodeName);

    /// <summary>The auto-deploy manifests (system:mkube:manifests, bound to cluster-admin: the files may hold any object).</summary>
    public static ComponentIdentity Manifests { get; } = new(ComponentRole.Manifests);

    /// <summary>The service proxy: system:kube-proxy (system:node-proxier).</summary>
    public static ComponentIdentity KubeProxy { get; } = new(ComponentRole.KubeProxy);

    /// <summary>The kubelet of <paramref name="nodeName"/>: system:node:NODE in system:nodes.</summary>
    public static ComponentIdentity Kubelet(string nodeName) => new(ComponentRole.Kubelet, nodeName);
}

/// <summary>The components that reach the API server from this process.</summary>
internal enum ComponentRole
{
    Scheduler,
    ControllerManager,
    ClusterDns,
    Metrics,
    GatewayCrds,
    Ingress,
    Manifests,
    KubeProxy,
    Kubelet,
}

/// <summary>
/// How the components of this process reach the API server. The component that provides it (the
/// API server in <c>mkube server</c>, the join in <c>mkube agent</c>) fills it in before it is
/// ready, so a component started after that one may use it.
/// </summary>
internal interface IClusterAccess
{
    /// <summary>A fresh client configuration authenticating as <paramref name="identity"/> (each client owns its own).</summary>
    KubernetesClientConfiguration ClientConfiguration(ComponentIdentity identity);

    /// <summary>
    /// Client configurations for the simulated kubelets of <c>--simulate-nodes</c>, each as its own
    /// node (<c>system:node:NAME</c>), so the Node authorizer and NodeRestriction treat them as
    /// real kubelets; in the order of <paramref name="nodeNames"/>.
    /// </summary>
    Task<IReadOnlyList<KubernetesClientConfiguration>> SimulatedKubeletConfigurationsAsync(IReadOnlyList<string> nodeNames, CancellationToken cancellationToken);

    /// <summary>The cluster CA: it verifies the API server, and the kubelet API accepts only clients it issued.</summary>
    X509Certificate2 ClusterCa { get; }
}

/// <summary>
/// The API server of this very process, reached over HTTPS (ARCHITECTURE.md §3: no shortcut
/// around the API), each component with its own client certificate from the cluster PKI
/// (DATA_DIR/server/tls/client-*.crt, under the 120-day renewal rule); the server's kubelet is
/// <c>system:node:NODE</c>, its ingress data plane <c>system:mkube:ingress:NODE</c> (in memory), and
/// simulated kubelets get certificates of their own, in memory. The
/// admin certificate is the user's kubeconfig, and no component's.
/// </summary>
internal sealed class LocalClusterAccess(ApiServerComponent apiServer, TimeProvider time, ILogger<LocalClusterAccess> logger) : IClusterAccess
{
    private readonly Lock _nodeLock = new();
    private X509Certificate2? _nodeCertificate;
    private X509Certificate2? _ingressCertificate;

    public X509Certificate2 ClusterCa => Pki.Ca;

    private ApiServer.Pki.ClusterPki Pki => apiServer.Pki ?? throw new InvalidOperationException("the API server is not ready");

    public KubernetesClientConfiguration ClientConfiguration(ComponentIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var certificate = identity.Role switch
        {
            ComponentRole.Scheduler => Pki.Scheduler,
            ComponentRole.ControllerManager => Pki.ControllerManager,
            ComponentRole.ClusterDns => Pki.ClusterDns,
            ComponentRole.Metrics => Pki.Metrics,
            ComponentRole.GatewayCrds => Pki.Ingress,
            ComponentRole.Ingress => IngressCertificate(identity.NodeName),
            ComponentRole.Manifests => Pki.Manifests,
            ComponentRole.KubeProxy => Pki.KubeProxy,
            ComponentRole.Kubelet => NodeCertificate(identity.NodeName),
            _ => throw new ArgumentOutOfRangeException(nameof(identity), identity.Role, "no identity for this component"),
        };
        return Configuration(certificate);
    }

    public Task<IReadOnlyList<KubernetesClientConfiguration>> SimulatedKubeletConfigurationsAsync(IReadOnlyList<string> nodeNames, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<KubernetesClientConfiguration>>([.. Pki.NodeClientsInMemory(nodeNames, time.GetUtcNow()).Select(Configuration)]);

    private KubernetesClientConfiguration Configuration(X509Certificate2 certificate) => ClusterAccessConfigurations.For(apiServer.Address!.ToString(), Pki.Ca, certificate);

    // Issued (or renewed, when due) the first time the server's kubelet asks; one node per server.
    private X509Certificate2 NodeCertificate(string nodeName)
    {
        lock (_nodeLock)
        {
            if (_nodeCertificate is null || _nodeCertificate.GetNameInfo(X509NameType.SimpleName, false) != "system:node:" + nodeName)
            {
                _nodeCertificate = Pki.NodeClient(nodeName, time.GetUtcNow(), logger);
            }
            return _nodeCertificate;
        }
    }

    // The server's own data plane: issued in memory the first time it asks (one node per server).
    private X509Certificate2 IngressCertificate(string nodeName)
    {
        lock (_nodeLock)
        {
            if (_ingressCertificate is null || _ingressCertificate.GetNameInfo(X509NameType.SimpleName, false) != IngressNodeIdentity.UserName(nodeName))
            {
                _ingressCertificate = Pki.IngressNodeClientInMemory(nodeName, time.GetUtcNow());
            }
            return _ingressCertificate;
        }
    }
}

/// <summary>A client configuration for an API server URL, its CA and a client certificate with its key.</summary>
internal static class ClusterAccessConfigurations
{
    public static KubernetesClientConfiguration For(string server, X509Certificate2 ca, X509Certificate2 client) => new()
    {
        Host = server,
        SslCaCerts = [ca],
        ClientCertificateData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ClusterPkiPem.Certificate(client))),
        ClientCertificateKeyData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ClusterPkiPem.Key(client))),
    };
}
