using System.CommandLine;
using MiniKube.Addons.Gateway;
using MiniKube.Addons.Metrics;
using MiniKube.Controllers.NodeIpam;
using MiniKube.Hosting;

namespace MiniKube.Cli;

/// <summary>
/// <c>mkube server</c>: the control plane (and, unless <c>--disable-agent</c>, a local agent) in
/// one process. Flag names follow k3s server's.
/// </summary>
internal sealed class ServerCommand : ModeCommand
{
    public ServerCommand()
        : base("server", "Run the control plane, and a local agent unless --disable-agent")
    {
        Add(HttpsListenPort);
        Add(BindAddress);
        Add(AdvertiseAddress);
        Add(WriteKubeconfig);
        Add(WriteKubeconfigMode);
        Add(Token);
        Add(AgentToken);
        foreach (var option in Node.All)
        {
            Add(option);
        }
        Add(DisableAgent);
        Add(DisableScheduler);
        Add(DisableControllerManager);
        Add(DisableDns);
        Add(DisableServiceLb);
        Add(Disable);
        Add(IngressHttpPort);
        Add(IngressHttpsPort);
        Add(DatastoreEndpoint);
        Add(DatastoreCafile);
        Add(DatastoreCertfile);
        Add(DatastoreKeyfile);
        Add(ClusterCidr);
        Add(NodeCidrMaskSize);
        Add(ServiceCidr);
        Add(ClusterDns);
        Add(ClusterDomain);
        Add(ServiceNodePortRange);
        Add(SecretsEncryption);
        Add(SecretsEncryptionProvider);
        Add(EventTtl);
        Add(StoreMemoryBudget);
        Add(NodeMonitorGracePeriod);
        Add(NodeAutonomyDuration);
        Add(SnapshotScheduleCron);
        Add(SnapshotRetention);
        Add(DisableSnapshots);
    }

    public Option<int> HttpsListenPort { get; } = Flags.Port("--https-listen-port", Defaults.HttpsListenPort, "HTTPS port of the API server (0: any free port)", allowAny: true);

    public Option<string> BindAddress { get; } = Flags.IpAddress("--bind-address", Defaults.BindAddress, "Address the API server listens on");

    public Option<string> AdvertiseAddress { get; } = Flags.IpAddress("--advertise-address", null, "Address agents and clients use to reach the API server (default: the node IP)");

    public Option<string> WriteKubeconfig { get; } = Flags.Text("--write-kubeconfig", Defaults.WriteKubeconfig, "Where to write the admin kubeconfig");

    public Option<string> WriteKubeconfigMode { get; } = Flags.FileMode("--write-kubeconfig-mode", Defaults.WriteKubeconfigMode, "File mode of the admin kubeconfig");

    public Option<string> Token { get; } = Flags.Text("--token", null, "Shared secret servers and agents join with (generated when not given)");

    public Option<string> AgentToken { get; } = Flags.Text("--agent-token", null, "Shared secret agents join with, which servers do not accept (default: --token)");

    public NodeOptions Node { get; } = new("the local node");

    public Option<bool> DisableAgent { get; } = Flags.Switch("--disable-agent", "Run the control plane only, without a local agent");

    public Option<bool> DisableScheduler { get; } = Flags.Switch("--disable-scheduler", "Do not run the scheduler in this server");

    public Option<bool> DisableControllerManager { get; } = Flags.Switch("--disable-controller-manager", "Do not run the controller manager in this server");

    public Option<bool> DisableDns { get; } = Flags.Switch("--disable-dns", "Do not run the cluster DNS (k3s: --disable coredns)");

    public Option<bool> DisableServiceLb { get; } = Flags.Switch("--disable-servicelb", "Do not give LoadBalancer Services node IPs, leaving them to another load balancer such as MetalLB (k3s: --disable servicelb)");

    public Option<string[]> Disable { get; } = Flags.ChoiceList("--disable", "Add-ons to leave out", AddonNames.Keys.ToArray());

    public Option<int> IngressHttpPort { get; } = Flags.Port("--ingress-http-port", Defaults.IngressHttpPort, "HTTP port of the ingress controller on every node, agents included (0: any free port)", allowAny: true);

    public Option<int> IngressHttpsPort { get; } = Flags.Port("--ingress-https-port", Defaults.IngressHttpsPort, "HTTPS port of the ingress controller on every node, agents included (0: any free port)", allowAny: true);

