using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Kubelet;
using MiniKube.Api;
using MiniKube.Client;

namespace MiniKube.Agent.Tests.Kubelet;

[TestFixture]
public sealed class WatchedObjectsTests
{
    private static readonly NamespacedName Settings = new("default", "settings");
    private static readonly NamespacedName Other = new("default", "other");

    [Test]
    public void Track_TwoOwnersOfOneObject_OneWatchUntilBothRelease()
    {
        var sources = new List<FakeListWatch>();
        var watched = new WatchedObjects<V1ConfigMap>(name => Add(sources, new FakeListWatch(name)), NullLogger.Instance);

        watched.Track("node1|default/a", new HashSet<NamespacedName> { Settings });
        watched.Track("node2|default/b", new HashSet<NamespacedName> { Settings });
        Assert.That(watched.WatchCount, Is.EqualTo(1));
        Assert.That(sources, Has.Count.EqualTo(1));

        watched.Release("node1|default/a");
        Assert.That(watched.WatchCount, Is.EqualTo(1));
        watched.Release("node2|default/b");
        Assert.That(watched.WatchCount, Is.EqualTo(0));
    }

    [Test]
    public void Track_OwnerChangesItsReferences_DroppedObjectStopsBeingWatched()
    {
        var watched = new WatchedObjects<V1ConfigMap>(name => new FakeListWatch(name), NullLogger.Instance);

        watched.Track("pod", new HashSet<NamespacedName> { Settings });
        watched.Track("pod", new HashSet<NamespacedName> { Other });

        Assert.That(watched.WatchCount, Is.EqualTo(1));
    }

    [Test]
    public async Task GetAsync_Watched_ServedFromTheCacheWithoutARead()
    {
        var watched = new WatchedObjects<V1ConfigMap>(name => new FakeListWatch(name), NullLogger.Instance);
        watched.Track("pod", new HashSet<NamespacedName> { Settings });
        var reads = 0;

        var first = await watched.GetAsync(Settings, _ => { reads++; return Task.FromResult<V1ConfigMap?>(null); }, CancellationToken.None);
        var second = await watched.GetAsync(Settings, _ => { reads++; return Task.FromResult<V1ConfigMap?>(null); }, CancellationToken.None);

        Assert.That(first?.Data["k"], Is.EqualTo("v"));
        Assert.That(second, Is.SameAs(first));
        Assert.That(reads, Is.Zero);
        watched.Release("pod");
    }

    [Test]
    public async Task GetAsync_WatchedButAbsent_Null()
    {
        var watched = new WatchedObjects<V1ConfigMap>(name => new FakeListWatch(name, exists: false), NullLogger.Instance);
        watched.Track("pod", new HashSet<NamespacedName> { Settings });

        var found = await watched.GetAsync(Settings, _ => Task.FromResult<V1ConfigMap?>(new V1ConfigMap()), CancellationToken.None);

        Assert.That(found, Is.Null);
        watched.Release("pod");
    }

    [Test]
    public async Task GetAsync_NotWatched_ReadsDirectly()
    {
        var watched = new WatchedObjects<V1ConfigMap>(name => new FakeListWatch(name), NullLogger.Instance);
        var direct = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings", NamespaceProperty = "default" } };

        var found = await watched.GetAsync(Settings, _ => Task.FromResult<V1ConfigMap?>(direct), CancellationToken.None);

        Assert.That(found, Is.SameAs(direct));
    }

    private static FakeListWatch Add(List<FakeListWatch> sources, FakeListWatch source)
    {
        lock (sources)
        {
            sources.Add(source);
        }
        return source;
    }

    /// <summary>Lists the one object (or none) and then watches forever without events.</summary>
    private sealed class FakeListWatch(NamespacedName name, bool exists = true) : IListWatch<V1ConfigMap>
    {
        public Task<(IReadOnlyList<V1ConfigMap> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken) =>
            Task.FromResult<(IReadOnlyList<V1ConfigMap>, string)>((exists
                ? [new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name.Name, NamespaceProperty = name.Namespace, ResourceVersion = "5" }, Data = new Dictionary<string, string> { ["k"] = "v" } }]
                : [], "5"));

        public async IAsyncEnumerable<(WatchEventType Type, V1ConfigMap Object)> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }
    }
}
