using System.Net;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Pki;

namespace MiniKube.ApiServer;

/// <summary>Where and how the API server listens, and the cluster facts it enforces.</summary>
public sealed class ApiServerOptions
{
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>HTTPS port; 0 lets the OS choose (tests).</summary>
    public int Port { get; init; } = 6443;

    public required ClusterPki Pki { get; init; }

    /// <summary>The Kubernetes release served at /version, e.g. v1.32.0.</summary>
    public required string KubernetesVersion { get; init; }

    /// <summary>The address other machines and pods reach this server at (default/kubernetes endpoints).</summary>
    public string AdvertiseAddress { get; init; } = "127.0.0.1";

    /// <summary>Service cluster IPs come from here; the first address is the kubernetes Service's.</summary>
    public string ServiceCidr { get; init; } = "10.43.0.0/16";

    public int FirstNodePort { get; init; } = 30000;

    public int LastNodePort { get; init; } = 32767;

    /// <summary>What joining agents read at <c>/v1-mkube/config</c>; null serves no such path (tests).</summary>
    public Http.AgentConfig? AgentConfig { get; init; }

    /// <summary>Accepted bearer tokens and who they stand for.</summary>
    public IReadOnlyDictionary<string, UserInfo> Tokens { get; init; } = new Dictionary<string, UserInfo>();

    /// <summary>Service-account tokens: issuer, audiences, signing key file, admission.</summary>
    public ServiceAccounts.ServiceAccountOptions ServiceAccounts { get; init; } = new();

    /// <summary>Secrets encryption at rest (its keys and rotation); null stores Secrets as they are.</summary>
    public Encryption.SecretsEncryption? SecretsEncryption { get; init; }

    /// <summary>How often a watch that asked for bookmarks gets one.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How the aggregator checks its APIServices.</summary>
    public Aggregation.AggregationOptions Aggregation { get; init; } = new();

    /// <summary>
    /// Where metrics.k8s.io/v1beta1 reads its figures (the metrics add-on's store, wired by the
    /// executable); null (<c>--disable metrics</c>) serves no metrics API and registers no
    /// APIService for it, so <c>kubectl top</c> says "Metrics API not available".
    /// </summary>
    public IResourceMetricsSource? ResourceMetrics { get; init; }
    /// <summary>Static web sites served under their own path prefix before authentication (the dashboard).</summary>
    public IReadOnlyList<Http.PublicSite> Sites { get; init; } = [];

    /// <summary>How long Events live after their last write (kube-apiserver's <c>--event-ttl</c>).</summary>
    public TimeSpan EventTtl { get; init; } = Registry.ObjectLeases.DefaultEventTtl;

    /// <summary>Sizes and waits of the watch cache.</summary>
    public WatchCache.WatchCacheOptions WatchCache { get; init; } = new();
}