    public Option<string> DatastoreEndpoint { get; } = Flags.Urls("--datastore-endpoint", "etcd endpoints (http(s)://host:2379,...) instead of the embedded store");

    public Option<string> DatastoreCafile { get; } = Flags.Text("--datastore-cafile", null, "CA bundle to verify the etcd endpoints");

    public Option<string> DatastoreCertfile { get; } = Flags.Text("--datastore-certfile", null, "Client certificate for etcd");

    public Option<string> DatastoreKeyfile { get; } = Flags.Text("--datastore-keyfile", null, "Client key for etcd");

    public Option<string> ClusterCidr { get; } = Flags.Cidr("--cluster-cidr", Defaults.ClusterCidr, "Pod IP range");

    public Option<int> NodeCidrMaskSize { get; } = Flags.Number("--node-cidr-mask-size", Defaults.NodeCidrMaskSize, 8, 30, "Prefix length of each node's share of --cluster-cidr (IPv4)");

    public Option<string> ServiceCidr { get; } = Flags.Cidr("--service-cidr", Defaults.ServiceCidr, "Service cluster IP range");

    public Option<string> ClusterDns { get; } = Flags.IpAddress("--cluster-dns", Defaults.ClusterDns, "Cluster DNS service IP");

    public Option<string> ClusterDomain { get; } = Flags.DnsName("--cluster-domain", Defaults.ClusterDomain, "Cluster DNS domain");

    public Option<string> ServiceNodePortRange { get; } = Flags.PortRange("--service-node-port-range", Defaults.ServiceNodePortRange, "Port range for NodePort services");

    public Option<bool> SecretsEncryption { get; } = Flags.Switch("--secrets-encryption", "Encrypt Secrets at rest (keys in DATA_DIR/server/cred/encryption-config.json)");

    public Option<string> SecretsEncryptionProvider { get; } = Flags.Choice("--secrets-encryption-provider", Defaults.SecretsEncryptionProvider,
        "Cipher of the first key made by --secrets-encryption: aescbc or secretbox", "aescbc", "secretbox");

    public Option<TimeSpan> EventTtl { get; } = Flags.Duration("--event-ttl", Defaults.EventTtl, "How long Events are kept after their last write (kube-apiserver's flag; 0: forever)");

    public Option<long> StoreMemoryBudget { get; } = Flags.ByteSize("--store-memory-budget", MiniKube.Storage.Embedded.EmbeddedStoreOptions.DefaultMemoryBudget,
        "Bytes of stored values the embedded store keeps in memory, e.g. 256Mi; older history, then Events, then the oldest values beyond it are read from files under DATA_DIR/server/db/spill (0 or unlimited: all in memory)");

    public Option<TimeSpan> NodeMonitorGracePeriod { get; } = Flags.Duration("--node-monitor-grace-period", TimeSpan.FromSeconds(40),
        "How long a node may go without a heartbeat before it is marked NotReady (Unknown) and tainted unreachable (kube-controller-manager's flag)");

    public Option<TimeSpan> NodeAutonomyDuration { get; } = Flags.Duration("--node-autonomy-duration", TimeSpan.FromHours(1),
        "How long the pods of an unreachable agent that runs them from its local copy stay bound before eviction (0: upstream's 300 s tolerations alone)");

    public Option<string> SnapshotScheduleCron { get; } = Flags.WithAlias(Flags.Cron("--snapshot-schedule-cron", Defaults.SnapshotScheduleCron,
        "When to take scheduled snapshots of the store, in cron syntax (k3s: --etcd-snapshot-schedule-cron)"), "--etcd-snapshot-schedule-cron");

    public Option<int> SnapshotRetention { get; } = Flags.WithAlias(Flags.Number("--snapshot-retention", Defaults.SnapshotRetention, 1, 10000,
        "How many scheduled snapshots to keep (k3s: --etcd-snapshot-retention)"), "--etcd-snapshot-retention");

    public Option<bool> DisableSnapshots { get; } = Flags.WithAlias(Flags.Switch("--disable-snapshots",
        "Take no scheduled snapshots; mkube snapshot save still works (k3s: --etcd-disable-snapshots)"), "--etcd-disable-snapshots");

