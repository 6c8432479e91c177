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
        recorder.Record(pod, EventTypes.Normal, "Scheduled", "Successfully assigned default/web-1 to n1"); // past the window: a new Event
        recorder.Complete();
        await recorder.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        // What kubectl describe pod asks for.
        var events = await _client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.uid=uid-web-1");
        Assert.That(events.Items, Has.Count.EqualTo(3));
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
            Assert.That(events.Items.Where(e => e.Reason == "Scheduled").Select(e => e.Count), Is.EqualTo(new int?[] { 1, 1 }));
        });
    }

    [Test]
    public async Task Record_ClusterScopedObject_EventGoesToDefaultNamespace()
    {
        var recorder = new EventRecorder(_client, new EventRecorderOptions { Component = "node-controller" }, NullLogger.Instance);
        recorder.Record(new V1Node { Metadata = new V1ObjectMeta { Name = "n1", Uid = "uid-n1" } }, EventTypes.Normal, "RegisteredNode", "Node n1 event: Registered Node n1 in Controller");
        recorder.Complete();
        await recorder.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        var events = await _client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=n1");
        Assert.That(events.Items.Single().InvolvedObject.Kind, Is.EqualTo("Node"));
    }
}
