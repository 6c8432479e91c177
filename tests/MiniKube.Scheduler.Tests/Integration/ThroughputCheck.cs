using System.Diagnostics;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.ApiServer.Tests.Integration;
using static MiniKube.Scheduler.Tests.Integration.ClusterObjects;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Integration;

/// <summary>
/// A throughput check run by hand, never in CI (Explicit): 1,000 Node objects and 10,000 pods
/// (100 owners) against the in-process API server, as Kubernetes' scheduler_perf measures it.
/// Run: dotnet test -c Release --filter "FullyQualifiedName~ThroughputCheck" --logger "console;verbosity=detailed".
/// </summary>
[TestFixture]
[Explicit("a benchmark, run by hand")]
[Category("Bench")]
public sealed class ThroughputCheck
{
    private const int Nodes = 1000;
    private const int Pods = 10_000;
    private const int Clients = 32;

    [TestCase(64, true)]
    [TestCase(16, true)]
    [TestCase(64, false)]
    public async Task Schedule_10000PodsOn1000Nodes_PrintsPodsPerSecond(int parallelWrites, bool events)
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.Client();
        try
        {
            await ParallelAsync(Nodes, i => CreateNodeAsync(client, Node($"node-{i:D4}", cpu: "4", memory: "16Gi")));

            // Pods first, then the scheduler: what is timed is deciding and binding, not creating.
            var create = Stopwatch.StartNew();
            await ParallelAsync(Pods, i => client.CoreV1.CreateNamespacedPodAsync(Pod($"pod-{i:D5}", "100m", "128Mi", ownerUid: $"rs-{i % 100}"), "default"));
            TestContext.Out.WriteLine($"created {Pods} pods in {create.Elapsed.TotalSeconds:F1} s ({Pods / create.Elapsed.TotalSeconds:F0}/s)");

            using var stop = new CancellationTokenSource();
            var options = new SchedulerOptions { ParallelWrites = parallelWrites };
            var scheduler = events
                ? new KubeScheduler(client, options, NullLoggerFactory.Instance)
                : new KubeScheduler(client, options, NullLoggerFactory.Instance, null, null, new NoEvents());
            var run = scheduler.RunAsync(stop.Token);
            await scheduler.Synced.WaitAsync(TimeSpan.FromMinutes(2));
            var timer = Stopwatch.StartNew();
            while (scheduler.ScheduledCount < Pods && timer.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(20);
            }
            timer.Stop();
            var bound = scheduler.ScheduledCount;
            await stop.CancelAsync();
            await run;

            TestContext.Out.WriteLine($"parallel writes {parallelWrites}, events {events}:");
            TestContext.Out.WriteLine($"scheduled {bound} pods on {Nodes} nodes in {timer.Elapsed.TotalSeconds:F2} s: {bound / timer.Elapsed.TotalSeconds:F0} pods/s");
            var all = await client.CoreV1.ListNamespacedPodAsync("default");
            var perNode = all.Items.GroupBy(p => p.Spec.NodeName).Select(g => g.Count()).ToList();
            TestContext.Out.WriteLine($"bound per node: min {perNode.Min()}, max {perNode.Max()}");
            Assert.That(bound, Is.EqualTo(Pods));
        }
        finally
        {
            server.DeleteDirectory();
        }
    }

    /// <summary>The decisions alone, without an API server: the scheduler's own ceiling.</summary>
    [Test]
    public void Place_10000PodsOn1000Nodes_InMemory()
    {
        var cache = new MiniKube.Scheduler.Cache.SchedulerCache();
        for (var i = 0; i < Nodes; i++)
        {
            cache.UpsertNode(Node($"node-{i:D4}", cpu: "4", memory: "16Gi"));
        }
        var pods = Enumerable.Range(0, Pods).Select(i => MiniKube.Scheduler.Cache.PodInfo.From(Pod($"pod-{i:D5}", "100m", "128Mi", ownerUid: $"rs-{i % 100}"))).ToList();
        var placer = new MiniKube.Scheduler.Framework.Placer(new Random(1));
        var timer = Stopwatch.StartNew();
        foreach (var pod in pods)
        {
            cache.Assume(pod, placer.Place(pod, cache).Node!.Name);
        }
        timer.Stop();
        TestContext.Out.WriteLine($"decided {Pods} pods on {Nodes} nodes in memory in {timer.Elapsed.TotalSeconds:F2} s: {Pods / timer.Elapsed.TotalSeconds:F0} pods/s");
    }

    private sealed class NoEvents : MiniKube.Scheduler.Cluster.IEventSink
    {
        public void Record(k8s.Models.V1Pod pod, string type, string reason, string action, string message)
        {
        }

        public Task RunAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static async Task ParallelAsync(int count, Func<int, Task> action)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await action(i);
            }
        }));
    }
}
