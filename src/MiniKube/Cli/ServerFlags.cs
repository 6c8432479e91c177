namespace MiniKube.Cli;

/// <summary>
/// What the user asked of <c>mkube server</c>, after flags, environment and config file were
/// layered. User intent only: what the process computes at run time lives elsewhere.
/// </summary>
public sealed record ServerFlags
{
    public required string DataDir { get; init; }
    public bool Debug { get; init; }
    public int HttpsListenPort { get; init; } = Defaults.HttpsListenPort;
    public string BindAddress { get; init; } = Defaults.BindAddress;
    public string? AdvertiseAddress { get; init; }
    public string WriteKubeconfig { get; init; } = Defaults.WriteKubeconfig;
    public string WriteKubeconfigMode { get; init; } = Defaults.WriteKubeconfigMode;
    public string? Token { get; init; }
    public string? AgentToken { get; init; }
    public NodeFlags Node { get; init; } = new();
    public bool DisableAgent { get; init; }
    public bool DisableScheduler { get; init; }
    public bool DisableControllerManager { get; init; }

    /// <summary>What <c>--disable</c> and the older <c>--disable-dns</c>/<c>--disable-servicelb</c> switches left out.</summary>
    public Addon DisabledAddons { get; init; }
    public int IngressHttpPort { get; init; } = Defaults.IngressHttpPort;
    public int IngressHttpsPort { get; init; } = Defaults.IngressHttpsPort;

    public bool DisableDns => DisabledAddons.HasFlag(Addon.Dns);
    public bool DisableServiceLb => DisabledAddons.HasFlag(Addon.ServiceLb);
    public bool DisableLocalStorage => DisabledAddons.HasFlag(Addon.LocalStorage);
    public string? DatastoreEndpoint { get; init; }
    public string? DatastoreCafile { get; init; }
    public string? DatastoreCertfile { get; init; }
    public string? DatastoreKeyfile { get; init; }
    public string ClusterCidr { get; init; } = Defaults.ClusterCidr;
    public int NodeCidrMaskSize { get; init; } = Defaults.NodeCidrMaskSize;
    public string ServiceCidr { get; init; } = Defaults.ServiceCidr;
    public string ClusterDns { get; init; } = Defaults.ClusterDns;
    public string ClusterDomain { get; init; } = Defaults.ClusterDomain;
    public string ServiceNodePortRange { get; init; } = Defaults.ServiceNodePortRange;
    public bool SecretsEncryption { get; init; }
    public string SecretsEncryptionProvider { get; init; } = Defaults.SecretsEncryptionProvider;
    public TimeSpan EventTtl { get; init; } = Defaults.EventTtl;

    /// <summary><c>--store-memory-budget</c> in bytes; 0: no limit.</summary>
    public long StoreMemoryBudget { get; init; } = MiniKube.Storage.Embedded.EmbeddedStoreOptions.DefaultMemoryBudget;

    /// <summary><c>--node-monitor-grace-period</c> and <c>--node-autonomy-duration</c>.</summary>
    public MiniKube.Controllers.NodeLifecycle.NodeLifecycleOptions NodeLifecycle { get; init; } = new();
    public string SnapshotScheduleCron { get; init; } = Defaults.SnapshotScheduleCron;
    public int SnapshotRetention { get; init; } = Defaults.SnapshotRetention;
    public bool DisableSnapshots { get; init; }
}

/// <summary>The add-ons <c>mkube server --disable</c> can leave out (k3s' <c>--disable</c>).</summary>
[Flags]
public enum Addon
{
    None = 0,

    /// <summary>The ingress controller, Ingress and Gateway API on YARP (k3s: traefik).</summary>
    Ingress = 1,

    /// <summary>The resource metrics API, metrics.k8s.io (k3s: metrics-server).</summary>
    Metrics = 2,

    /// <summary>The web dashboard.</summary>
    Dashboard = 4,

    /// <summary>The cluster DNS (k3s: coredns).</summary>
    Dns = 8,

    /// <summary>The local-path provisioner and its StorageClass (k3s: local-storage).</summary>
    LocalStorage = 16,

    /// <summary>The service-lb controller for LoadBalancer Services (k3s: servicelb).</summary>
    ServiceLb = 32,

    /// <summary>NetworkPolicy enforcement on the server's own node (k3s: --disable-network-policy).</summary>
    NetworkPolicy = 64,

    /// <summary>The auto-deploy manifests of DATA_DIR/server/manifests (k3s' deploy controller, which k3s cannot turn off).</summary>
    Manifests = 128,
}
