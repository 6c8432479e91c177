using System.Net;

namespace MiniKube.Agent.Proxy;

/// <summary>How often the service proxy writes its rules (kube-proxy's --iptables-min-sync-period and --iptables-sync-period).</summary>
public sealed record ServiceProxyOptions
{
    /// <summary>The least time between two syncs, however fast Services and EndpointSlices change.</summary>
    public TimeSpan MinSyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the rules are written even without a change, so rules removed by hand come back.</summary>
    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How soon a sync that failed is tried again.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>This node's name: EndpointSlice endpoints with this nodeName serve externalTrafficPolicy Local traffic ("" — none do).</summary>
    public string NodeName { get; init; } = "";

    /// <summary>
    /// The pod range (kube-proxy's --cluster-cidr): pods calling a Local service's node port or
    /// load-balancer IP reach every endpoint, as upstream's local-traffic detector has it; null: not known.
    /// </summary>
    public string? ClusterCidr { get; init; }

    /// <summary>This node's IP: when a Service's source ranges hold it, the node's own calls to the Service's ingress IPs pass its firewall. Null: not known.</summary>
    public string? NodeIp { get; init; }

    /// <summary>
    /// Where the proxy's own /healthz and /livez are served (kube-proxy's --healthz-bind-address,
    /// 0.0.0.0:10256); null: not served. Port 0 takes any free port (tests).
    /// </summary>
    public IPEndPoint? HealthzEndpoint { get; init; } = new(IPAddress.Any, 10256);

    /// <summary>The address every Service's health-check node port listens on (all of the node's by default; loopback in tests).</summary>
    public IPAddress HealthCheckAddress { get; init; } = IPAddress.Any;
}
