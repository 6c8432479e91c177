using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;
using MiniKube.ApiServer.WatchCache;

namespace MiniKube.ApiServer.Tests.WatchCache;

/// <summary>The feed of an in-memory index: this server's writes, other servers' writes through the watch cache, each state taken in once.</summary>
[TestFixture]
public sealed class ObjectFeedTests : EmbeddedStoreFixture
{
    private static readonly ResourceType ConfigMaps = ResourceCatalog.Find("", "v1", "configmaps")!;
    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;

    [Test]
    public async Task OwnWrites_AreTakenInOnce_AndOtherServersWritesThroughTheWatch()
    {
        await using var caches = new WatchCaches(Store, new WatchCacheOptions(), NullLogger.Instance);
        var registry = new ResourceRegistry(Store, new ObjectRules(Store, new ServiceAllocator(Store, "10.43.0.0/16", 30000, 32767)), TimeProvider.System);
        await registry.CreateAsync(Namespaces, null, Object("Namespace", "default"), dryRun: false, CancellationToken.None);
        var index = new RecordingIndex();
        await using var feed = new ObjectFeed("the test", [ConfigMaps], index, registry, caches, NullLogger.Instance);
        await feed.LoadAsync(CancellationToken.None);

        var created = await registry.CreateAsync(ConfigMaps, "default", Object("ConfigMap", "mine"), dryRun: false, CancellationToken.None);
        var mine = Revision(created);
        // Taken in before the write returns, so a client relying on it at once is served.
        Assert.That(index.Taken, Is.EqualTo(new[] { ("mine", false, mine) }));
        var updated = await registry.UpdateAsync(ConfigMaps, "default", "mine", null, cm => { cm["data"] = new JsonObject { ["k"] = "v" }; return cm; }, dryRun: false, CancellationToken.None);
        var mineUpdated = Revision(updated);
        // Another API server over the same store: known here only through the watch.
        var other = (await Store.CreateAsync(ResourceRegistry.Key(ConfigMaps, "default", "other"), ObjectCodec.Encode(Object("ConfigMap", "other", "default")), 0, CancellationToken.None)).Revision;
        await index.WaitForProgressAsync(other);
        var (_, gone) = await registry.DeleteAsync(ConfigMaps, "default", "mine", new DeleteOptions(), CancellationToken.None);
        var deleted = await Store.GetCurrentRevisionAsync(CancellationToken.None);
        await index.WaitForProgressAsync(deleted);

        Assert.That(gone, Is.True);
        // The watch's copies of the own create and update are not taken in again; the deletion, which
        // arrives here with the object's last version, is taken in again with its own revision.
        Assert.That(index.Taken, Is.EqualTo(new[]
        {
            ("mine", false, mine), ("mine", false, mineUpdated), ("other", false, other), ("mine", true, mineUpdated), ("mine", true, deleted),
        }));
    }

    private static JsonObject Object(string kind, string name, string? ns = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = kind, ["metadata"] = metadata };
    }

    private static long Revision(JsonObject obj) => long.Parse(ObjectMeta.ResourceVersion(obj)!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every state handed to it, in order, and how far the watch has come.</summary>
    private sealed class RecordingIndex : IObjectIndex
    {
        private readonly ConcurrentQueue<(string, bool, long)> _taken = new();
        private long _progress;

        public IReadOnlyList<(string Name, bool Gone, long Revision)> Taken => [.. _taken];

        public void Apply(ResourceType type, JsonObject obj, bool gone, long revision) => _taken.Enqueue((ObjectMeta.Name(obj)!, gone, revision));

        public void RetainOnly(ResourceType type, IReadOnlySet<(string Namespace, string Name)> present, long revision)
        {
        }

        public void Progressed(ResourceType type, long revision) => Interlocked.Exchange(ref _progress, revision);

        public async Task WaitForProgressAsync(long revision)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (Interlocked.Read(ref _progress) < revision)
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the watch did not reach revision {revision}");
                await Task.Delay(10);
            }
        }
    }
}
