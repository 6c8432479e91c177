using k8s;
using k8s.Models;
using MiniKube.Addons.Metrics;
using MiniKube.Hosting;

namespace MiniKube.Tests.Hosting;

/// <summary>
/// <c>mkube server --disable-agent --simulate-nodes 2</c> with the metrics add-on, in process: the
/// add-on scrapes the simulated kubelets' /metrics/resource as system:mkube:metrics-server and the
/// API server serves the figures as metrics.k8s.io (read here with the C# client's metrics calls).
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class ResourceMetricsComponentTests
{
    private ServerHost _server = null!;

    private Kubernetes Client => _server.Admin;

    [SetUp]
    public async Task SetUp()
    {
        var store = new MetricsStore();
        _server = await ServerHost.StartAsync("mkube-metrics-", (services, dataDir) => services
                .AddSimulatedNodes(new SimulatedNodesSettings(2, "test", dataDir, "127.0.0.1"))
                .AddResourceMetrics(store, TimeSpan.FromSeconds(1)),
            settings => settings with { ResourceMetrics = store });
    }

    [TearDown]
    public async Task TearDown() => await _server.DisposeAsync();

    [Test]
    public async Task Scrape_SimulatedNodes_NodeAndPodMetricsServed()
    {
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default" } }, "default");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "kube-root-ca.crt" }, Data = new Dictionary<string, string> { ["ca.crt"] = "test CA" } }, "default");
        await ServerHost.WaitUntilAsync(async () => (await Client.CoreV1.ListNodeAsync()).Items.Count == 2);
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec
            {
                NodeName = "test-sim-001",
                TerminationGracePeriodSeconds = 1,
                Containers = [new V1Container { Name = "main", Image = "nginx" }, new V1Container { Name = "sidecar", Image = "busybox" }],
            },
        }, "default");

        NodeMetricsList nodes = null!;
        await ServerHost.WaitUntilAsync(async () => (nodes = await Client.GetKubernetesNodesMetricsAsync()).Items.Count() == 2);
        PodMetricsList pods = null!;
        await ServerHost.WaitUntilAsync(async () => (pods = await Client.GetKubernetesPodsMetricsByNamespaceAsync("default")).Items.Any());

        Assert.That(nodes.Items.Select(n => n.Metadata.Name), Is.EquivalentTo(new[] { "test-sim-000", "test-sim-001" }));
        Assert.That(nodes.Items.Select(n => n.Usage["cpu"].ToDecimal()), Is.All.GreaterThan(0m));
        Assert.That(nodes.Items.Select(n => n.Usage["memory"].ToDecimal()), Is.All.GreaterThanOrEqualTo(256m * 1024 * 1024));
        var web = pods.Items.Single();
        Assert.That(web.Metadata.Name, Is.EqualTo("web"));
        Assert.That(web.Metadata.Labels["app"], Is.EqualTo("web"));
        Assert.That(web.Containers.Select(c => c.Name), Is.EqualTo(new[] { "main", "sidecar" }));
        // The simulated runtime's steady rates: 1-20 millicores, 8-63 MiB per container.
        Assert.That(web.Containers.Select(c => c.Usage["cpu"].ToDecimal()), Is.All.InRange(0.0009m, 0.0201m));
        Assert.That(web.Containers.Select(c => c.Usage["memory"].ToDecimal()), Is.All.InRange(8m * 1024 * 1024, 63m * 1024 * 1024));
    }
}
