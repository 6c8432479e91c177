using System.Security.Cryptography.X509Certificates;

namespace MiniKube.Addons.Metrics;

/// <summary>How the metrics add-on scrapes the kubelets.</summary>
public sealed record MetricsOptions
{
    /// <summary>metrics-server's --metric-resolution default.</summary>
    public static readonly TimeSpan DefaultResolution = TimeSpan.FromSeconds(15);

    /// <summary>Between two scrapes of every node.</summary>
    public TimeSpan Resolution { get; init; } = DefaultResolution;

    /// <summary>How long one kubelet may take to answer (metrics-server: --kubelet-request-timeout, 10 s).</summary>
    public TimeSpan KubeletTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Scrapes running at once, so a thousand simulated nodes do not open a thousand connections at the same moment.</summary>
    public int Parallelism { get; init; } = 32;

    /// <summary>The client certificate (with key) presented to the kubelets; its user needs get on nodes/metrics.</summary>
    public required X509Certificate2 ClientCertificate { get; init; }
}
