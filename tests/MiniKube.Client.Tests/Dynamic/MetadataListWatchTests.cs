using System.Net;
using k8s;
using k8s.Autorest;
using MiniKube.Client.Dynamic;
using MiniKube.Testing;

namespace MiniKube.Client.Tests.Dynamic;

public sealed class MetadataListWatchTests
{
    private const string Widgets = "apis/example.com/v1/widgets";

    [Test]
    public async Task ListAsync_KeepsEachObjectsMetadata_AndTheListsVersion()
    {
        using var api = new FakeApi();
        api.Respond = call => call.Path == "/" + Widgets
            ? (HttpStatusCode.OK, """{"apiVersion":"example.com/v1","kind":"WidgetList","metadata":{"resourceVersion":"42"},"items":[{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"team","uid":"u1","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"cm","uid":"u0"}]},"spec":{"size":3}}]}""")
            : (HttpStatusCode.NotFound, "{}");

        var (items, version) = await new MetadataListWatch(new RawApi(api.Client), Widgets).ListAsync(CancellationToken.None);

        Assert.That(version, Is.EqualTo("42"));
        Assert.That(items, Has.Count.EqualTo(1));
        Assert.That((items[0].Kind, items[0].Metadata.NamespaceProperty, items[0].Metadata.Name, items[0].Metadata.OwnerReferences[0].Uid), Is.EqualTo(("Widget", "team", "w", "u0")));
    }

    [Test]
    public async Task WatchAsync_YieldsEveryEventInOrder_FromTheVersionGiven()
    {
        using var api = new FakeApi();
        api.Respond = _ => (HttpStatusCode.OK, """
            {"type":"ADDED","object":{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"a","uid":"ua","resourceVersion":"43"}}}
            {"type":"BOOKMARK","object":{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"resourceVersion":"44"}}}
            {"type":"DELETED","object":{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"a","uid":"ua","resourceVersion":"45"}}}
            """);

        var events = new List<(WatchEventType, string?)>();
        await foreach (var (type, obj) in new MetadataListWatch(new RawApi(api.Client), Widgets).WatchAsync("42", CancellationToken.None))
        {
            events.Add((type, obj.Metadata.Name));
        }

        Assert.That(events, Is.EqualTo(new[] { (WatchEventType.Added, "a"), (WatchEventType.Bookmark, null), (WatchEventType.Deleted, (string?)"a") }));
        Assert.That(api.Calls[0].Path, Does.StartWith($"/{Widgets}?watch=true&allowWatchBookmarks=true&resourceVersion=42&"));
    }

    [Test]
    public void WatchAsync_ErrorEvent_ThrowsTheStatus_SoTheInformerRelistsOn410()
    {
        using var api = new FakeApi();
        api.Respond = _ => (HttpStatusCode.OK, """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410}}""");

        var error = Assert.ThrowsAsync<KubernetesException>(async () =>
        {
            await foreach (var _ in new MetadataListWatch(new RawApi(api.Client), Widgets).WatchAsync("1", CancellationToken.None))
            {
            }
        });

        Assert.That(error!.Status.Code, Is.EqualTo(410));
    }

    [Test]
    public void RawApi_NotFound_ThrowsWhatApiErrorsReads()
    {
        using var api = new FakeApi();

        var error = Assert.ThrowsAsync<HttpOperationException>(() => new RawApi(api.Client).SendAsync(HttpMethod.Get, $"{Widgets}/nope", null, CancellationToken.None));

        Assert.That(ApiErrors.IsNotFound(error!), Is.True);
    }
}