    /// <summary>The <c>--disable</c> names; k3s' own names for the same roles are accepted too.</summary>
    private static readonly Dictionary<string, Addon> AddonNames = new(StringComparer.Ordinal)
    {
        ["ingress"] = Addon.Ingress,
        ["traefik"] = Addon.Ingress,
        ["metrics"] = Addon.Metrics,
        ["metrics-server"] = Addon.Metrics,
        ["dashboard"] = Addon.Dashboard,
        ["dns"] = Addon.Dns,
        ["coredns"] = Addon.Dns,
        ["local-storage"] = Addon.LocalStorage,
        ["servicelb"] = Addon.ServiceLb,
        ["network-policy"] = Addon.NetworkPolicy,
        ["manifests"] = Addon.Manifests,
    };

    public ServerFlags Bind(ParseResult parsed)
    {
        var disabled = Flags.SplitList(parsed.GetValue(Disable) ?? []).Aggregate(Addon.None, (all, name) => all | AddonNames[name])
            | (parsed.GetValue(DisableDns) ? Addon.Dns : Addon.None)
            | (parsed.GetValue(DisableServiceLb) ? Addon.ServiceLb : Addon.None)
            | (parsed.GetValue(Node.DisableNetworkPolicy) ? Addon.NetworkPolicy : Addon.None);
        return Bind(parsed, disabled);
    }

    private ServerFlags Bind(ParseResult parsed, Addon disabled) => new()
    {
        DataDir = parsed.GetRequiredValue(DataDir),
        Debug = parsed.GetValue(Debug),
        HttpsListenPort = parsed.GetValue(HttpsListenPort),
        BindAddress = parsed.GetRequiredValue(BindAddress),
        AdvertiseAddress = parsed.GetValue(AdvertiseAddress),
        WriteKubeconfig = parsed.GetRequiredValue(WriteKubeconfig),
        WriteKubeconfigMode = parsed.GetRequiredValue(WriteKubeconfigMode),
        Token = parsed.GetValue(Token),
        AgentToken = parsed.GetValue(AgentToken),
        Node = Node.Bind(parsed) with { DisableNetworkPolicy = disabled.HasFlag(Addon.NetworkPolicy) },
        DisableAgent = parsed.GetValue(DisableAgent),
        DisableScheduler = parsed.GetValue(DisableScheduler),
        DisableControllerManager = parsed.GetValue(DisableControllerManager),
        DisabledAddons = disabled,
        IngressHttpPort = parsed.GetValue(IngressHttpPort),
        IngressHttpsPort = parsed.GetValue(IngressHttpsPort),
        DatastoreEndpoint = parsed.GetValue(DatastoreEndpoint),
        DatastoreCafile = parsed.GetValue(DatastoreCafile),
        DatastoreCertfile = parsed.GetValue(DatastoreCertfile),
        DatastoreKeyfile = parsed.GetValue(DatastoreKeyfile),
        ClusterCidr = parsed.GetRequiredValue(ClusterCidr),
        NodeCidrMaskSize = parsed.GetValue(NodeCidrMaskSize),
        ServiceCidr = parsed.GetRequiredValue(ServiceCidr),
        ClusterDns = parsed.GetRequiredValue(ClusterDns),
        ClusterDomain = parsed.GetRequiredValue(ClusterDomain),
        ServiceNodePortRange = parsed.GetRequiredValue(ServiceNodePortRange),
        SecretsEncryption = parsed.GetValue(SecretsEncryption),
        SecretsEncryptionProvider = parsed.GetRequiredValue(SecretsEncryptionProvider),
        EventTtl = parsed.GetValue(EventTtl),
        StoreMemoryBudget = parsed.GetValue(StoreMemoryBudget),
        NodeLifecycle = new() { NodeMonitorGracePeriod = parsed.GetValue(NodeMonitorGracePeriod), AutonomyDuration = parsed.GetValue(NodeAutonomyDuration) },
        SnapshotScheduleCron = parsed.GetRequiredValue(SnapshotScheduleCron),
        SnapshotRetention = parsed.GetValue(SnapshotRetention),
        DisableSnapshots = parsed.GetValue(DisableSnapshots),
    };

