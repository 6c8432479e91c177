using System.Net;
using System.Net.Sockets;
using k8s;
using Microsoft.Extensions.Logging;
using MiniKube.Addons.Dns;
using MiniKube.Agent.Kubelet;

namespace MiniKube.Hosting;

/// <summary>What the cluster DNS of <c>mkube server</c> needs from its flags.</summary>
internal sealed record ClusterDnsSettings(string ClusterDnsIp, string ClusterDomain, string NodeName, string? NodeIp)
{
    /// <summary>The port it listens on, UDP and TCP (0: any, for tests).</summary>
    public int Port { get; init; } = 53;

    /// <summary>The resolv.conf whose first nameserver gets the names outside the cluster domain.</summary>
    public string ResolvConfPath { get; init; } = ResolvConf.HostPath;
}

/// <summary>
/// The cluster DNS (k3s' CoreDNS, built in): listens on the node IP, answers the cluster domain
/// from the API and forwards the rest to the host's first nameserver; publishes itself as the
/// Service kube-system/kube-dns at the cluster DNS IP with an EndpointSlice pointing at this
/// server, so the service proxy carries pods' queries to it. Ready once it answers from synced
/// caches and the Service is in place. A port that cannot be had (another DNS server on the node,
/// a second mkube server on one machine) is logged with what to do and leaves this server
/// without DNS rather than stopping the control plane; <c>--disable-dns</c> turns it off. It
/// acts as system:mkube:cluster-dns: upstream's system:kube-dns role to read, and a kube-system
/// Role to publish its Service and EndpointSlice.
/// </summary>
internal sealed partial class ClusterDnsComponent(IClusterAccess cluster, ClusterDnsSettings settings, TimeProvider time, ILoggerFactory loggers) : IComponent
{
    private readonly ILogger _logger = loggers.CreateLogger<ClusterDnsComponent>();

    public string Name => "cluster-dns";

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        var nodeIp = settings.NodeIp ?? LocalAgentComponent.DetectNodeIp();
        var upstream = ResolvConf.Read(settings.ResolvConfPath).Nameservers
            .Select(n => IPAddress.TryParse(n, out var address) ? new IPEndPoint(address, 53) : null)
            .FirstOrDefault(e => e is not null);
        if (upstream is null)
        {
            LogNoUpstream(settings.ResolvConfPath);
        }
        var options = new ClusterDnsOptions
        {
            Domain = settings.ClusterDomain,
            ListenAddresses = [IPAddress.Parse(nodeIp)],
            Port = settings.Port,
            Upstream = upstream,
        };
        using var client = new Kubernetes(cluster.ClientConfiguration(ComponentIdentity.ClusterDns));
        ClusterDns dns;
        try
        {
            dns = ClusterDns.Bind(client, options, loggers, time);
        }
        catch (SocketException e)
        {
            LogCannotListen(nodeIp, settings.Port, e.Message);
            await NodeAddonRun.IdleAsync(ready, time, stoppingToken);
            return;
        }
        using var _ = dns;
        // A stopped server should not keep receiving the cluster's queries: its endpoint is removed on the way out.
        await NodeAddonRun.ServeAsync(dns.Serving, dns.RunAsync(stoppingToken),
            async ct =>
            {
                var port = dns.Endpoints[0].Port;
                await KubeDnsService.EnsureAsync(client, settings.ClusterDnsIp, settings.NodeName, nodeIp, port, ct);
                LogServing(settings.ClusterDnsIp, nodeIp, port, settings.ClusterDomain);
            },
            ct => KubeDnsService.RemoveEndpointAsync(client, settings.NodeName, ct),
            reason => LogEndpointLeft(settings.NodeName, reason),
            ready, stoppingToken);
    }

    [LoggerMessage(EventId = LogEvents.Host + 270, Level = LogLevel.Information, Message = "Cluster DNS serving {ClusterDns} (kube-system/kube-dns) from {NodeIp}:{Port}, domain {Domain}")]
    private partial void LogServing(string clusterDns, string nodeIp, int port, string domain);

    [LoggerMessage(EventId = LogEvents.Host + 271, Level = LogLevel.Error, Message = "Cluster DNS cannot listen on {NodeIp}:{Port} ({Reason}); pods get no cluster DNS from this server. Stop whatever holds the port, or start with --disable-dns")]
    private partial void LogCannotListen(string nodeIp, int port, string reason);

    [LoggerMessage(EventId = LogEvents.Host + 272, Level = LogLevel.Warning, Message = "No nameserver in {Path}: names outside the cluster domain get SERVFAIL")]
    private partial void LogNoUpstream(string path);

    [LoggerMessage(EventId = LogEvents.Host + 273, Level = LogLevel.Warning, Message = "Could not remove the EndpointSlice kube-system/kube-dns-{Node} on stop ({Reason}); the next start rewrites it")]
    private partial void LogEndpointLeft(string node, string reason);
}
