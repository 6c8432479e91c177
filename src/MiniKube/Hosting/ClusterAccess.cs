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
/// <param name="NodeName">The node of a kubelet; empty for the others.</param>
internal sealed record ComponentIdentity(ComponentRole Role, string NodeName = "")
{
    /// <summary>system:kube-scheduler.</summary>
    public static ComponentIdentity Scheduler { get; } = new(ComponentRole.Scheduler);

    /// <summary>system:kube-controller-manager: its informers, leader election, events and its controllers' token requests.</summary>
    public static ComponentIdentity ControllerManager { get; } = new(ComponentRole.ControllerManager);

    /// <summary>The cluster DNS add-on (system:mkube:cluster-dns, bound to system:kube-dns).</summary>
    public static ComponentIdentity ClusterDns { get; } = new(ComponentRole.ClusterDns);

    /// <summary>The service proxy: system:kube-proxy (system:node-proxier).</summary>
    public static ComponentIdentity KubeProxy { get; } = new(ComponentRole.KubeProxy);

    /// <summary>The simulated kubelets of <c>--simulate-nodes</c>, which share one client.</summary>
    public static ComponentIdentity SimulatedKubelets { get; } = new(ComponentRole.SimulatedKubelets);

    /// <summary>The kubelet of <paramref name="nodeName"/>: system:node:NODE in system:nodes.</summary>
    public static ComponentIdentity Kubelet(string nodeName) => new(ComponentRole.Kubelet, nodeName);
}

/// <summary>The components that reach the API server from this process.</summary>
internal enum ComponentRole
{
    Scheduler,
    ControllerManager,
    ClusterDns,
    KubeProxy,
    Kubelet,
    SimulatedKubelets,
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

    /// <summary>The cluster CA: it verifies the API server, and the kubelet API accepts only clients it issued.</summary>
    X509Certificate2 ClusterCa { get; }
}

/// <summary>
/// The API server of this very process, reached over HTTPS (ARCHITECTURE.md §3: no shortcut
/// around the API), each component with its own client certificate from the cluster PKI
/// (DATA_DIR/server/tls/client-*.crt, under the 120-day renewal rule). The admin certificate is
/// the user's kubeconfig, and no component's, except the kubelets' until the switch below is on.
/// </summary>
internal sealed class LocalClusterAccess(ApiServerComponent apiServer, TimeProvider time, ILogger<LocalClusterAccess> logger) : IClusterAccess
{
    /// <summary>
    /// THE SWITCH for the kubelets of this process (the server's own and the simulated ones): on,
    /// the server's kubelet is <c>system:node:NODE</c>; off, the kubelets still use the admin
    /// certificate. Off until the Node authorizer is in: upstream binds nothing to system:nodes,
    /// so a node identity has no rights under RBAC alone. The simulated kubelets share one client
    /// and so have no single node name; they keep the admin certificate until they get the shared
    /// test-only identity the issue plans.
    /// </summary>
    internal const bool KubeletsAsNodes = false;

    private readonly Lock _nodeLock = new();
    private X509Certificate2? _nodeCertificate;

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
            ComponentRole.KubeProxy => Pki.KubeProxy,
            ComponentRole.Kubelet when KubeletsAsNodes => NodeCertificate(identity.NodeName),
            ComponentRole.Kubelet or ComponentRole.SimulatedKubelets => Pki.Admin,
            _ => throw new ArgumentOutOfRangeException(nameof(identity), identity.Role, "no identity for this component"),
        };
        return new()
        {
            Host = apiServer.Address!.ToString(),
            SslCaCerts = [Pki.Ca],
            ClientCertificateData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ClusterPkiPem.Certificate(certificate))),
            ClientCertificateKeyData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ClusterPkiPem.Key(certificate))),
        };
    }

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
}
