using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MiniKube.ApiServer.Pki;

/// <summary>
/// The cluster's certificates, made on first start and reused after, as k3s does: a CA (10
/// years), the API server's serving certificate (1 year, issued again when its names change) and
/// the admin client certificate (CN=admin, O=system:masters), kept for the user's kubeconfig
/// only; the client certificates of the control-plane components that run in the server's
/// process, each its own user with its own RBAC role (k3s' client-scheduler, client-controller,
/// client-kube-proxy, and ours for the cluster DNS; the server's own kubelet gets
/// <see cref="NodeClient"/>); and, for API aggregation, a
/// separate front-proxy CA (k3s's request-header-ca) with the client certificate the API server
/// presents to extension API servers (CN=system:auth-proxy), which trust the X-Remote-* headers
/// only from a client that CA signed. Every leaf in <see cref="Leaves"/> goes through the one
/// renewal rule (<see cref="LeafCertificates"/>: renewed at start when expired or within 120
/// days); the CAs are never renewed automatically. Keys are ECDSA P-256 and are written owner-only.
/// </summary>
public sealed class ClusterPki
{
    /// <summary>The cluster CA's file name.</summary>
    public const string CaName = "server-ca";

    /// <summary>The front-proxy CA's file name (k3s: request-header-ca).</summary>
    public const string FrontProxyCaName = "request-header-ca";

    private const string ServingName = "serving-kube-apiserver";
    private const string AdminName = "client-admin";
    private const string FrontProxyClientName = "client-auth-proxy";
    private const string SchedulerName = "client-scheduler";
    private const string ControllerManagerName = "client-controller";
    private const string KubeProxyName = "client-kube-proxy";
    private const string ClusterDnsName = "client-cluster-dns";
    private const string MetricsName = "client-metrics-server";
    private const string IngressName = "client-ingress";
    private const string ManifestsName = "client-manifests";
    private const string KubeletClientName = "client-kubelet";

    /// <summary>The scheduler's user (bound to system:kube-scheduler and system:volume-scheduler).</summary>
    public const string SchedulerUser = "system:kube-scheduler";

    /// <summary>The controller manager's user (bound to system:kube-controller-manager): its informers, leader election and token requests.</summary>
    public const string ControllerManagerUser = "system:kube-controller-manager";

    /// <summary>The service proxy's user (bound to system:node-proxier).</summary>
    public const string KubeProxyUser = "system:kube-proxy";

    /// <summary>The cluster DNS's user (bound to system:kube-dns, and in kube-system to what publishing its Service takes).</summary>
    public const string ClusterDnsUser = "system:mkube:cluster-dns";

    /// <summary>The metrics add-on's user (bound to system:metrics-server: nodes and pods, and the kubelets' nodes/metrics).</summary>
    public const string MetricsUser = "system:mkube:metrics-server";

    /// <summary>
    /// The server's ingress add-on (bound to system:mkube:gateway-crds: installs the Gateway API
    /// CRDs at start). Never a data plane's: each node's is its own user (<see cref="IngressNodeLeaf"/>).
    /// </summary>
    public const string IngressUser = "system:mkube:ingress";

    /// <summary>
    /// The auto-deploy manifests' user, bound to cluster-admin: the files hold arbitrary objects
    /// (RBAC roles, CRDs, webhooks), so it needs every right, as k3s' deploy controller has.
    /// </summary>
    public const string ManifestsUser = "system:mkube:manifests";

    /// <summary>The front-proxy client certificate's common name: what extension servers' requestheader-allowed-names lists.</summary>
    public const string FrontProxyClientUser = "system:auth-proxy";

    // Where the CA's key is read from when a joining agent's certificate is signed.
    private readonly string _directory;

    private ClusterPki(string directory, X509Certificate2 ca, X509Certificate2 frontProxyCa, IReadOnlyDictionary<string, X509Certificate2> leaves)
    {
        _directory = directory;
        Ca = ca;
        FrontProxyCa = frontProxyCa;
        Serving = leaves[ServingName];
        Admin = leaves[AdminName];
        FrontProxyClient = leaves[FrontProxyClientName];
        Scheduler = leaves[SchedulerName];
        ControllerManager = leaves[ControllerManagerName];
        KubeProxy = leaves[KubeProxyName];
        ClusterDns = leaves[ClusterDnsName];
        Metrics = leaves[MetricsName];
        Ingress = leaves[IngressName];
        Manifests = leaves[ManifestsName];
    }

