using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Http;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.WatchCache;
using MiniKube.Storage;
using MiniKube.Storage.Embedded;

namespace MiniKube.ApiServer.Tests.WatchCache;

/// <summary>The watch cache over a real embedded store: fan-out, filtering, its window, cut-offs and the lists it serves.</summary>
[TestFixture]
public sealed class WatchCachesTests
{
    private static readonly ResourceType ConfigMaps = ResourceCatalog.Find("", "v1", "configmaps")!;
    private static readonly ResourceType Secrets = ResourceCatalog.Find("", "v1", "secrets")!;

    private string _directory = null!;
    private EmbeddedStore _backend = null!;
    private CountingStore _store = null!;
    private WatchCaches? _caches;

    [SetUp]
    public async Task OpenStore()
    {
        _directory = Directory.CreateTempSubdirectory("mkube-watchcache-").FullName;
        _backend = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = _directory }, NullLogger.Instance, CancellationToken.None);
        _store = new CountingStore(_backend);
    }

    [TearDown]
    public async Task CloseStore()
    {
        if (_caches is not null)
        {
            await _caches.DisposeAsync();
        }
        await _store.DisposeAsync();
        await _backend.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task WatchAsync_ManyWatchers_ShareOneStoreWatchAndEachGetsEveryEvent()
    {
        var caches = Caches();
        var start = await _store.GetCurrentRevisionAsync(CancellationToken.None);
        var watchers = new List<WatchStream>();
        for (var i = 0; i < 50; i++)
        {
            watchers.Add(await caches.WatchAsync(ConfigMaps, "default", start, null, CancellationToken.None));
        }

        await PutAsync("default", "a", "x");
        await PutAsync("default", "a", "y");

        Assert.That(_store.OpenWatches, Is.EqualTo(1));
        foreach (var watcher in watchers)
        {
            Assert.That(Describe(await ReadAsync(watcher, 2)), Is.EqualTo(new[] { "ADDED a", "MODIFIED a" }));
            await watcher.DisposeAsync();
        }
    }

    [Test]
    public async Task WatchAsync_AnotherNamespaceOrResource_IsNotDelivered()
    {
        var caches = Caches();
        var start = await _store.GetCurrentRevisionAsync(CancellationToken.None);
        await using var watcher = await caches.WatchAsync(ConfigMaps, "default", start, null, CancellationToken.None);

        await PutAsync("other", "elsewhere", "x");
        await _store.CreateAsync(ResourceRegistry.Key(Secrets, "default", "s"), Encode("Secret", "default", "s", "x"), 0, CancellationToken.None);
        await PutAsync("default", "here", "x");

        Assert.That(Describe(await ReadAsync(watcher, 1)), Is.EqualTo(new[] { "ADDED here" }));
        Assert.That(watcher.TryRead(out _), Is.False);
    }

    [Test]
    public async Task WatchAsync_WithSelector_SendsEntryAsAddedAndExitAsDeletedWithTheLastMatchingState()
    {
        var caches = Caches();
        var start = await _store.GetCurrentRevisionAsync(CancellationToken.None);
        var filter = ObjectFilter.From(ConfigMaps, new ListOptions { LabelSelector = "app=web" });
        await using var watcher = await caches.WatchAsync(ConfigMaps, "default", start, filter, CancellationToken.None);

        await PutAsync("default", "c", "other");
        await PutAsync("default", "c", "web");
        await PutAsync("default", "c", "web", data: "2");
        var leaving = await PutAsync("default", "c", "other");
        await _store.DeleteAsync(ResourceRegistry.Key(ConfigMaps, "default", "c"), 0, CancellationToken.None);
        await PutAsync("default", "d", "web");

        var items = await ReadAsync(watcher, 4);
        Assert.That(Describe(items), Is.EqualTo(new[] { "ADDED c", "MODIFIED c", "DELETED c", "ADDED d" }));
        var deleted = JsonNode.Parse(items[2].Kv.Value)!;
        Assert.That(deleted["metadata"]!["labels"]!["app"]!.GetValue<string>(), Is.EqualTo("web"), "the state that last matched");
        Assert.That(items[2].Revision, Is.EqualTo(leaving), "at the revision of the update that left the selector");
    }

    [Test]
    public async Task WatchAsync_ResourceVersionZero_StartsWithTheCurrentObjectsAsAdded()
    {
        await PutAsync("default", "b", "x");
        await PutAsync("default", "a", "x");
        await PutAsync("other", "c", "x");
        var caches = Caches();

        await using var watcher = await caches.WatchAsync(ConfigMaps, "default", null, null, CancellationToken.None);
        await PutAsync("default", "d", "x");

        Assert.That(Describe(await ReadAsync(watcher, 3)), Is.EqualTo(new[] { "ADDED a", "ADDED b", "ADDED d" }));
    }

    [Test]
    public async Task WatchAsync_StartInsideTheWindow_IsReplayedFromTheCache()
    {
        var caches = Caches();
        var start = await _store.GetCurrentRevisionAsync(CancellationToken.None);
        await using var first = await caches.WatchAsync(ConfigMaps, "default", start, null, CancellationToken.None);
        var created = await PutAsync("default", "a", "1");
        await PutAsync("default", "a", "2");
        await ReadAsync(first, 2);

        await using var resumed = await caches.WatchAsync(ConfigMaps, "default", created, null, CancellationToken.None);

        Assert.That(resumed, Is.InstanceOf<CacheWatcher>());
        Assert.That(Describe(await ReadAsync(resumed, 1)), Is.EqualTo(new[] { "MODIFIED a" }));
        Assert.That(_store.OpenWatches, Is.EqualTo(1));
    }

    [Test]
    public async Task WatchAsync_StartOlderThanTheWindow_GetsAStoreWatchOfItsOwn()
    {
        var caches = Caches(new WatchCacheOptions { EventWindow = 3 });
        var start = await _store.GetCurrentRevisionAsync(CancellationToken.None);
        await using var first = await caches.WatchAsync(ConfigMaps, "default", start, null, CancellationToken.None);
        for (var i = 0; i < 6; i++)
        {
            await PutAsync("default", "a", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        await ReadAsync(first, 6);

        await using var old = await caches.WatchAsync(ConfigMaps, "default", start, null, CancellationToken.None);

        Assert.That(old, Is.InstanceOf<StoreWatchStream>());
        Assert.That(Describe(await ReadAsync(old, 6)), Is.EqualTo(new[] { "ADDED a", "MODIFIED a", "MODIFIED a", "MODIFIED a", "MODIFIED a", "MODIFIED a" }));
        Assert.That(_store.OpenWatches, Is.EqualTo(2));
    }

    [Test]
    public async Task WatchAsync_StartCompactedAwayInTheStore_ThrowsCompacted()
    {
        var old = await PutAsync("default", "a", "1");
        await PutAsync("default", "a", "2");
        await _store.CompactAsync(await _store.GetCurrentRevisionAsync(CancellationToken.None), CancellationToken.None);
        var caches = Caches();

        Assert.ThrowsAsync<CompactedException>(() => caches.WatchAsync(ConfigMaps, "default", old - 1, null, CancellationToken.None));
    }

    [Test]
    public async Task WatchAsync_StartAheadOfTheStore_DeliversOnlyWhatComesAfterIt()
    {
        var caches = Caches();
        var ahead = await _store.GetCurrentRevisionAsync(CancellationToken.None) + 2;

        await using var watcher = await caches.WatchAsync(ConfigMaps, "default", ahead, null, CancellationToken.None);
        await PutAsync("default", "a", "1");
        await PutAsync("default", "b", "1");
        await PutAsync("default", "c", "1");

        Assert.That(Describe(await ReadAsync(watcher, 1)), Is.EqualTo(new[] { "ADDED c" }));
        Assert.That(_store.OpenWatches, Is.EqualTo(1));
    }

    [Test]
    public async Task WatchAsync_SlowWatcher_IsCutOffWhileTheOthersGetEverything()
    {
        var caches = Caches(new WatchCacheOptions { WatcherQueueCapacity = 5 });
        var start = await _store.GetCurrentRevisionAsync(CancellationToken.None);
        await using var slow = await caches.WatchAsync(ConfigMaps, "default", start, null, CancellationToken.None);
        await using var fast = await caches.WatchAsync(ConfigMaps, "default", start, null, CancellationToken.None);

        var received = 0;
        for (var i = 0; i < 20; i++)
        {
            await PutAsync("default", "n" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), "x");
            received += (await ReadAsync(fast, 1)).Count;
        }

        Assert.That(received, Is.EqualTo(20));
        var queued = await ReadAsync(slow, 100);
        Assert.That(queued, Has.Count.EqualTo(5), "what was queued before the cut-off, then the end");
        Assert.That(await slow.WaitToReadAsync(CancellationToken.None), Is.False);
    }

    [Test]
    public async Task ProgressRevision_AfterEventsTheWatcherDoesNotSee_IsTheCachesRevision()
    {
        var caches = Caches();
        var start = await _store.GetCurrentRevisionAsync(CancellationToken.None);
        await using var watcher = await caches.WatchAsync(ConfigMaps, "default", start, null, CancellationToken.None);
        await using var everything = await caches.WatchAsync(ConfigMaps, null, start, null, CancellationToken.None);

        var last = await PutAsync("other", "a", "x");
        await ReadAsync(everything, 1);

        Assert.That(watcher.ProgressRevision(), Is.EqualTo(last));
    }

    [Test]
    public async Task ProgressRevision_WithUnreadEvents_StaysAtTheLastRead()
    {
        var caches = Caches();
        var start = await _store.GetCurrentRevisionAsync(CancellationToken.None);
        await using var watcher = await caches.WatchAsync(ConfigMaps, "default", start, null, CancellationToken.None);
        await using var probe = await caches.WatchAsync(ConfigMaps, "default", start, null, CancellationToken.None);

        await PutAsync("default", "a", "x");
        await ReadAsync(probe, 1);

        Assert.That(watcher.ProgressRevision(), Is.EqualTo(start));
    }

    [Test]
    public async Task TryListAsync_ResourceVersionZero_ServesTheCacheWholeIgnoringTheLimit()
    {
        await PutAsync("default", "b", "x");
        await PutAsync("default", "a", "web");
        var caches = Caches();
        var first = await caches.TryListAsync(ConfigMaps, "default", new ListOptions { ResourceVersion = "0" }, null, CancellationToken.None);
        // A write elsewhere moves the store's revision, not the cache's: proof the list is the cache's.
        await _store.CreateAsync(ResourceRegistry.Key(Secrets, "default", "s"), Encode("Secret", "default", "s", "x"), 0, CancellationToken.None);

        var page = await caches.TryListAsync(ConfigMaps, "default", new ListOptions { ResourceVersion = "0", Limit = 1 }, null, CancellationToken.None);
        var filtered = await caches.TryListAsync(ConfigMaps, "default", new ListOptions { ResourceVersion = "0" }, ObjectFilter.From(ConfigMaps, new ListOptions { LabelSelector = "app=web" }), CancellationToken.None);

        Assert.That(page!.Items.Select(kv => kv.Key), Is.EqualTo(new[] { "/registry/configmaps/default/a", "/registry/configmaps/default/b" }));
        Assert.That(page.Continue, Is.Null);
        Assert.That(page.Revision, Is.EqualTo(first!.Revision));
        Assert.That(page.Revision, Is.LessThan(await _store.GetCurrentRevisionAsync(CancellationToken.None)));
        Assert.That(filtered!.Items.Select(kv => kv.Key), Is.EqualTo(new[] { "/registry/configmaps/default/a" }));
    }

    [Test]
    public async Task TryGetCached_OnceServing_FollowsTheStoreAndIsNullForWhatItDoesNotHold()
    {
        await PutAsync("default", "a", "web");
        var caches = Caches();
        var key = ResourceRegistry.Key(ConfigMaps, "default", "a");
        caches.TryGetCached(ConfigMaps, key); // starts the cache
        await caches.TryListAsync(ConfigMaps, null, new ListOptions { ResourceVersion = "0" }, null, CancellationToken.None);
        var updated = await PutAsync("default", "a", "db");

        Assert.That(() => caches.TryGetCached(ConfigMaps, key)?.ModRevision, Is.EqualTo(updated).After(5000, 10));
        Assert.That(caches.TryGetCached(ConfigMaps, ResourceRegistry.Key(ConfigMaps, "default", "missing")), Is.Null);
    }

    [Test]
    public async Task TryListAsync_ConsistentExactContinuedOrLimitedReads_GoToTheStore()
    {
        var caches = Caches();

        Assert.That(await caches.TryListAsync(ConfigMaps, null, new ListOptions(), null, CancellationToken.None), Is.Null);
        Assert.That(await caches.TryListAsync(ConfigMaps, null, new ListOptions { ResourceVersion = "1", ResourceVersionMatch = "Exact" }, null, CancellationToken.None), Is.Null);
        Assert.That(await caches.TryListAsync(ConfigMaps, null, new ListOptions { ResourceVersion = "1", Limit = 10 }, null, CancellationToken.None), Is.Null);
        Assert.That(await caches.TryListAsync(ConfigMaps, null, new ListOptions { Continue = "x" }, null, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task TryListAsync_NotOlderThanAVersionTheCacheHas_ServesTheCache()
    {
        var created = await PutAsync("default", "a", "x");
        var caches = Caches();

        var page = await caches.TryListAsync(ConfigMaps, "default", new ListOptions { ResourceVersion = created.ToString(System.Globalization.CultureInfo.InvariantCulture), ResourceVersionMatch = "NotOlderThan" }, null, CancellationToken.None);

        Assert.That(page!.Items, Has.Count.EqualTo(1));
        Assert.That(page.Revision, Is.GreaterThanOrEqualTo(created));
    }

    [Test]
    public async Task TryListAsync_NotOlderThanAVersionTheStoreHasNotReached_WaitsForTheCache()
    {
        var caches = Caches();
        await caches.TryListAsync(ConfigMaps, "default", new ListOptions { ResourceVersion = "0" }, null, CancellationToken.None);
        var next = await _store.GetCurrentRevisionAsync(CancellationToken.None) + 1;

        var listing = caches.TryListAsync(ConfigMaps, "default", new ListOptions { ResourceVersion = next.ToString(System.Globalization.CultureInfo.InvariantCulture) }, null, CancellationToken.None);
        await Task.Delay(50);
        Assert.That(listing.IsCompleted, Is.False);
        await PutAsync("default", "a", "x");

        var page = await listing.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(page!.Items.Select(kv => kv.Key), Is.EqualTo(new[] { "/registry/configmaps/default/a" }));
        Assert.That(page.Revision, Is.EqualTo(next));
    }

    [Test]
    public async Task TryListAsync_NotOlderThanAVersionNeverReached_Answers504TooLargeResourceVersion()
    {
        var caches = Caches(new WatchCacheOptions { FreshnessTimeout = TimeSpan.FromMilliseconds(200) });
        var current = await _store.GetCurrentRevisionAsync(CancellationToken.None);

        var error = Assert.ThrowsAsync<ApiException>(() => caches.TryListAsync(ConfigMaps, null, new ListOptions { ResourceVersion = (current + 100).ToString(System.Globalization.CultureInfo.InvariantCulture) }, null, CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(504));
        Assert.That(error.Reason, Is.EqualTo("Timeout"));
        // NewTimeoutError's prefix, and the cause client-go's reflector recognises.
        Assert.That(error.Message, Is.EqualTo($"Timeout: Too large resource version: {current + 100}, current: {current}"));
        Assert.That(error.Details!["causes"]![0]!["reason"]!.GetValue<string>(), Is.EqualTo("ResourceVersionTooLarge"));
    }

    [Test]
    public async Task TryListAsync_NotOlderThanAVersionOnlyTheStoreHasSeen_LeavesItToTheStore()
    {
        var caches = Caches();
        await caches.TryListAsync(ConfigMaps, "default", new ListOptions { ResourceVersion = "0" }, null, CancellationToken.None);
        await _store.CreateAsync(ResourceRegistry.Key(Secrets, "default", "s"), Encode("Secret", "default", "s", "x"), 0, CancellationToken.None);
        var current = await _store.GetCurrentRevisionAsync(CancellationToken.None);

        var page = await caches.TryListAsync(ConfigMaps, "default", new ListOptions { ResourceVersion = current.ToString(System.Globalization.CultureInfo.InvariantCulture) }, null, CancellationToken.None);

        Assert.That(page, Is.Null, "without progress notifications the cache cannot tell it has seen everything up to there");
    }

    private WatchCaches Caches(WatchCacheOptions? options = null) =>
        _caches = new WatchCaches(_store, options ?? new WatchCacheOptions(), NullLogger.Instance);

    /// <summary>Creates or updates a ConfigMap labelled app=<paramref name="app"/>; returns the write's revision.</summary>
    private async Task<long> PutAsync(string ns, string name, string app, string data = "1")
    {
        var key = ResourceRegistry.Key(ConfigMaps, ns, name);
        var value = Encode("ConfigMap", ns, name, app, data);
        var current = await _store.GetAsync(key, 0, CancellationToken.None);
        var result = current is null
            ? await _store.CreateAsync(key, value, 0, CancellationToken.None)
            : await _store.UpdateAsync(key, value, current.ModRevision, 0, CancellationToken.None);
        Assert.That(result.Succeeded, Is.True);
        return result.Revision;
    }

    private static byte[] Encode(string kind, string ns, string name, string app, string data = "1") => ObjectCodec.Encode(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = kind,
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["app"] = app } },
        ["data"] = new JsonObject { ["k"] = data },
    });

    /// <summary>Up to <paramref name="count"/> events, or fewer when the stream ends or nothing comes for a while.</summary>
    private static async Task<List<WatchItem>> ReadAsync(WatchStream stream, int count)
    {
        var items = new List<WatchItem>();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(count > 50 ? 1 : 5));
        try
        {
            while (items.Count < count)
            {
                if (stream.TryRead(out var item))
                {
                    items.Add(item);
                }
                else if (!await stream.WaitToReadAsync(patience.Token))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (patience.IsCancellationRequested)
        {
            // Fewer than asked for: the caller's assertion says what was expected.
        }
        return items;
    }

    private static List<string> Describe(IEnumerable<WatchItem> items) =>
        items.Select(i => $"{i.Type} {i.Kv.Key[(i.Kv.Key.LastIndexOf('/') + 1)..]}").ToList();
}
