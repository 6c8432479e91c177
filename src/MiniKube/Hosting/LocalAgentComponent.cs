using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using k8s;
using Microsoft.Extensions.Logging;
using MiniKube.Agent.Kubelet;
using MiniKube.Agent.Network;
using MiniKube.Agent.NetworkPolicy;
using MiniKube.Agent.Proxy;
using MiniKube.Agent.Runtime;
using MiniKube.ApiServer.Pki;

namespace MiniKube.Hosting;

/// <summary>What the agent part of a process needs from its flags.</summary>
internal sealed record AgentSettings(string DataDir, string? NodeName, string? NodeIp, string Runtime)
{
    /// <summary>The kubelet API's port; 0 (any) where several nodes share a machine, as in the tests.</summary>
    public int KubeletPort { get; init; } = Defaults.KubeletPort;

    /// <summary><c>--disable-kube-proxy</c>: no service proxy beside the kubelet.</summary>
    public bool DisableKubeProxy { get; init; }

    /// <summary><c>--disable-network-policy</c> (k3s' flag): NetworkPolicies are not enforced on this node.</summary>
    public bool DisableNetworkPolicy { get; init; }

    /// <summary>The nameserver ClusterFirst pods get (<c>--cluster-dns</c>).</summary>
    public string ClusterDns { get; init; } = Defaults.ClusterDns;

    /// <summary>The cluster's DNS domain, for pods' search paths (<c>--cluster-domain</c>).</summary>
    public string ClusterDomain { get; init; } = Defaults.ClusterDomain;

    /// <summary>The pod range (<c>--cluster-cidr</c>): the pod network forwards it and masquerades what leaves it.</summary>
    public string ClusterCidr { get; init; } = Defaults.ClusterCidr;

    /// <summary>How pods reach pods on other nodes (<c>--flannel-backend</c>).</summary>
    public MiniKube.Agent.Network.OverlayBackend FlannelBackend { get; init; }

    /// <summary>How long a simulated container takes to start (<c>--simulated-start-delay</c>).</summary>
    public TimeSpan SimulatedStartDelay { get; init; }

    /// <summary>This node's name: <c>--node-name</c>, or the hostname as k3s picks it.</summary>
    public string ResolvedNodeName => NodeName ?? Dns.GetHostName().ToLowerInvariant();
}

/// <summary>
/// The kubelet of <c>mkube server</c>'s own node. Like every component it talks to the API
/// server only over HTTPS (ARCHITECTURE.md §3), as system:node:NODE, which the Node authorizer
/// and NodeRestriction govern; it is ready once its node is registered. Beside a kubelet on Docker runs the node's service
/// proxy as system:kube-proxy (simulated pods have no addresses to route to).
/// </summary>
internal sealed class LocalAgentComponent(IClusterAccess cluster, AgentSettings settings, TimeProvider time, ILoggerFactory loggers) : IComponent
{
    public string Name => "agent";

    public Task RunAsync(ReadySignal ready, CancellationToken stoppingToken) =>
        RunKubeletAsync(cluster.ClientConfiguration(ComponentIdentity.Kubelet(settings.ResolvedNodeName)), cluster.ClientConfiguration(ComponentIdentity.KubeProxy),
            cluster.ClusterCa, settings, time, loggers, ready, stoppingToken);