    /// <summary>The CAs of the server's PKI directory, by file name, with the common-name prefix each is made with.</summary>
    public static IReadOnlyList<(string Name, string CommonName)> Authorities { get; } =
        [(CaName, "mkube-server-ca"), (FrontProxyCaName, "mkube-request-header-ca")];

    /// <summary>The cluster CA (public part only).</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The serving certificate, with its private key.</summary>
    public X509Certificate2 Serving { get; }

    /// <summary>The admin client certificate, with its private key: the user's kubeconfig, never a component's.</summary>
    public X509Certificate2 Admin { get; }

    /// <summary>The scheduler's client certificate (<see cref="SchedulerUser"/>), with its private key.</summary>
    public X509Certificate2 Scheduler { get; }

    /// <summary>The controller manager's client certificate (<see cref="ControllerManagerUser"/>), with its private key.</summary>
    public X509Certificate2 ControllerManager { get; }

    /// <summary>The service proxy's client certificate (<see cref="KubeProxyUser"/>), with its private key.</summary>
    public X509Certificate2 KubeProxy { get; }

    /// <summary>The cluster DNS's client certificate (<see cref="ClusterDnsUser"/>), with its private key.</summary>
    public X509Certificate2 ClusterDns { get; }

    /// <summary>The metrics add-on's client certificate (<see cref="MetricsUser"/>), with its private key: to the API server and to the kubelets.</summary>
    public X509Certificate2 Metrics { get; }

    /// <summary>The server's ingress add-on's client certificate (<see cref="IngressUser"/>), with its private key.</summary>
    public X509Certificate2 Ingress { get; }

    /// <summary>The auto-deploy manifests' client certificate (<see cref="ManifestsUser"/>), with its private key.</summary>
    public X509Certificate2 Manifests { get; }

    /// <summary>The CA of the front-proxy client certificate (public part only): requestheader-client-ca-file.</summary>
    public X509Certificate2 FrontProxyCa { get; }

    /// <summary>The client certificate the aggregator proxies with, with its private key.</summary>
    public X509Certificate2 FrontProxyClient { get; }

    /// <summary>
    /// Every leaf certificate of the server's PKI directory, with the k3s service it belongs to.
    /// A new server certificate is one more entry here: it is then issued, renewed, checked and
    /// rotated like the others.
    /// </summary>
    /// <param name="servingNames">DNS names and IP addresses the serving certificate must carry.</param>
    public static IReadOnlyList<LeafCertificate> Leaves(IReadOnlyCollection<string> servingNames) =>
    [
        new(ServingName, "api-server", "CN=kube-apiserver", servingNames, CertificateUsage.ServerAuth, CaName),
        new(AdminName, "admin", "CN=admin, O=system:masters", [], CertificateUsage.ClientAuth, CaName),
        new(FrontProxyClientName, "auth-proxy", "CN=" + FrontProxyClientUser, [], CertificateUsage.ClientAuth, FrontProxyCaName),
        Client(SchedulerName, "scheduler", SchedulerUser),
        Client(ControllerManagerName, "controller-manager", ControllerManagerUser),
        Client(KubeProxyName, "kube-proxy", KubeProxyUser),
        Client(ClusterDnsName, "cluster-dns", ClusterDnsUser),
        Client(MetricsName, "metrics-server", MetricsUser),
        Client(IngressName, "ingress", IngressUser),
        Client(ManifestsName, "manifests", ManifestsUser),
    ];

    /// <summary>
    /// The client certificate of the server's own kubelet: <c>system:node:NODE</c> in
    /// <c>system:nodes</c>, what the Node authorizer recognises (k3s' client-kubelet). Issued when
    /// the local agent asks for it, since only it knows the node name; listed by the inventory
    /// with the other leaves of <c>server/tls</c>.
    /// </summary>
    public static LeafCertificate KubeletClientLeaf(string nodeName) =>
        new(KubeletClientName, "kubelet", $"CN=system:node:{nodeName}, O=system:nodes", [], CertificateUsage.ClientAuth, CaName);

    /// <summary>
    /// The client certificate of <paramref name="nodeName"/>'s ingress data plane:
    /// <c>system:mkube:ingress:NODE</c> in <c>system:mkube:ingress-nodes</c>
    /// (<see cref="IngressNodeIdentity"/>), which reads what it routes and writes only its node's
    /// EndpointSlice. A joining agent gets it through the node-credentials endpoint; a server's own
    /// data plane in memory (<see cref="IngressNodeClientInMemory"/>).
    /// </summary>
    public static LeafCertificate IngressNodeLeaf(string nodeName) =>
        new(IngressName, "ingress", $"CN={IngressNodeIdentity.UserName(nodeName)}, O={IngressNodeIdentity.Group}", [], CertificateUsage.ClientAuth, CaName);

