using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using MiniKube.Agent.Proxy;

namespace MiniKube.Agent.Tests.Proxy;

/// <summary>kube-proxy's own health (proxy_health.go): unhealthy only when a change waited too long for a sync, /healthz and /livez bodies.</summary>
[TestFixture]
public sealed class ProxyHealthTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 17, 0, 0, TimeSpan.Zero);

    [Test]
    public void IsHealthy_FirstSyncLate_TurnsUnhealthyUntilASync()
    {
        var time = new FakeTimeProvider(Start);
        var health = new ProxyHealth(time, TimeSpan.FromSeconds(60));
        Assert.That(health.IsHealthy, Is.True, "within the timeout of the start");

        time.Advance(TimeSpan.FromSeconds(61));
        Assert.That(health.IsHealthy, Is.False);

        health.Updated();
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.That(health.IsHealthy, Is.True, "no change waiting");
        health.QueuedUpdate();
        time.Advance(TimeSpan.FromSeconds(30));
        health.QueuedUpdate(); // the oldest pending change counts
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.That(health.IsHealthy, Is.False);
    }

    [TestCase("/healthz", 200, "{\"lastUpdated\": \"2026-12-06 17:00:00.5 +0000 UTC\",\"currentTime\": \"2026-12-06 17:00:00.5 +0000 UTC\", \"nodeEligible\": true}")]
    [TestCase("/livez", 200, "{\"lastUpdated\": \"2026-12-06 17:00:00.5 +0000 UTC\",\"currentTime\": \"2026-12-06 17:00:00.5 +0000 UTC\"}")]
    [TestCase("/other", 404, "404 page not found\n")]
    public async Task ServeAsync_AnswersAsKubeProxy(string path, int status, string body)
    {
        var time = new FakeTimeProvider(Start.AddMilliseconds(500));
        var health = new ProxyHealth(time, TimeSpan.FromSeconds(60));
        health.Updated();

        var (served, text) = await ServeAsync(health, path);

        Assert.That(served, Is.EqualTo(status));
        Assert.That(text, Is.EqualTo(body));
    }

    [TestCase("deleting", false)]
    [TestCase("autoscaler-taint", false)]
    [TestCase("gone", false)]
    [TestCase("other-taint", true)]
    public async Task SyncNode_NodeOnItsWayOut_HealthzAnswers503ButLivezStays200(string node, bool eligible)
    {
        var health = new ProxyHealth(new FakeTimeProvider(Start), TimeSpan.FromSeconds(60));
        health.Updated();
        var taint = node == "autoscaler-taint" ? ProxyHealth.ToBeDeletedTaint : "example.com/other";
        health.SyncNode(node == "gone" ? null : new V1Node
        {
            Metadata = new V1ObjectMeta { Name = "node-a", DeletionTimestamp = node == "deleting" ? Start.UtcDateTime : null },
            Spec = new V1NodeSpec { Taints = [new V1Taint { Key = taint, Effect = "NoSchedule" }] },
        });

        var (healthzStatus, healthzBody) = await ServeAsync(health, "/healthz");
        var (livezStatus, _) = await ServeAsync(health, "/livez");

        Assert.That(health.NodeEligible, Is.EqualTo(eligible));
        Assert.That(healthzStatus, Is.EqualTo(eligible ? 200 : 503));
        Assert.That(healthzBody, Does.EndWith($"\"nodeEligible\": {(eligible ? "true" : "false")}}}"));
        Assert.That(livezStatus, Is.EqualTo(200), "liveness ignores the node");
        Assert.That(health.IsHealthy, Is.True, "service health checks ignore the node too");
    }

    private static async Task<(int Status, string Body)> ServeAsync(ProxyHealth health, string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        using var output = new MemoryStream();
        context.Response.Body = output;
        await health.ServeAsync(context);
        return (context.Response.StatusCode, System.Text.Encoding.UTF8.GetString(output.ToArray()));
    }

    [Test]
    public void GoTime_PrintsAsGo() =>
        Assert.That(ProxyHealth.GoTime(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234)), Is.EqualTo("\"2026-01-02 03:04:05.0001234 +0000 UTC\""));
}
