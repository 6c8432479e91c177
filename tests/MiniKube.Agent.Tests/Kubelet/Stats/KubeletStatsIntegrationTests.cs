using System.Net;
using System.Text.Json.Nodes;
using k8s;
using MiniKube.Testing;

namespace MiniKube.Agent.Tests.Kubelet.Stats;

/// <summary>The kubelet's /metrics/resource and /stats/summary over HTTPS, as the metrics add-on's user (system:metrics-server's rights) reads them, with the simulated runtime's figures.</summary>
[Category("Integration")]
public sealed class KubeletStatsIntegrationTests
{
    private KubeletTestCluster _cluster = null!;
    private Uri _kubelet = null!;

    [SetUp]
    public async Task SetUp()
    {
        _cluster = await KubeletTestCluster.StartAsync();
        await _cluster.StartKubeletAsync(nodeIp: "127.0.0.1");
        var node = await _cluster.Client.CoreV1.ReadNodeAsync(KubeletTestCluster.NodeName);
        _kubelet = new Uri($"https://127.0.0.1:{node.Status.DaemonEndpoints.KubeletEndpoint.Port}/");
        await _cluster.RunPodAsync("web");
    }

    [TearDown]
    public async Task TearDown() => await _cluster.DisposeAsync();

    [Test]
    public async Task MetricsResource_MetricsServerUser_NodeAndRunningContainer()
    {
        var (code, body) = await GetAsync("system:mkube:metrics-server", "metrics/resource");

        Assert.That(code, Is.EqualTo(HttpStatusCode.OK), body);
        var lines = body.Split('\n');
        Assert.That(lines.Count(l => l.StartsWith("container_cpu_usage_seconds_total{", StringComparison.Ordinal) && l.Contains("pod=\"web\"", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(lines.Count(l => l.StartsWith("container_memory_working_set_bytes{", StringComparison.Ordinal) && l.Contains("pod=\"web\"", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(lines.Any(l => l.StartsWith("node_cpu_usage_seconds_total ", StringComparison.Ordinal)));
        Assert.That(lines, Does.Contain("resource_scrape_error 0"));
    }

    [Test]
    public async Task StatsSummary_SecondReading_CarriesTheCpuRate()
    {
        await GetAsync("system:mkube:metrics-server", "stats/summary");
        await Task.Delay(200);
        var (code, body) = await GetAsync("system:mkube:metrics-server", "stats/summary");

        Assert.That(code, Is.EqualTo(HttpStatusCode.OK), body);
        var summary = JsonNode.Parse(body)!;
        Assert.That((string?)summary["node"]!["nodeName"], Is.EqualTo(KubeletTestCluster.NodeName));
        Assert.That((ulong?)summary["node"]!["cpu"]!["usageNanoCores"], Is.GreaterThan(0UL));
        var pod = summary["pods"]!.AsArray().Single()!;
        Assert.That((string?)pod["podRef"]!["name"], Is.EqualTo("web"));
        Assert.That((ulong?)pod["containers"]![0]!["memory"]!["workingSetBytes"], Is.GreaterThanOrEqualTo(8UL << 20));
    }

    [Test]
    public async Task MetricsResource_UserWithoutNodesMetrics_Forbidden()
    {
        var (code, _) = await GetAsync("jane", "metrics/resource");

        Assert.That(code, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    private async Task<(HttpStatusCode Code, string Body)> GetAsync(string user, string path)
    {
        using var certificate = TestIdentities.Certificate(_cluster.Server, user);
        using var handler = new SocketsHttpHandler();
#pragma warning disable CA5359 // the kubelet's serving certificate is self-signed
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        handler.SslOptions.ClientCertificates = [certificate];
        using var http = new HttpClient(handler);
        using var response = await http.GetAsync(new Uri(_kubelet, path));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