    public override void CheckRequired(ParseResult parsed)
    {
        var certFile = parsed.GetValue(DatastoreCertfile);
        var keyFile = parsed.GetValue(DatastoreKeyfile);
        if ((certFile is null) != (keyFile is null))
        {
            throw new UsageException("--datastore-certfile and --datastore-keyfile go together: give both or neither");
        }
        // kube-controller-manager's check: each node's share lies inside the range, at most 2^16 shares.
        var cluster = System.Net.IPNetwork.Parse(parsed.GetRequiredValue(ClusterCidr));
        var mask = parsed.GetValue(NodeCidrMaskSize);
        if (cluster.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            && (mask < cluster.PrefixLength || mask - cluster.PrefixLength > CidrSet.MaxPrefixDifference))
        {
            throw new UsageException($"--node-cidr-mask-size {mask} does not fit --cluster-cidr {cluster}: it must be from /{cluster.PrefixLength} to /{Math.Min(30, cluster.PrefixLength + CidrSet.MaxPrefixDifference)}");
        }
    }

    protected override Task<int> RunAsync(ParseResult parsed, CancellationToken cancellationToken)
    {
        var flags = Bind(parsed);
        // --simulate-nodes adds nodes: the server's own node runs as well unless --disable-agent.
        var agent = flags.Node.Agent(flags.DataDir) with { ClusterDns = flags.ClusterDns, ClusterDomain = flags.ClusterDomain, ClusterCidr = flags.ClusterCidr };
        // Filled by the metrics add-on, served by the API server: one instance for both.
        var metrics = flags.DisabledAddons.HasFlag(Addon.Metrics) ? null : new MetricsStore();
        var ingress = !flags.DisabledAddons.HasFlag(Addon.Ingress);
        return RunHostAsync(flags.Debug, services => services
            .AddDataDirectory(flags.DataDir, "server")
            .AddStore(new StoreSettings(flags.DataDir, flags.DatastoreEndpoint, flags.DatastoreCafile, flags.DatastoreCertfile, flags.DatastoreKeyfile) { MemoryBudget = flags.StoreMemoryBudget })
            .AddSnapshots(new SnapshotSettings(flags.DataDir, agent.ResolvedNodeName)
            {
                Schedule = flags.DisableSnapshots ? null : CronSchedule.Parse(flags.SnapshotScheduleCron),
                ScheduleText = flags.SnapshotScheduleCron,
                Retention = flags.SnapshotRetention,
            })
            .AddApiServer(new ApiServerSettings(flags.DataDir, flags.BindAddress, flags.HttpsListenPort, flags.WriteKubeconfig, flags.WriteKubeconfigMode, flags.ClusterDomain, flags.AdvertiseAddress, flags.Token)
            {
                ServiceCidr = flags.ServiceCidr,
                NodePortRange = flags.ServiceNodePortRange,
                NodeIp = flags.Node.NodeIp,
                SecretsEncryption = flags.SecretsEncryption,
                SecretsEncryptionProvider = flags.SecretsEncryptionProvider,
                AgentToken = flags.AgentToken,
                EventTtl = flags.EventTtl,
                // Agents run the ingress data plane on the same ports while the add-on is on (and none with --disable ingress).
                AgentConfig = new(flags.ClusterCidr, flags.ServiceCidr, flags.ClusterDns, flags.ClusterDomain)
                {
                    Ingress = ingress ? new(flags.IngressHttpPort, flags.IngressHttpsPort) : null,
                },
                ResourceMetrics = metrics,
                Dashboard = !flags.DisabledAddons.HasFlag(Addon.Dashboard),
            })
            .AddGatewayCrds(ingress)
            .AddScheduler(flags.DisableScheduler)
            .AddControllerManager(flags.DisableControllerManager, flags.DataDir, new NodeIpamOptions(NodeIpamOptions.ParseCidrs(flags.ClusterCidr), flags.NodeCidrMaskSize), flags.DisableServiceLb, flags.DisableLocalStorage, ingress ? new GatewayPorts(flags.IngressHttpPort, flags.IngressHttpsPort) : null, flags.NodeLifecycle)
            .AddClusterDns(flags.DisableDns ? null : new ClusterDnsSettings(flags.ClusterDns, flags.ClusterDomain, agent.ResolvedNodeName, flags.Node.NodeIp))
            .AddResourceMetrics(metrics)
            .AddManifests(flags.DisabledAddons.HasFlag(Addon.Manifests) ? null : ManifestsSettings.For(flags.DataDir, agent.ResolvedNodeName))
            .AddIngress(ingress ? new IngressSettings(agent.ResolvedNodeName, flags.Node.NodeIp, flags.IngressHttpPort, flags.IngressHttpsPort) : null)
            .AddLocalAgent(flags.DisableAgent ? null : agent)
            .AddSimulatedNodes(flags.Node.Simulated(agent)), cancellationToken);
    }
}
