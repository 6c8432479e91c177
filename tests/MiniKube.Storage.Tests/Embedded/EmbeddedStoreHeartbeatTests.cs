using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Embedded;

/// <summary>
/// Lease renewals acknowledged from memory (EmbeddedStore.Heartbeats.cs). A crash is simulated by
/// copying the store's files while it is open: FasterLog writes synchronously, so the copy holds
/// exactly what a kill -9 at that moment would leave.
/// </summary>
[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class EmbeddedStoreHeartbeatTests
{
    private const string Lease = HeartbeatWrites.LeasePrefix + "kube-node-lease/n1";

    private readonly string _root = Directory.CreateTempSubdirectory("mkube-heartbeat-").FullName;

    private string Dir => Path.Combine(_root, "db");

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private static Task<EmbeddedStore> OpenAsync(string dir, TimeSpan? flush = null) =>
        EmbeddedStore.OpenAsync(new EmbeddedStoreOptions
        {
            Directory = dir,
            IsHeartbeat = HeartbeatWrites.IsLeaseRenewal,
            HeartbeatFlushInterval = flush ?? TimeSpan.FromHours(1),
        }, NullLogger.Instance, default);

    private static byte[] LeaseValue(int renewal, string holder = "n1") =>
        Encoding.UTF8.GetBytes($$$"""{"kind":"Lease","metadata":{"name":"n1","namespace":"kube-node-lease","managedFields":[{"manager":"kubelet","time":"2026-01-01T00:00:{{{renewal % 60:D2}}}Z"}]},"spec":{"holderIdentity":"{{{holder}}}","leaseDurationSeconds":40,"renewTime":"2026-01-01T00:{{{renewal / 60 % 60:D2}}}:{{{renewal % 60:D2}}}.000000Z"}}""");

    private static string Text(KeyValue? kv) => kv is null ? "" : Encoding.UTF8.GetString(kv.Value);

    /// <summary>What a crash now would leave: a copy of the store's files.</summary>
    private string CrashCopy(string name)
    {
        var copy = Path.Combine(_root, name);
        foreach (var file in Directory.EnumerateFiles(Dir, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(Dir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var destination = File.Create(target);
            source.CopyTo(destination);
        }
        return copy;
    }

    private static async Task<long> RenewAsync(EmbeddedStore store, int from, int count)
    {
        long revision = 0;
        for (var i = from; i < from + count; i++)
        {
            var current = await store.GetAsync(Lease, 0, default);
            var result = await store.UpdateAsync(Lease, LeaseValue(i), current!.ModRevision, 0, default);
            Assert.That(result.Succeeded, Is.True);
            revision = result.Revision;
        }
        return revision;
    }

    [Test]
    public async Task Renewals_ThenCrash_RevisionResumesAboveEverythingShownAndHistoryIsCompacted()
    {
        await using var store = await OpenAsync(Dir);
        await store.CreateAsync(Lease, LeaseValue(0), 0, default);
        var first = await RenewAsync(store, 1, 1); // the first renewal reserves revisions durably
        var shown = await RenewAsync(store, 2, 50);
        var watched = await store.GetAsync(Lease, 0, default);
        Assert.That(watched!.ModRevision, Is.EqualTo(shown), "a renewal is read back at once");

        await using var recovered = await OpenAsync(CrashCopy("crash"));

        var revision = await recovered.GetCurrentRevisionAsync(default);
        Assert.That(revision, Is.GreaterThanOrEqualTo(shown), "no revision a client saw is ever reused");
        Assert.That(Text(await recovered.GetAsync(Lease, 0, default)), Is.EqualTo(Encoding.UTF8.GetString(LeaseValue(1))), "the durable renewal survives; the later ones cost what missed heartbeats cost");
        Assert.That(async () => await recovered.WatchAsync("/", first, default).GetAsyncEnumerator().MoveNextAsync(), Throws.InstanceOf<CompactedException>(), "a watcher that may have seen lost renewals re-lists");
        Assert.That((await recovered.CreateAsync("/registry/configmaps/a", [1], 0, default)).Revision, Is.GreaterThan(shown));
    }

    [Test]
    public async Task DurableWrite_AfterRenewals_CarriesTheLatestRenewalAndSurvivesACrash()
    {
        await using var store = await OpenAsync(Dir);
        await store.CreateAsync(Lease, LeaseValue(0), 0, default);
        var renewed = await RenewAsync(store, 1, 30);
        var created = await store.CreateAsync("/registry/configmaps/default/a", [1, 2, 3], 0, default);

        await using var recovered = await OpenAsync(CrashCopy("crash"));

        var lease = await recovered.GetAsync(Lease, 0, default);
        Assert.That((Text(lease), lease!.ModRevision), Is.EqualTo((Encoding.UTF8.GetString(LeaseValue(30)), renewed)));
        var configMap = await recovered.GetAsync("/registry/configmaps/default/a", 0, default);
        Assert.That(configMap!.ModRevision, Is.EqualTo(created.Revision), "an acknowledged write of another object is never lost");
        Assert.That(await recovered.GetCurrentRevisionAsync(default), Is.GreaterThanOrEqualTo(created.Revision));
    }

    [Test]
    public async Task Renewals_FlushedByTheTimer_SurviveACrash()
    {
        await using var store = await OpenAsync(Dir, flush: TimeSpan.FromMilliseconds(100));
        await store.CreateAsync(Lease, LeaseValue(0), 0, default);
        var renewed = await RenewAsync(store, 1, 5);
        await Task.Delay(1000);

        await using var recovered = await OpenAsync(CrashCopy("crash"));

        Assert.That((await recovered.GetAsync(Lease, 0, default))!.ModRevision, Is.EqualTo(renewed));
    }

    [Test]
    public async Task Renewals_ThenCleanClose_AreKeptAndRevisionContinuesWithoutAJump()
    {
        long renewed;
        await using (var store = await OpenAsync(Dir))
        {
            await store.CreateAsync(Lease, LeaseValue(0), 0, default);
            renewed = await RenewAsync(store, 1, 20);
        }

        await using var reopened = await OpenAsync(Dir);

        Assert.That(await reopened.GetCurrentRevisionAsync(default), Is.EqualTo(renewed));
        Assert.That(Text(await reopened.GetAsync(Lease, 0, default)), Is.EqualTo(Encoding.UTF8.GetString(LeaseValue(20))));
        Assert.That((await reopened.CreateAsync("/x", [1], 0, default)).Revision, Is.EqualTo(renewed + 1));
    }

    [Test]
    public async Task Renewal_IsDeliveredToWatchersInOrder()
    {
        await using var store = await OpenAsync(Dir);
        var created = await store.CreateAsync(Lease, LeaseValue(0), 0, default);
        await using var events = store.WatchAsync(HeartbeatWrites.LeasePrefix, created.Revision + 1, default).GetAsyncEnumerator();
        var renewed = await RenewAsync(store, 1, 3);
        var configMap = await store.CreateAsync("/registry/configmaps/default/b", [1], 0, default);
        var revisions = new List<long>();
        while (revisions.Count < 3 && await events.MoveNextAsync())
        {
            revisions.Add(events.Current.Revision);
        }
        Assert.That(revisions, Is.EqualTo(new[] { renewed - 2, renewed - 1, renewed }));
        Assert.That(configMap.Revision, Is.EqualTo(renewed + 1));
    }

    [Test]
    public async Task HolderChange_IsNotAHeartbeat_AndIsDurableAtOnce()
    {
        await using var store = await OpenAsync(Dir);
        await store.CreateAsync(Lease, LeaseValue(0), 0, default);
        await RenewAsync(store, 1, 1);
        var current = await store.GetAsync(Lease, 0, default);
        var taken = await store.UpdateAsync(Lease, LeaseValue(2, holder: "other"), current!.ModRevision, 0, default);

        await using var recovered = await OpenAsync(CrashCopy("crash"));

        Assert.That((await recovered.GetAsync(Lease, 0, default))!.ModRevision, Is.EqualTo(taken.Revision));
    }

    [Test]
    public async Task AutomaticCompaction_WithHeartbeats_CompactsAtOnceAndIsLoggedWithTheNextCommit()
    {
        await using var store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions
        {
            Directory = Dir,
            IsHeartbeat = HeartbeatWrites.IsLeaseRenewal,
            CompactionRetention = TimeSpan.Zero,
            CompactionMinRevisions = 2,
            CompactionInterval = TimeSpan.FromMilliseconds(50),
            LeaseCheckInterval = TimeSpan.FromMilliseconds(20),
        }, NullLogger.Instance, default);
        var first = await store.CreateAsync("/registry/configmaps/default/a", [1], 0, default);
        for (var i = 0; i < 5; i++)
        {
            await store.CreateAsync($"/registry/configmaps/default/b{i}", [1], 0, default);
        }
        await WaitUntilCompactedAsync(store, first.Revision);
        var last = await store.CreateAsync("/registry/configmaps/default/c", [1], 0, default);

        await using var recovered = await OpenAsync(CrashCopy("crash"));

        Assert.That((await recovered.GetAsync("/registry/configmaps/default/c", 0, default))!.ModRevision, Is.EqualTo(last.Revision));
        Assert.That((await recovered.RangeAsync(new RangeRequest("/registry/configmaps/"), default)).Items, Has.Count.EqualTo(7));
    }

    private static async Task WaitUntilCompactedAsync(EmbeddedStore store, long revision)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                await store.GetAsync("/registry/configmaps/default/a", revision, default);
            }
            catch (CompactedException)
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"revision {revision} was never compacted");
    }

    [Test]
    public async Task Open_StoreOfFormat1_IsUpgradedInPlace()
    {
        long revision;
        await using (var store = await OpenAsync(Dir))
        {
            revision = (await store.CreateAsync("/a", [1], 0, default)).Revision;
        }
        await File.WriteAllTextAsync(Path.Combine(Dir, "FORMAT"), "mkube-store 1\n");

        await using var reopened = await OpenAsync(Dir);

        Assert.That((await reopened.GetAsync("/a", 0, default))!.ModRevision, Is.EqualTo(revision));
        Assert.That((await File.ReadAllTextAsync(Path.Combine(Dir, "FORMAT"))).Trim(), Is.EqualTo("mkube-store 2"));
    }
}
