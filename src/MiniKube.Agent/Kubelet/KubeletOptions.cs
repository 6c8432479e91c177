namespace MiniKube.Agent.Kubelet;

/// <summary>What one kubelet is: its node's name and address, where it keeps pod files, its pacing.</summary>
public sealed class KubeletOptions
{
    public required string NodeName { get; init; }

    /// <summary>The node's InternalIP, also the pods' hostIP.</summary>
    public required string NodeIp { get; init; }

    /// <summary>Pod volumes live under DATA_DIR/agent/pods/&lt;uid&gt;/volumes.</summary>
    public required string PodsDirectory { get; init; }

    /// <summary>
    /// Where the kubelet keeps its local copy of its pods and what they need (<see cref="LocalState"/>),
    /// so it runs them while the API server is away, across its own restarts too; the Node then says
    /// so (<see cref="WellKnownAnnotations.NodeAutonomy"/>). Null: no copy (simulated nodes).
    /// </summary>
    public string? LocalStateDirectory { get; init; }

    public string KubeletVersion { get; init; } = "v1.32.0";

    /// <summary>Image tarballs dropped here are loaded at start and within seconds of appearing (null: none).</summary>
    public string? ImagesDirectory { get; init; }

    /// <summary>Static pod manifests (*.yaml, *.yml, *.json) in this directory run without the API server and appear there as mirror pods (null: none).</summary>
    public string? StaticPodsDirectory { get; init; }

    /// <summary>How often the static pod directory is read again (upstream's file source: 20 s).</summary>
    public TimeSpan StaticPodsRescanInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the runtime is listed for the whole node, so container starts and exits are noticed (upstream's PLEG relist period, 1 s).</summary>
    public TimeSpan RelistInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often every pod is synced even without a change (upstream's --sync-frequency, 1 min).
    /// Half of upstream's: an idle pod's sync reads the relist and the informer and writes nothing,
    /// so it is cheap, and it bounds how long whatever a missed trigger left wrong stays so.
    /// </summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Node lease renewal; the lease lasts four times this, as upstream's 10 s / 40 s.</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the node's status is written when nothing in it changed (upstream's
    /// nodeStatusReportFrequency, 5 min); a change is written with the next heartbeat. The Lease
    /// is the liveness signal in between, as upstream since node leases.
    /// </summary>
    public TimeSpan NodeStatusReportFrequency { get; init; } = TimeSpan.FromMinutes(5);

    public int MaxPods { get; init; } = 110;

    /// <summary>The cluster DNS Service IP that ClusterFirst pods use as nameserver (kubelet --cluster-dns); null: such pods fall back to the host's DNS, as upstream.</summary>
    public string? ClusterDns { get; init; } = "10.43.0.10";

    /// <summary>The cluster domain for pods' search list (kubelet --cluster-domain).</summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>The host resolv.conf pods' DNS settings start from (kubelet --resolv-conf).</summary>
    public string ResolvConfPath { get; init; } = ResolvConf.HostPath;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The kubelet API's HTTPS port (10250 as upstream); 0 lets the OS choose (tests).</summary>
    public int ServerPort { get; init; } = 10250;

    /// <summary>
    /// The kubelet API's serving certificate with its key, kept and renewed by the host in the
    /// agent's data dir (self-signed, or signed by the cluster CA for a joined agent); null makes a
    /// self-signed one in memory at each start (simulated nodes).
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ServingCertificate { get; init; }

    /// <summary>Only clients with a certificate from this CA (the API server) may use the kubelet API.</summary>
    public required System.Security.Cryptography.X509Certificates.X509Certificate2 ClientCa { get; init; }
}
