
namespace MiniKube.Addons.Dns;

/// <summary>How the cluster DNS answers and where it listens (k3s' CoreDNS Corefile, in options).</summary>
public sealed record ClusterDnsOptions
{
    /// <summary>The cluster domain (kubelet --cluster-domain); names below it are ours, the rest are forwarded.</summary>
    public string Domain { get; init; } = "cluster.local";

    /// <summary>TTL of every answer and of negative answers (CoreDNS kubernetes plugin's default: 5 s).</summary>
    public uint Ttl { get; init; } = 5;

    /// <summary>Addresses to listen on, UDP and TCP each.</summary>
    public IReadOnlyList<IPAddress> ListenAddresses { get; init; } = [IPAddress.Loopback];

    /// <summary>The port to listen on (53); 0 lets the OS choose one (tests), the same for UDP and TCP.</summary>
    public int Port { get; init; } = 53;

    /// <summary>Where names outside the cluster domain go (CoreDNS's <c>forward . /etc/resolv.conf</c>); null: they get SERVFAIL.</summary>
    public IPEndPoint? Upstream { get; init; }

    /// <summary>How long an upstream answer may take before the client gets SERVFAIL.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A TCP client that sends nothing for this long is disconnected (RFC 7766 suggests seconds).</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
