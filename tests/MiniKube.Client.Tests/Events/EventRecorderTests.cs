using MiniKube.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniKube.Client.Events;

namespace MiniKube.Client.Tests.Events;

/// <summary>Events written to a real in-process API server, read back as kubectl describe reads them.</summary>
[TestFixture]
[Category("Integration")]
public sealed class EventRecorderTests
{
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.Client();
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }

    [Test]
    public async Task Record_SameEventRepeated_OneEventWithCountAndLastTimestamp()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var recorder = new EventRecorder(_client, new EventRecorderOptions { Component = "default-scheduler", Time = time }, NullLogger.Instance);
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "default", Uid = "uid-web-1" } };
        var other = new V1Pod { Metadata = new V1ObjectMeta { Name = "web-2", NamespaceProperty = "default", Uid = "uid-web-2" } };

        recorder.Record(pod, EventTypes.Warning, "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.");
        time.Advance(TimeSpan.FromMinutes(1));
        recorder.Record(pod, EventTypes.Warning, "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.");
        time.Advance(TimeSpan.FromMinutes(1));
        recorder.Record(pod, EventTypes.Warning, "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.");
        recorder.Record(pod, EventTypes.Normal, "Scheduled", "Successfully assigned default/web-1 to n1");
        recorder.Record(other, EventTypes.Normal, "Scheduled", "Successfully assigned default/web-2 to n1");
        time.Advance(TimeSpan.FromMinutes(11));
        recorder.Record(pod, EventTypes.Normal, "Scheduled", "Successfully assigned default/web-1 to n1"); // still counted: the cache of written Events has no window, as upstream's
        await DrainAsync(recorder);

        // What kubectl describe pod asks for.
        var events = await _client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.uid=uid-web-1");
        Assert.That(events.Items, Has.Count.EqualTo(2));
        var failed = events.Items.Single(e => e.Reason == "FailedScheduling");
        Assert.Multiple(() =>
        {
            Assert.That(failed.Count, Is.EqualTo(3));
            Assert.That(failed.Type, Is.EqualTo("Warning"));
            Assert.That(failed.FirstTimestamp, Is.EqualTo(new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc)));
            Assert.That(failed.LastTimestamp, Is.EqualTo(new DateTime(2025, 1, 1, 12, 2, 0, DateTimeKind.Utc)));
            Assert.That(failed.Source.Component, Is.EqualTo("default-scheduler"));
            Assert.That(failed.ReportingComponent, Is.EqualTo("default-scheduler"));
            Assert.That(failed.InvolvedObject.Kind, Is.EqualTo("Pod"));
            Assert.That(failed.InvolvedObject.ApiVersion, Is.EqualTo("v1"));
            Assert.That(failed.Metadata.Name, Does.StartWith("web-1."));
            var scheduled = events.Items.Single(e => e.Reason == "Scheduled");
            Assert.That(scheduled.Count, Is.EqualTo(2));
            Assert.That(scheduled.LastTimestamp, Is.EqualTo(new DateTime(2025, 1, 1, 12, 13, 0, DateTimeKind.Utc)));
        });
    }

    [Test]
    public async Task Record_TenthDistinctMessageOfOneReason_WrittenAsTheCombinedEvent()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var recorder = new EventRecorder(_client, new EventRecorderOptions { Component = "replicaset-controller", Time = time }, NullLogger.Instance);
        var ten = ReplicaSet("ten");
        var nine = ReplicaSet("nine");
        for (var i = 0; i < 10; i++)
        {
            recorder.Record(ten, EventTypes.Normal, "SuccessfulCreate", $"Created pod: ten-{i}");
            if (i < 9)
            {
                recorder.Record(nine, EventTypes.Normal, "SuccessfulCreate", $"Created pod: nine-{i}");
            }
            time.Advance(TimeSpan.FromSeconds(1));
        }
        recorder.Record(ten, EventTypes.Normal, "SuccessfulDelete", "Deleted pod: ten-0"); // another reason: another group
        recorder.Record(ten, EventTypes.Warning, "SuccessfulCreate", "Created pod: ten-10"); // another type: another group
        await DrainAsync(recorder);

        var events = await EventsAboutAsync("ten");
        var combined = events.Where(e => e.Message.StartsWith("(combined from similar events): ", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(events, Has.Count.EqualTo(12));
            Assert.That(events.Where(e => e.Count == 1).Select(e => e.Message), Is.SupersetOf(Enumerable.Range(0, 9).Select(i => $"Created pod: ten-{i}")));
            Assert.That(combined.Select(e => (e.Type, e.Reason, e.Message, e.Count)), Is.EqualTo(new[] { ("Normal", "SuccessfulCreate", "(combined from similar events): Created pod: ten-9", (int?)1) }));
            Assert.That(combined[0].InvolvedObject.Kind, Is.EqualTo("ReplicaSet"));
            Assert.That(combined[0].Source.Component, Is.EqualTo("replicaset-controller"));
            Assert.That(combined[0].Metadata.Name, Does.StartWith("ten."));
        });
        Assert.That((await EventsAboutAsync("nine")).Select(e => e.Message), Is.EquivalentTo(Enumerable.Range(0, 9).Select(i => $"Created pod: nine-{i}")), "below the threshold each has its own Event");
    }

    [Test]
    public async Task Record_ManySimilarEvents_TheCombinedEventCountsThem_RepeatsOfTheFirstNineCountOnTheirOwn()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var recorder = new EventRecorder(_client, new EventRecorderOptions { Component = "replicaset-controller", Time = time }, NullLogger.Instance);
        var rs = ReplicaSet("web-5d4");
        for (var i = 0; i < 50; i++)
        {
            recorder.Record(rs, EventTypes.Normal, "SuccessfulCreate", $"Created pod: web-5d4-{i}");
            time.Advance(TimeSpan.FromSeconds(1));
        }
        recorder.Record(rs, EventTypes.Normal, "SuccessfulCreate", "Created pod: web-5d4-0");
        await DrainAsync(recorder);

        var events = await EventsAboutAsync("web-5d4");
        var combined = events.Single(e => e.Message.StartsWith("(combined from similar events): ", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(events, Has.Count.EqualTo(10), "nine of their own and one combined, not fifty");
            Assert.That(combined.Count, Is.EqualTo(41));
            Assert.That(combined.Message, Is.EqualTo("(combined from similar events): Created pod: web-5d4-49"), "the latest message");
            Assert.That(combined.FirstTimestamp, Is.EqualTo(new DateTime(2025, 1, 1, 12, 0, 9, DateTimeKind.Utc)));
            Assert.That(combined.LastTimestamp, Is.EqualTo(new DateTime(2025, 1, 1, 12, 0, 49, DateTimeKind.Utc)));
            Assert.That(events.Single(e => e.Message == "Created pod: web-5d4-0").Count, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Record_SimilarEventsFurtherApartThanTheWindow_StartOver()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var recorder = new EventRecorder(_client, new EventRecorderOptions { Component = "kubelet", Host = "n1", Time = time }, NullLogger.Instance);
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "flaky", NamespaceProperty = "default", Uid = "uid-flaky" } };
        // The window runs from the last similar event: ten nine minutes apart are combined.
        for (var i = 0; i < 10; i++)
        {
            recorder.Record(pod, EventTypes.Warning, "Unhealthy", $"Readiness probe failed: attempt {i}");
            time.Advance(TimeSpan.FromMinutes(9));
        }
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1)); // ten minutes and a second after the last
        for (var i = 10; i < 20; i++)
        {
            recorder.Record(pod, EventTypes.Warning, "Unhealthy", $"Readiness probe failed: attempt {i}");
        }
        await DrainAsync(recorder);

        var events = await EventsAboutAsync("flaky");
        var own = events.Where(e => !e.Message.StartsWith("(combined from similar events): ", StringComparison.Ordinal)).Select(e => e.Message);
        var combined = events.Single(e => e.Message.StartsWith("(combined from similar events): ", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(own, Is.EquivalentTo(Enumerable.Range(0, 9).Concat(Enumerable.Range(10, 9)).Select(i => $"Readiness probe failed: attempt {i}")), "after the gap, nine more of their own");
            Assert.That(combined.Message, Is.EqualTo("(combined from similar events): Readiness probe failed: attempt 19"));
            Assert.That(combined.Count, Is.EqualTo(2), "the group's combined Event is still remembered and patched, as upstream");
        });
    }

    [Test]
    public async Task Record_MoreEventsThanTheCache_TheLeastRecentlyUsedIsForgottenAndWrittenAnew()
    {
        var recorder = new EventRecorder(_client, new EventRecorderOptions { Component = "kubelet", CacheSize = 2 }, NullLogger.Instance);
        V1Pod Pod(string name) => new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = "uid-" + name } };
        void Started(string name) => recorder.Record(Pod(name), EventTypes.Normal, "Started", "Started container main");

        Started("a");
        Started("b");
        Started("a"); // a is now the most recently used although written first
        Started("c"); // forgets b
        Started("a");
        Started("b");
        await DrainAsync(recorder);

        var a = await EventsAboutAsync("a");
        var b = await EventsAboutAsync("b");
        var c = await EventsAboutAsync("c");
        Assert.Multiple(() =>
        {
            Assert.That(a.Select(e => e.Count), Is.EqualTo(new int?[] { 3 }), "patched twice: it was used most recently when c pushed one out");
            Assert.That(b.Select(e => e.Count), Is.EqualTo(new int?[] { 1, 1 }), "forgotten, so written anew");
            Assert.That(c.Select(e => e.Count), Is.EqualTo(new int?[] { 1 }));
        });
    }

    [Test]
    public async Task Record_ClusterScopedObject_EventGoesToDefaultNamespace()
    {
        var recorder = new EventRecorder(_client, new EventRecorderOptions { Component = "node-controller" }, NullLogger.Instance);
        recorder.Record(new V1Node { Metadata = new V1ObjectMeta { Name = "n1", Uid = "uid-n1" } }, EventTypes.Normal, "RegisteredNode", "Node n1 event: Registered Node n1 in Controller");
        await DrainAsync(recorder);

        var events = await _client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=n1");
        Assert.That(events.Items.Single().InvolvedObject.Kind, Is.EqualTo("Node"));
    }

    private static V1ReplicaSet ReplicaSet(string name) => new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = "uid-" + name } };

    private static async Task DrainAsync(EventRecorder recorder)
    {
        recorder.Complete();
        await recorder.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
    }

    private async Task<IList<Corev1Event>> EventsAboutAsync(string name) =>
        (await _client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={name}")).Items;
}
