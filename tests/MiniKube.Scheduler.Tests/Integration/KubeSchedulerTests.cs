using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.ApiServer.Tests.Integration;
using static MiniKube.Scheduler.Tests.Integration.ClusterObjects;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Integration;

/// <summary>The scheduler against an in-process API server with three Node objects and no kubelets.</summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeSchedulerTests
{
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;
    private CancellationTokenSource _stop = null!;
    private Task _scheduler = null!;

    [SetUp]
    public async Task SetUp()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.Client();
        await CreateNodeAsync(_client, Node("node-a", cpu: "4", labels: new Dictionary<string, string> { ["disk"] = "hdd" }));
        await CreateNodeAsync(_client, Node("node-b", cpu: "4", labels: new Dictionary<string, string> { ["disk"] = "ssd" }));
        await CreateNodeAsync(_client, Node("node-c", cpu: "4", labels: new Dictionary<string, string> { ["disk"] = "hdd" }));
        _stop = new CancellationTokenSource();
        // The periodic retry is far off: every retry seen here is driven by a cluster change.
        var scheduler = new KubeScheduler(_client, new SchedulerOptions { UnschedulableRetryInterval = TimeSpan.FromHours(1) }, NullLoggerFactory.Instance);
        _scheduler = scheduler.RunAsync(_stop.Token);
        await scheduler.Synced.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [TearDown]
    public async Task TearDown()
    {
        await _stop.CancelAsync();
        await _scheduler.WaitAsync(TimeSpan.FromSeconds(20));
        _stop.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }

    [Test]
    public async Task Pods_AreBound_SpreadOverNodes_WithScheduledEvents()
    {
        for (var i = 0; i < 6; i++)
        {
            await _client.CoreV1.CreateNamespacedPodAsync(Pod($"web-{i}", "500m", "256Mi", ownerUid: "rs-web"), "default");
        }

        var nodes = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var pod = await WaitForPodAsync(_client, $"web-{i}", p => !string.IsNullOrEmpty(p.Spec.NodeName));
            nodes.Add(pod.Spec.NodeName);
            Assert.That(pod.Status.Conditions.Single(c => c.Type == "PodScheduled").Status, Is.EqualTo("True"));
        }
        Assert.That(nodes.GroupBy(n => n).Select(g => g.Count()), Is.EqualTo(new[] { 2, 2, 2 }), string.Join(",", nodes));

        var events = await WaitForEventsAsync("web-0", "Scheduled");
        Assert.That(events[0].Message, Is.EqualTo($"Successfully assigned default/web-0 to {nodes[0]}"));
        Assert.That(events[0].Source.Component, Is.EqualTo("default-scheduler"));
    }

    [Test]
    public async Task TooBigPod_IsUnschedulableWithUpstreamsMessage_ThenLandsOnANewBigNode()
    {
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("huge", "10", "1Gi"), "default");
        const string expected = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";

        var pending = await WaitForPodAsync(_client, "huge", p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Reason == "Unschedulable") == true);
        var condition = pending.Status.Conditions.Single(c => c.Type == "PodScheduled");
        Assert.That(condition.Status, Is.EqualTo("False"));
        Assert.That(condition.Message, Is.EqualTo(expected));
        var failed = await WaitForEventsAsync("huge", "FailedScheduling");
        Assert.That(failed[0].Message, Is.EqualTo(expected));
        Assert.That(failed[0].Type, Is.EqualTo("Warning"));

        await CreateNodeAsync(_client, Node("node-big", cpu: "16"));

        var bound = await WaitForPodAsync(_client, "huge", p => !string.IsNullOrEmpty(p.Spec.NodeName));
        Assert.That(bound.Spec.NodeName, Is.EqualTo("node-big"));
    }

    [Test]
    public async Task NodeSelector_LandsOnTheMatchingNode()
    {
        var pod = Pod("fast", "100m");
        pod.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd" };

        await _client.CoreV1.CreateNamespacedPodAsync(pod, "default");

        var bound = await WaitForPodAsync(_client, "fast", p => !string.IsNullOrEmpty(p.Spec.NodeName));
        Assert.That(bound.Spec.NodeName, Is.EqualTo("node-b"));
    }

    [Test]
    public async Task FullNode_FreedByADeletedPod_TakesTheWaitingPod()
    {
        var pods = new[] { "fill-a", "fill-b", "fill-c" };
        foreach (var name in pods)
        {
            await _client.CoreV1.CreateNamespacedPodAsync(Pod(name, "3"), "default");
        }
        foreach (var name in pods)
        {
            await WaitForPodAsync(_client, name, p => !string.IsNullOrEmpty(p.Spec.NodeName));
        }
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("waiting", "2"), "default");
        await WaitForPodAsync(_client, "waiting", p => p.Status?.Conditions?.Any(c => c.Reason == "Unschedulable") == true);

        var freed = await _client.CoreV1.ReadNamespacedPodAsync("fill-b", "default");
        await _client.CoreV1.DeleteNamespacedPodAsync("fill-b", "default", new V1DeleteOptions { GracePeriodSeconds = 0 });

        var bound = await WaitForPodAsync(_client, "waiting", p => !string.IsNullOrEmpty(p.Spec.NodeName));
        Assert.That(bound.Spec.NodeName, Is.EqualTo(freed.Spec.NodeName));
    }

    [Test]
    public async Task OtherSchedulersPods_AreLeftAlone()
    {
        var pod = Pod("custom", "100m");
        pod.Spec.SchedulerName = "my-scheduler";
        await _client.CoreV1.CreateNamespacedPodAsync(pod, "default");
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("marker", "100m"), "default");

        // Pods are decided in order: once the later one is bound, the first was seen and skipped.
        await WaitForPodAsync(_client, "marker", p => !string.IsNullOrEmpty(p.Spec.NodeName));
        var custom = await _client.CoreV1.ReadNamespacedPodAsync("custom", "default");
        Assert.That(custom.Spec.NodeName, Is.Null.Or.Empty);
    }

    private async Task<IList<Corev1Event>> WaitForEventsAsync(string pod, string reason)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var list = await _client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={pod}");
            var matching = list.Items.Where(e => e.Reason == reason).ToList();
            if (matching.Count > 0)
            {
                return matching;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"no {reason} event for {pod}; saw {string.Join(", ", list.Items.Select(e => e.Reason))}");
            }
            await Task.Delay(50);
        }
    }
}
