using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Addons.Metrics;
using MiniKube.Api;
using MiniKube.Testing;

namespace MiniKube.Addons.Tests.Metrics;

[Category("Integration")]
public sealed class ResourceMetricsCollectorTests
{
    private static readonly NamespacedName Web = new("default", "web");

    [Test]
    public async Task Scrape_KubeletStopsAnswering_ItsLastFiguresAreNoLongerServed()
    {
        await using var api = await TestApiServer.StartAsync();
        using var client = api.Client();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var node = await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "quiet" } }, cancellationToken: timeout.Token);
        node.Status = new V1NodeStatus
        {
            Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "127.0.0.1" }],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = ClosedPort() } },
        };
        await client.CoreV1.ReplaceNodeStatusAsync(node, "quiet", cancellationToken: timeout.Token);
        // Two good scrapes from before the kubelet went quiet: a pod busy at one core.
        var store = new MetricsStore();
        var t0 = DateTimeOffset.UtcNow.AddSeconds(-30);
        store.Store("quiet", Scrape(t0, 0, t0), t0);
        store.Store("quiet", Scrape(t0.AddSeconds(15), 15_000_000_000, t0), t0.AddSeconds(15));
        Assert.That(store.Pod("default", "web"), Is.Not.Null);

        using var collector = new ResourceMetricsCollector(client, store,
            new MetricsOptions { ClientCertificate = api.Pki.Metrics, Resolution = TimeSpan.FromMilliseconds(100), KubeletTimeout = TimeSpan.FromSeconds(2) },
            NullLoggerFactory.Instance, TimeProvider.System);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var run = collector.RunAsync(stop.Token);
        while (store.Nodes.Contains("quiet"))
        {
            await Task.Delay(50, timeout.Token);
        }
        await stop.CancelAsync();
        await run;

        // As metrics-server: no figures rather than stale ones presented as current.
        Assert.That(store.Pod("default", "web"), Is.Null);
        Assert.That(store.Node("quiet"), Is.Null);
    }

    private static KubeletScrape Scrape(DateTimeOffset time, ulong cpuNanos, DateTimeOffset started) =>
        new(new CpuReading(time, cpuNanos), 512UL << 20, new Dictionary<NamespacedName, IReadOnlyList<ContainerReading>>
        {
            [Web] = [new ContainerReading("main", new CpuReading(time, cpuNanos), 1 << 20, started.AddMinutes(-1))],
        });

    /// <summary>A loopback port nothing listens on (it was free a moment ago), so a connection is refused.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
