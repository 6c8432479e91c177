using System.Text;

namespace MiniKube.Storage.Tests.Conformance;

/// <summary>
/// The store contract, written once. Every backend runs it through a subclass that says how to
/// open a fresh, empty store; a backend passes only if all of it holds.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public abstract class StoreConformanceTests
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly List<IStore> _opened = [];

    /// <summary>Keys are written under a prefix of their own so backends that share a server (etcd) start empty.</summary>
    protected string P { get; } = $"/t{Guid.NewGuid():N}/";

    protected abstract Task<IStore> OpenStoreAsync();

    protected async Task<IStore> StoreAsync()
    {
        var store = await OpenStoreAsync();
        _opened.Add(store);
        return store;
    }

    /// <summary>Runs after every store of the test is closed; backends remove what they created.</summary>
    protected virtual void Cleanup()
    {
    }

    [TearDown]
    public async Task CloseStores()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }
        Cleanup();
    }

    protected static byte[] V(string text) => Encoding.UTF8.GetBytes(text);

    protected static string S(byte[] value) => Encoding.UTF8.GetString(value);

    [Test]
    public async Task Create_NewKey_AssignsRevisionsAndVersionOne()
    {
        var store = await StoreAsync();
        var before = await store.GetCurrentRevisionAsync(default);

        var created = await store.CreateAsync(P + "a", V("1"), 0, default);

        Assert.That(created.Succeeded, Is.True);
        Assert.That(created.Revision, Is.EqualTo(before + 1));
        var kv = await store.GetAsync(P + "a", 0, default);
        Assert.That(kv, Is.Not.Null);
        Assert.That(S(kv!.Value), Is.EqualTo("1"));
        Assert.That((kv.CreateRevision, kv.ModRevision, kv.Version), Is.EqualTo((created.Revision, created.Revision, 1L)));
        Assert.That(await store.GetCurrentRevisionAsync(default), Is.EqualTo(created.Revision));
    }

    [Test]
    public async Task Create_ExistingKey_FailsWithCurrentValueAndWritesNothing()
    {
        var store = await StoreAsync();
        var first = await store.CreateAsync(P + "a", V("1"), 0, default);

        var second = await store.CreateAsync(P + "a", V("2"), 0, default);

        Assert.That(second.Succeeded, Is.False);
        Assert.That(S(second.Current!.Value), Is.EqualTo("1"));
        Assert.That(await store.GetCurrentRevisionAsync(default), Is.EqualTo(first.Revision));
    }

    [Test]
    public async Task Update_MatchingModRevision_ReplacesAndBumpsVersion()
    {
        var store = await StoreAsync();
        var created = await store.CreateAsync(P + "a", V("1"), 0, default);

        var updated = await store.UpdateAsync(P + "a", V("2"), created.Revision, 0, default);

        Assert.That(updated.Succeeded, Is.True);
        var kv = await store.GetAsync(P + "a", 0, default);
        Assert.That((S(kv!.Value), kv.CreateRevision, kv.ModRevision, kv.Version), Is.EqualTo(("2", created.Revision, updated.Revision, 2L)));
    }

    [Test]
    public async Task Update_StaleModRevision_FailsWithCurrent()
    {
        var store = await StoreAsync();
        var created = await store.CreateAsync(P + "a", V("1"), 0, default);
        await store.UpdateAsync(P + "a", V("2"), created.Revision, 0, default);

        var stale = await store.UpdateAsync(P + "a", V("3"), created.Revision, 0, default);

        Assert.That(stale.Succeeded, Is.False);
        Assert.That(S(stale.Current!.Value), Is.EqualTo("2"));
        Assert.That(S((await store.GetAsync(P + "a", 0, default))!.Value), Is.EqualTo("2"));
    }

    [Test]
    public async Task Update_MissingKey_Fails()
    {
        var store = await StoreAsync();

        var result = await store.UpdateAsync(P + "nope", V("1"), 1, 0, default);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Current, Is.Null);
    }

    [Test]
    public async Task Update_ZeroModRevisionOnAbsentKey_FailsAndCreatesNothing()
    {
        var store = await StoreAsync();

        var result = await store.UpdateAsync(P + "absent", V("1"), 0, 0, default);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(await store.GetAsync(P + "absent", 0, default), Is.Null);
    }

    [Test]
    public async Task Range_AtPastRevision_ReportsThatRevision()
    {
        var store = await StoreAsync();
        var first = await store.CreateAsync(P + "a", V("1"), 0, default);
        await store.CreateAsync(P + "b", V("2"), 0, default);

        var page = await store.RangeAsync(new RangeRequest(P, Revision: first.Revision), default);

        Assert.That(page.Revision, Is.EqualTo(first.Revision));
        Assert.That(page.Items.Select(kv => kv.Key), Is.EqualTo(new[] { P + "a" }));
    }

    [Test]
    public async Task Delete_Unconditional_RemovesAndReturnsDeletedValue()
    {
        var store = await StoreAsync();
        await store.CreateAsync(P + "a", V("1"), 0, default);

        var deleted = await store.DeleteAsync(P + "a", 0, default);

        Assert.That(deleted.Succeeded, Is.True);
        Assert.That(S(deleted.Current!.Value), Is.EqualTo("1"));
        Assert.That(await store.GetAsync(P + "a", 0, default), Is.Null);
        Assert.That((await store.DeleteAsync(P + "a", 0, default)).Succeeded, Is.False, "deleting twice");
    }

    [Test]
    public async Task Delete_StaleModRevision_KeepsKey()
    {
        var store = await StoreAsync();
        var created = await store.CreateAsync(P + "a", V("1"), 0, default);
        await store.UpdateAsync(P + "a", V("2"), created.Revision, 0, default);

        var result = await store.DeleteAsync(P + "a", created.Revision, default);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(await store.GetAsync(P + "a", 0, default), Is.Not.Null);
    }

    [Test]
    public async Task Create_AfterDelete_StartsNewLifeAtVersionOne()
    {
        var store = await StoreAsync();
        await store.CreateAsync(P + "a", V("1"), 0, default);
        await store.DeleteAsync(P + "a", 0, default);

        var again = await store.CreateAsync(P + "a", V("2"), 0, default);

        var kv = await store.GetAsync(P + "a", 0, default);
        Assert.That((kv!.CreateRevision, kv.Version), Is.EqualTo((again.Revision, 1L)));
    }

    [Test]
    public async Task Get_PastRevision_SeesValueOfThatTime()
    {
        var store = await StoreAsync();
        var created = await store.CreateAsync(P + "a", V("1"), 0, default);
        var updated = await store.UpdateAsync(P + "a", V("2"), created.Revision, 0, default);
        await store.DeleteAsync(P + "a", 0, default);

        Assert.That(S((await store.GetAsync(P + "a", created.Revision, default))!.Value), Is.EqualTo("1"));
        Assert.That(S((await store.GetAsync(P + "a", updated.Revision, default))!.Value), Is.EqualTo("2"));
        Assert.That(await store.GetAsync(P + "a", 0, default), Is.Null);
    }

    [Test]
    public async Task Range_Prefix_ReturnsOnlyMatchingKeysInOrder()
    {
        var store = await StoreAsync();
        foreach (var key in new[] { "pods/b", "pods/a", "podsx", "services/a", "pods/c" })
        {
            await store.CreateAsync(P + key, V(key), 0, default);
        }

        var result = await store.RangeAsync(new RangeRequest(P + "pods/"), default);

        Assert.That(result.Items.Select(kv => kv.Key), Is.EqualTo(new[] { P + "pods/a", P + "pods/b", P + "pods/c" }));
        Assert.That(result.More, Is.False);
        Assert.That(await store.CountAsync(P + "pods/", default), Is.EqualTo(3));
    }

    [Test]
    public async Task Range_Paginated_AtFixedRevision_IsOneConsistentSnapshot()
    {
        var store = await StoreAsync();
        for (var i = 0; i < 10; i++)
        {
            await store.CreateAsync($"{P}k/{i:D2}", V(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), 0, default);
        }
        var first = await store.RangeAsync(new RangeRequest(P + "k/", Limit: 4), default);
        // Writes between pages must not show in later pages read at the first page's revision.
        await store.DeleteAsync(P + "k/05", 0, default);
        await store.CreateAsync(P + "k/99", V("new"), 0, default);

        var keys = first.Items.Select(kv => kv.Key).ToList();
        var page = first;
        while (page.More)
        {
            page = await store.RangeAsync(new RangeRequest(P + "k/", Limit: 4, StartAfter: page.Items[^1].Key, Revision: first.Revision), default);
            keys.AddRange(page.Items.Select(kv => kv.Key));
        }

        Assert.That(first.More, Is.True);
        Assert.That(keys, Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"{P}k/{i:D2}")));
    }

    [Test]
    public async Task Range_FutureRevision_Throws()
    {
        var store = await StoreAsync();
        var revision = await store.GetCurrentRevisionAsync(default);

        Assert.That(() => store.RangeAsync(new RangeRequest(P, Revision: revision + 100), default), Throws.InstanceOf<FutureRevisionException>());
    }

    [Test]
    public async Task Compact_OldRevisionsGone_LatestValuesStay()
    {
        var store = await StoreAsync();
        var a = await store.CreateAsync(P + "a", V("1"), 0, default);
        var a2 = await store.UpdateAsync(P + "a", V("2"), a.Revision, 0, default);
        await store.CreateAsync(P + "b", V("b"), 0, default);
        await store.DeleteAsync(P + "b", 0, default);

        await store.CompactAsync(a2.Revision + 2, default);

        Assert.That(() => store.GetAsync(P + "a", a.Revision, default), Throws.InstanceOf<CompactedException>());
        Assert.That(S((await store.GetAsync(P + "a", 0, default))!.Value), Is.EqualTo("2"));
        Assert.That(await store.GetAsync(P + "b", 0, default), Is.Null);
        Assert.That(await store.CountAsync(P, default), Is.EqualTo(1));
    }

    [Test]
    public async Task Watch_FromPastRevision_ReplaysThenStreamsLiveEventsInOrderWithPrevValues()
    {
        var store = await StoreAsync();
        var created = await store.CreateAsync(P + "w/a", V("1"), 0, default);
        await store.CreateAsync(P + "other", V("x"), 0, default);
        using var cts = new CancellationTokenSource(Patience);
        var events = new List<WatchEvent>();
        var watching = Task.Run(async () =>
        {
            await foreach (var ev in store.WatchAsync(P + "w/", created.Revision, cts.Token))
            {
                events.Add(ev);
                if (events.Count == 3)
                {
                    break;
                }
            }
        }, CancellationToken.None);

        var updated = await store.UpdateAsync(P + "w/a", V("2"), created.Revision, 0, default);
        await store.DeleteAsync(P + "w/a", 0, default);
        await watching.WaitAsync(Patience);

        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { WatchEventType.Put, WatchEventType.Put, WatchEventType.Delete }));
        Assert.That(events.Select(e => e.Revision), Is.Ordered.Ascending);
        Assert.That(events[0].PrevKv, Is.Null);
        Assert.That(S(events[1].Kv.Value), Is.EqualTo("2"));
        Assert.That(S(events[1].PrevKv!.Value), Is.EqualTo("1"));
        Assert.That(events[2].Revision, Is.EqualTo(updated.Revision + 1));
        Assert.That(S(events[2].PrevKv!.Value), Is.EqualTo("2"));
    }

    [Test]
    public async Task Watch_FromNow_SeesOnlyLaterChanges()
    {
        var store = await StoreAsync();
        await store.CreateAsync(P + "old", V("1"), 0, default);
        using var cts = new CancellationTokenSource(Patience);
        var watch = store.WatchAsync(P, 0, cts.Token).GetAsyncEnumerator(cts.Token);
        var next = watch.MoveNextAsync().AsTask();

        // A watch registers when first pulled: give it a moment before writing.
        await Task.Delay(200);
        await store.CreateAsync(P + "new", V("2"), 0, default);

        Assert.That(await next.WaitAsync(Patience), Is.True);
        Assert.That(watch.Current.Kv.Key, Is.EqualTo(P + "new"));
        await watch.DisposeAsync();
    }

    [Test]
    public async Task Watch_FromCompactedRevision_ThrowsCompacted()
    {
        var store = await StoreAsync();
        var a = await store.CreateAsync(P + "a", V("1"), 0, default);
        var b = await store.UpdateAsync(P + "a", V("2"), a.Revision, 0, default);
        await store.UpdateAsync(P + "a", V("3"), b.Revision, 0, default);
        await store.CompactAsync(b.Revision, default);

        Assert.That(async () =>
        {
            await foreach (var ev in store.WatchAsync(P, a.Revision, default))
            {
                break;
            }
        }, Throws.InstanceOf<CompactedException>());
    }

    [Test]
    public async Task Lease_Expiry_DeletesAttachedKeysWithDeleteEvents()
    {
        var store = await StoreAsync();
        var lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(1), default);
        var created = await store.CreateAsync(P + "event", V("e"), lease, default);
        await store.CreateAsync(P + "keeper", V("k"), 0, default);
        using var cts = new CancellationTokenSource(Patience);

        WatchEvent? deleted = null;
        await foreach (var ev in store.WatchAsync(P, created.Revision + 1, cts.Token))
        {
            if (ev.Type == WatchEventType.Delete)
            {
                deleted = ev;
                break;
            }
        }

        Assert.That(deleted!.Kv.Key, Is.EqualTo(P + "event"));
        Assert.That(await store.GetAsync(P + "event", 0, default), Is.Null);
        Assert.That(await store.GetAsync(P + "keeper", 0, default), Is.Not.Null);
    }

    [Test]
    public async Task Lease_Revoke_DeletesAttachedKeysNow()
    {
        var store = await StoreAsync();
        var lease = await store.GrantLeaseAsync(TimeSpan.FromHours(1), default);
        await store.CreateAsync(P + "a", V("1"), lease, default);

        await store.RevokeLeaseAsync(lease, default);

        Assert.That(await store.GetAsync(P + "a", 0, default), Is.Null);
        Assert.That(() => store.CreateAsync(P + "b", V("1"), lease, default), Throws.InstanceOf<LeaseNotFoundException>());
    }

    [TestCase("")]
    [TestCase(null)]
    public async Task Create_EmptyKey_ThrowsAndWritesNothing(string? key)
    {
        var store = await StoreAsync();
        var before = await store.GetCurrentRevisionAsync(default);

        Assert.That(() => store.CreateAsync(key!, V("1"), 0, default), Throws.InstanceOf<ArgumentException>());
        Assert.That(await store.GetCurrentRevisionAsync(default), Is.EqualTo(before));
    }

    [Test]
    public async Task Create_OverLongKeyOrValue_ThrowsAndWritesNothing()
    {
        var store = await StoreAsync();
        var before = await store.GetCurrentRevisionAsync(default);

        Assert.That(() => store.CreateAsync(P + new string('k', StoreLimits.MaxKeyBytes), V("1"), 0, default), Throws.ArgumentException.With.Message.Contains("limit"));
        Assert.That(() => store.CreateAsync(P + "big", new byte[StoreLimits.MaxValueBytes + 1], 0, default), Throws.ArgumentException.With.Message.Contains("limit"));
        Assert.That(await store.GetCurrentRevisionAsync(default), Is.EqualTo(before));
    }

    [Test]
    public async Task Create_ValueAtLimit_IsStored()
    {
        var store = await StoreAsync();
        var value = new byte[StoreLimits.MaxValueBytes];
        Random.Shared.NextBytes(value);

        await store.CreateAsync(P + "big", value, 0, default);

        Assert.That((await store.GetAsync(P + "big", 0, default))!.Value, Is.EqualTo(value));
    }

    [Test]
    public async Task Writes_Concurrent_EachGetsOneDistinctRevision()
    {
        var store = await StoreAsync();
        var before = await store.GetCurrentRevisionAsync(default);

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => store.CreateAsync($"{P}c/{i}", V("x"), 0, default)));

        Assert.That(results.Select(r => r.Revision).Order(), Is.EqualTo(Enumerable.Range(1, 64).Select(i => before + i)));
    }

    [Test]
    public async Task Dispose_ThenWrite_Throws()
    {
        var store = await OpenStoreAsync();
        await store.DisposeAsync();

        Assert.That(() => store.CreateAsync(P + "a", V("1"), 0, default), Throws.InstanceOf<ObjectDisposedException>());
    }
}
