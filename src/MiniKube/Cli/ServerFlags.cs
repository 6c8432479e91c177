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
    public bool DisableDns { get; init; }
    public bool DisableServiceLb { get; init; }
    public Addon DisabledAddons { get; init; }
    public int IngressHttpPort { get; init; } = Defaults.IngressHttpPort;
    public int IngressHttpsPort { get; init; } = Defaults.IngressHttpsPort;
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
}