    private static LeafCertificate Client(string name, string service, string user) =>
        new(name, service, "CN=" + user, [], CertificateUsage.ClientAuth, CaName);

    /// <summary>Loads the certificates from <paramref name="directory"/>, making what is missing and renewing leaves the renewal rule says are due.</summary>
    /// <param name="names">DNS names and IP addresses the serving certificate must carry.</param>
    /// <param name="logger">Where renewals are reported (a warning before each).</param>
    public static ClusterPki LoadOrCreate(string directory, IReadOnlyCollection<string> names, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(time);
        logger ??= NullLogger.Instance;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var now = time.GetUtcNow();
        var authorities = Authorities.ToDictionary(
            a => a.Name,
            a => CertificateFiles.Load(directory, a.Name) ?? CertificateFiles.CreateCa(directory, a.Name, a.CommonName, now));
        try
        {
            var leaves = Leaves(names).ToDictionary(l => l.Name, l => LeafCertificates.LoadOrRenew(directory, l, authorities[l.IssuerName!], now, logger));
            return new ClusterPki(directory, X509CertificateLoader.LoadCertificate(authorities[CaName].RawData), X509CertificateLoader.LoadCertificate(authorities[FrontProxyCaName].RawData), leaves);
        }
        finally
        {
            // Only the public parts of the CAs stay in memory; their keys are read again when a leaf is due.
            foreach (var ca in authorities.Values)
            {
                ca.Dispose();
            }
        }
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

    /// <summary>
    /// The server's own kubelet's client certificate for <paramref name="nodeName"/>, with its key,
    /// under the one renewal rule (<see cref="LeafCertificates"/>): issued when missing or when
    /// the node name changed, renewed when due. The CA's key is read for this and dropped.
    /// </summary>
    public X509Certificate2 NodeClient(string nodeName, DateTimeOffset now, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        using var ca = CertificateFiles.Load(_directory, CaName) ?? throw new InvalidOperationException($"the cluster CA is missing from {_directory}");
        return LeafCertificates.LoadOrRenew(_directory, KubeletClientLeaf(nodeName), ca, now, logger ?? NullLogger.Instance);
    }

    /// <summary>
    /// Client certificates <c>system:node:NAME</c> for many simulated nodes at once, with fresh
    /// P-256 keys, kept in memory only (nothing is written: they live as long as the process);
    /// the CA's key is read once for them all and dropped.
    /// </summary>
    public IReadOnlyList<X509Certificate2> NodeClientsInMemory(IReadOnlyList<string> nodeNames, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(nodeNames);
        return InMemory([.. nodeNames.Select(KubeletClientLeaf)], now);
    }

    /// <summary>
    /// The client certificate of the server's own ingress data plane (<see cref="IngressNodeLeaf"/>)
    /// with a fresh key, in memory only: it is issued again at every start, so nothing is written.
    /// </summary>
    public X509Certificate2 IngressNodeClientInMemory(string nodeName, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        return InMemory([IngressNodeLeaf(nodeName)], now)[0];
    }

    // Fresh P-256 keys signed as the given leaves; the CA's key is read once for them all and dropped.
    private List<X509Certificate2> InMemory(IReadOnlyList<LeafCertificate> leaves, DateTimeOffset now)
    {
        using var ca = CertificateFiles.Load(_directory, CaName) ?? throw new InvalidOperationException($"the cluster CA is missing from {_directory}");
        var certificates = new List<X509Certificate2>(leaves.Count);
        foreach (var leaf in leaves)
        {
            using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=" + leaf.Name, key, System.Security.Cryptography.HashAlgorithmName.SHA256).CreateSigningRequestPem();
            using var issued = CertificateFiles.SignRequest(request, leaf, ca, now);
            certificates.Add(issued.CopyWithPrivateKey(key));
        }
        return certificates;
    }

    /// <summary>
    /// Signs the public key of a PKCS#10 request (PEM; its signature is checked, its subject and
    /// extensions ignored) as the cluster CA's leaf <paramref name="leaf"/>: what a joining agent
    /// gets for the key it keeps. Nothing is written; the CA's key is read for this and dropped.
    /// </summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The request is malformed or its signature does not verify.</exception>
    public X509Certificate2 Sign(string requestPem, LeafCertificate leaf, DateTimeOffset now)
    {
        using var ca = CertificateFiles.Load(_directory, CaName) ?? throw new InvalidOperationException($"the cluster CA is missing from {_directory}");
        return CertificateFiles.SignRequest(requestPem, leaf, ca, now);
    }
}