    /// <summary>
    /// Runs a kubelet (as <paramref name="config"/> says), and on Docker the service proxy (as
    /// <paramref name="proxyConfig"/> says), against the API server they point at; ready once its node is registered. The proxy stops
    /// with the kubelet, and a proxy that fails stops the agent. The kubelet serves with its
    /// certificate from DATA_DIR/agent (renewed at start when due), and the node's certificate
    /// expiry monitor runs beside it.
    /// </summary>
    internal static async Task RunKubeletAsync(KubernetesClientConfiguration config, KubernetesClientConfiguration proxyConfig, X509Certificate2 clusterCa, AgentSettings settings, TimeProvider time, ILoggerFactory loggers, ReadySignal ready, CancellationToken stoppingToken, X509Certificate2? servingCertificate = null)
    {
        using var client = new Kubernetes(config);
        var nodeName = settings.ResolvedNodeName;
        var nodeIp = settings.NodeIp ?? DetectNodeIp();
        var monitorLogger = loggers.CreateLogger<CertificateMonitor>();
        // Unless the cluster CA issued one (a joined agent): made, or renewed by the one renewal rule, before the kubelet API serves with it.
        using var selfSigned = servingCertificate is null ? AgentCertificates.LoadOrCreateKubeletServing(Path.Combine(settings.DataDir, "agent"), nodeName, nodeIp, time, monitorLogger) : null;
        var podNetwork = new PodNetworkOptions
        {
            IpamDirectory = Path.Combine(settings.DataDir, "agent", "ipam"),
            ClusterCidr = IPNetwork.Parse(settings.ClusterCidr.Split(',')[0]),
            NodeIp = nodeIp,
            Backend = settings.FlannelBackend,
        };
        var runtime = ContainerRuntimes.Create(settings.Runtime, nodeName, Defaults.DockerEndpoint, Defaults.SandboxImage, settings.SimulatedStartDelay, time, loggers, podNetwork,
            Path.Combine(settings.DataDir, "agent", "registries.yaml"));
        using var disposeRuntime = runtime as IDisposable;
        var kubelet = new Kubelet(client, runtime, new KubeletOptions
        {
            NodeName = nodeName,
            NodeIp = nodeIp,
            PodsDirectory = Path.Combine(settings.DataDir, "agent", "pods"),
            // The copy only matters on a node that outlives the server's absence: not on simulated ones (SimulatedNodesComponent).
            LocalStateDirectory = Path.Combine(settings.DataDir, "agent", "local-state"),
            ImagesDirectory = Path.Combine(settings.DataDir, "agent", "images"),
            StaticPodsDirectory = Path.Combine(settings.DataDir, "agent", "pod-manifests"),
            ClientCa = clusterCa,
            ServingCertificate = servingCertificate ?? selfSigned,
            ServerPort = settings.KubeletPort,
            ClusterDns = settings.ClusterDns,
            ClusterDomain = settings.ClusterDomain,
            Time = time,
        }, loggers);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var proxyClient = new Kubernetes(proxyConfig);
        var policies = await NetworkPolicyFor(proxyClient, settings, nodeName, time, loggers, stop.Token);
        var running = kubelet.RunAsync(stop.Token);
        var proxying = RunBesideAsync(ServiceProxyFor(proxyClient, settings, nodeIp, time, loggers) is { } proxy ? proxy.RunAsync : null, stop);
        var policing = RunBesideAsync(policies is null ? null : policies.RunAsync, stop);
        // Routes to other nodes' pods where pods have addresses of their own (Docker); simulated pods need none.
        using var overlay = settings.Runtime == "docker"
            ? new OverlayNetwork(client, proxyClient, podNetwork, nodeName, HostCommands.Instance, loggers.CreateLogger<OverlayNetwork>())
            : null;
        var overlaying = RunBesideAsync(overlay is null ? null : overlay.RunAsync, stop);
        var monitoring = Task.CompletedTask;
        try
        {
            var started = await Task.WhenAny(kubelet.Ready.Task, running);
            await started;
            ready.Set();
            // Once the API server answers, so its first events are not lost (k3s waits for the same).
            monitoring = new CertificateMonitor(client, settings.DataDir, nodeName, time, monitorLogger, loggers).RunAsync(stop.Token);
            await running;
        }
        finally
        {
            await stop.CancelAsync();
            await proxying;
            await policing;
            await overlaying;
            await monitoring;
        }
    }

    /// <summary>The service proxy of a Docker node (unless <c>--disable-kube-proxy</c>), or null; null, logged, too when iptables cannot be used.</summary>
    private static ServiceProxy? ServiceProxyFor(Kubernetes client, AgentSettings settings, string nodeIp, TimeProvider time, ILoggerFactory loggers) =>
        settings.Runtime == "docker" && !settings.DisableKubeProxy && ServiceProxy.HostPacketRules(loggers) is { } rules
            ? new ServiceProxy(client, rules, new ServiceProxyOptions { Time = time, NodeName = settings.ResolvedNodeName, NodeIp = nodeIp, ClusterCidr = settings.ClusterCidr.Split(',')[0] }, loggers)
            : null;

    /// <summary>
    /// The network policy controller of a Docker node (kube-router's in a k3s agent), under the
    /// node's proxy credentials, or null; null, logged, too when iptables or ipset cannot be used.
    /// </summary>
    private static async Task<NetworkPolicyController?> NetworkPolicyFor(Kubernetes client, AgentSettings settings, string nodeName, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        settings.Runtime == "docker" && !settings.DisableNetworkPolicy && await NetworkPolicyController.HostCommandsAsync(loggers, cancellationToken) is { } commands
            ? new NetworkPolicyController(client, commands, new NetworkPolicyOptions { NodeName = nodeName, Time = time }, loggers)
            : null;

    /// <summary>Runs a component beside the kubelet (the service proxy, the network policy controller) until <paramref name="stop"/>; if it fails it stops the kubelet too, and its exception stops the agent.</summary>
    private static async Task RunBesideAsync(Func<CancellationToken, Task>? run, CancellationTokenSource stop)
    {
        if (run is null)
        {
            return;
        }
        try
        {
            await run(stop.Token);
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
    }

    /// <summary>The first IPv4 address of an interface that is up, as k3s picks the node IP (never a pod bridge's, Docker's, or one of mkube's links).</summary>
    internal static string DetectNodeIp() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback && !n.Name.StartsWith("docker", StringComparison.Ordinal) && !n.Name.StartsWith("veth", StringComparison.Ordinal) && n.Name != PodNetworkOptions.DefaultBridge && n.Name != PodNetworkOptions.DefaultOverlayDevice && !n.Name.StartsWith(PodNetworkOptions.VethPrefix, StringComparison.Ordinal))
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)?.ToString() ?? "127.0.0.1";
}

/// <summary>PEM text of a certificate and its private key, as kubeconfig data wants them.</summary>
internal static class ClusterPkiPem
{
    public static string Certificate(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    public static string Key(X509Certificate2 certificate) => MiniKube.ApiServer.Pki.ClusterPki.KeyPem(certificate);
}
