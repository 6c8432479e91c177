using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Controllers.GarbageCollector;
using MiniKube.Testing;

namespace MiniKube.Controllers.Tests.GarbageCollector;

public sealed class GcMonitorsTests
{
    private const string CoreResources = """
        {"kind":"APIResourceList","groupVersion":"v1","resources":[
          {"name":"pods","namespaced":true,"kind":"Pod","verbs":["create","delete","get","list","patch","watch"]},
          {"name":"pods/status","namespaced":true,"kind":"Pod","verbs":["get","patch"]},
          {"name":"events","namespaced":true,"kind":"Event","verbs":["create","delete","get","list","patch","watch"]},
          {"name":"podtemplates","namespaced":true,"kind":"PodTemplate","verbs":["create","delete","get","list","patch","watch"]},
          {"name":"componentstatuses","namespaced":false,"kind":"ComponentStatus","verbs":["get","list"]}]}
        """;

    private const string Groups = """{"kind":"APIGroupList","groups":[{"name":"example.com","versions":[{"groupVersion":"example.com/v1","version":"v1"}],"preferredVersion":{"groupVersion":"example.com/v1","version":"v1"}}]}""";

    private static string WidgetResources(bool served) => served
        ? """{"kind":"APIResourceList","groupVersion":"example.com/v1","resources":[{"name":"widgets","namespaced":true,"kind":"Widget","verbs":["delete","get","list","patch","watch"]},{"name":"widgets/status","namespaced":true,"kind":"Widget","verbs":["get","patch"]}]}"""
        : """{"kind":"APIResourceList","groupVersion":"example.com/v1","resources":[]}""";

    [Test]
    public async Task RunAsync_MonitorsUntypedDeletableResources_AndStopsThoseNoLongerServed()
    {
        await using var world = new ControllerHarness();
        var served = true;
        world.Api.Respond = call => call.Path.TrimEnd('/') switch
        {
            "/api/v1" => (HttpStatusCode.OK, CoreResources),
            "/apis" => (HttpStatusCode.OK, Groups),
            "/apis/example.com/v1" => (HttpStatusCode.OK, WidgetResources(served)),
            "/apis/example.com/v1/widgets" => (HttpStatusCode.OK, """{"metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"w","namespace":"team","uid":"uw"}}]}"""),
            "/api/v1/podtemplates" => (HttpStatusCode.OK, """{"metadata":{"resourceVersion":"7"},"items":[]}"""),
            // Watches fail, so each informer waits on the fake clock instead of spinning.
            _ => (HttpStatusCode.InternalServerError, "{}"),
        };
        var kinds = new GcKinds(world.Informers);
        var added = new List<GcKind>();
        var monitors = new GcMonitors(world.Api.Client, kinds, added.Add, world.Time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = monitors.RunAsync(stop.Token);

        var widgets = await EventuallyAsync(() => kinds.Of("example.com/v1", "Widget") as MetadataGcKind);
        await widgets.Synced.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(widgets.Cached("team", "w")?.Metadata.Uid, Is.EqualTo("uw"));
        Assert.That(widgets.DependentsOf("none"), Is.Empty);
        Assert.That(kinds.Of("v1", "PodTemplate"), Is.InstanceOf<MetadataGcKind>(), "a built-in without a shared informer");
        Assert.That(kinds.Of("v1", "Pod"), Is.Not.InstanceOf<MetadataGcKind>(), "the shared typed informer, not a second cache");
        Assert.That(kinds.Of("v1", "Event"), Is.Null, "events are ignored, as upstream");
        Assert.That(kinds.Of("v1", "ComponentStatus"), Is.Null, "no watch, no delete");
        Assert.That(added, Is.EquivalentTo(kinds.Discovered));

        served = false;
        monitors.RequestResync();
        await EventuallyAsync(() =>
        {
            world.Time.Advance(TimeSpan.FromSeconds(1));
            return kinds.Of("example.com/v1", "Widget") is null ? "" : null;
        });
        Assert.That(kinds.Of("v1", "PodTemplate"), Is.Not.Null);

        await stop.CancelAsync();
        await run;
    }

    private static async Task<T> EventuallyAsync<T>(Func<T?> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out");
            await Task.Delay(20);
        }
    }
}
