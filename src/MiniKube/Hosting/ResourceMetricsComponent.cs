using k8s;
using Microsoft.Extensions.Logging;
using MiniKube.Addons.Metrics;

namespace MiniKube.Hosting;

/// <summary>
/// The resource metrics add-on (metrics-server's role, built in): scrapes every kubelet's
/// /metrics/resource into the <see cref="MetricsStore"/> that the API server in this process
/// serves as metrics.k8s.io. It reaches the API server and the kubelets as
/// system:mkube:metrics-server (a client certificate of the cluster PKI, bound to
/// system:metrics-server). Ready at once: metrics appear from the second scrape on, as with
/// metrics-server. <c>--disable metrics</c> leaves it (and the metrics API) out.
/// </summary>
/// <param name="resolution">Between scrapes (metrics-server's 15 s; tests shorten it).</param>
internal sealed class ResourceMetricsComponent(IClusterAccess cluster, ApiServerComponent apiServer, MetricsStore store, TimeSpan resolution, TimeProvider time, ILoggerFactory loggers) : IComponent
{
    public string Name => "metrics";

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        var certificate = apiServer.Pki?.Metrics ?? throw new InvalidOperationException("the API server is not ready");
        using var client = new Kubernetes(cluster.ClientConfiguration(ComponentIdentity.Metrics));
        using var collector = new ResourceMetricsCollector(client, store, new MetricsOptions { ClientCertificate = certificate, Resolution = resolution }, loggers, time);
        ready.Set();
        try
        {
            await collector.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
