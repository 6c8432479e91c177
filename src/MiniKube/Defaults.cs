namespace MiniKube;

/// <summary>
/// Cluster defaults in one place. They follow k3s wherever k3s has the same knob, so that a k3s
/// user's habits and config files carry over (ARCHITECTURE.md §7).
/// </summary>
public static class Defaults
{
    public const string DataDir = "/var/lib/mkube";
    public const string ConfigFile = "/etc/mkube/config.yaml";
    public const string WriteKubeconfig = "/etc/mkube/mkube.yaml";
    public const string WriteKubeconfigMode = "0600";
    public const int HttpsListenPort = 6443;
    public const string BindAddress = "0.0.0.0";
    public const string ClusterCidr = "10.42.0.0/16";

    /// <summary>Each node's share of the cluster CIDR (kube-controller-manager's and k3s' default).</summary>
    public const int NodeCidrMaskSize = 24;
    public const string ServiceCidr = "10.43.0.0/16";
    public const string ClusterDns = "10.43.0.10";
    public const string ClusterDomain = "cluster.local";
    public const string ServiceNodePortRange = "30000-32767";

    /// <summary>The ingress data plane's ports on every server (Traefik's entry points web and websecure in k3s).</summary>
    public const int IngressHttpPort = 80;
    public const int IngressHttpsPort = 443;

    /// <summary>The cipher of --secrets-encryption's first key, as k3s' --secrets-encryption-provider.</summary>
    public const string SecretsEncryptionProvider = "aescbc";

    /// <summary>Where mkube secrets-encrypt (and k3s') finds the API server of this machine.</summary>
    public const string LocalServer = "https://127.0.0.1:6443";

    /// <summary>The kubelet API's HTTPS port, as upstream.</summary>
    public const int KubeletPort = 10250;

    /// <summary>The local agent's container runtime.</summary>
    public const string Runtime = "docker";

    /// <summary>kube-apiserver's --event-ttl default: Events live an hour after their last write.</summary>
    public static readonly TimeSpan EventTtl = TimeSpan.FromHours(1);

    /// <summary>Upper bound of --simulate-nodes: a sanity limit (each simulated node costs a kubelet API port and some memory).</summary>
    public const int MaxSimulatedNodes = 10000;

    /// <summary>Where the Docker engine listens.</summary>
    public const string DockerEndpoint = "unix:///var/run/docker.sock";

    /// <summary>The pod sandbox image (holds each pod's network namespace); built locally, never pulled.</summary>
    public const string SandboxImage = "mkube.local/pause:1";

    /// <summary>When the server takes scheduled snapshots (k3s' --etcd-snapshot-schedule-cron default: 00:00 and 12:00).</summary>
    public const string SnapshotScheduleCron = "0 */12 * * *";

    /// <summary>How many scheduled snapshots the server keeps (k3s' --etcd-snapshot-retention default).</summary>
    public const int SnapshotRetention = 5;

    /// <summary>Prefix of every flag's environment twin: <c>--data-dir</c> is <c>MKUBE_DATA_DIR</c>.</summary>
    public const string EnvironmentPrefix = "MKUBE_";

    /// <summary>How long SIGTERM may take to stop every component before the process gives up waiting.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);
}
