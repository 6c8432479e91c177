using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Embedded;

/// <summary>
/// The memory budget through the store: spilled values in watch replay, checkpoints, snapshots
/// and restarts, and the spill files being this run's alone.
/// </summary>
[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class EmbeddedStoreMemoryBudgetTests
{
    private readonly string _root = Directory.CreateTempSubdirectory("mkube-budget-").FullName;

    private string Dir => Path.Combine(_root, "db");

    private string SpillDir => Path.Combine(Dir, "spill");

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private Task<EmbeddedStore> OpenAsync(string? directory = null, long budget = 1, long checkpointBytes = 8L << 20) =>
        EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = directory ?? Dir, MemoryBudget = budget, CheckpointMinLogBytes = checkpointBytes }, NullLogger.Instance, default);

    private static byte[] V(string text) => Encoding.UTF8.GetBytes(text);

    private static string S(byte[] value) => Encoding.UTF8.GetString(value);

    /// <summary>Creates keys k0…k(n-1) and updates each twice: values "k{i}.{version}".</summary>
    private static async Task<long> WriteAsync(EmbeddedStore store, int keys)
    {
        for (var i = 0; i < keys; i++)
        {
            await store.CreateAsync($"/registry/pods/k{i:D4}", V($"k{i}.1"), 0, default);
        }
        long revision = 0;
        for (var round = 2; round <= 3; round++)
        {
            for (var i = 0; i < keys; i++)
            {
                var current = await store.GetAsync($"/registry/pods/k{i:D4}", 0, default);
                revision = (await store.UpdateAsync(current!.Key, V($"k{i}.{round}"), current.ModRevision, 0, default)).Revision;
            }
        }
        return revision;
    }

    [Test]
    public async Task Watch_FromAnOldRevision_ReplaysSpilledValuesAndPreviousValues()
    {
        await using var store = await OpenAsync();
        await WriteAsync(store, 50);
        Assert.That(Directory.GetFiles(SpillDir), Is.Not.Empty, "values were spilled");

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var events = new List<WatchEvent>();
        await foreach (var ev in store.WatchAsync("/registry/pods/", 1, cancel.Token))
        {
            events.Add(ev);
            if (events.Count == 150)
            {
                break;
            }
        }

        Assert.That(events.Select(e => S(e.Kv.Value)), Is.EqualTo(
            Enumerable.Range(1, 3).SelectMany(round => Enumerable.Range(0, 50).Select(i => $"k{i}.{round}"))));
        Assert.That(events.Select(e => e.PrevKv is null ? null : S(e.PrevKv.Value)), Is.EqualTo(
            Enumerable.Range(1, 3).SelectMany(round => Enumerable.Range(0, 50).Select(i => round == 1 ? null : $"k{i}.{round - 1}"))));
    }

    [Test]
    public async Task Range_AtAnOldRevision_ReadsSpilledHistory()
    {
        await using var store = await OpenAsync();
        await WriteAsync(store, 20);

        var atFirstRound = await store.RangeAsync(new RangeRequest("/registry/pods/", Revision: 20), default);

        Assert.That(atFirstRound.Items.Select(kv => S(kv.Value)), Is.EqualTo(Enumerable.Range(0, 20).Select(i => $"k{i}.1")));
    }

    [Test]
    public async Task Checkpoint_WithSpilledValues_RestartRecoversThemAndDeletesTheOldSpillFiles()
    {
        long revision;
        await using (var store = await OpenAsync(checkpointBytes: 16 << 10))
        {
            revision = await WriteAsync(store, 300);
            await Task.Delay(500); // the last checkpoint lands
            Assert.That(Directory.GetFiles(Path.Combine(Dir, "checkpoints")), Is.Not.Empty);
        }
        Assert.That(Directory.GetFiles(SpillDir), Is.Empty, "closing deletes the spill files");
        var stale = Path.Combine(SpillDir, "spill-999999");
        File.WriteAllText(stale, "left by a crash");

        await using var reopened = await OpenAsync();

        Assert.That(File.Exists(stale), Is.False, "opening deletes what an earlier run left");
        var all = await reopened.RangeAsync(new RangeRequest("/registry/pods/"), default);
        Assert.That(all.Revision, Is.EqualTo(revision));
        Assert.That(all.Items.Select(kv => (S(kv.Value), kv.Version)), Is.EqualTo(Enumerable.Range(0, 300).Select(i => ($"k{i}.3", 3L))));
    }

    [Test]
    public async Task SaveSnapshot_WithSpilledValues_RestoresEveryValue()
    {
        await using var store = await OpenAsync();
        await WriteAsync(store, 100);
        var file = Path.Combine(_root, "snap");

        var saved = await store.SaveSnapshotAsync(file, default);
        EmbeddedStore.RestoreSnapshot(file, Path.Combine(_root, "restored"));
        await using var restored = await OpenAsync(Path.Combine(_root, "restored"), budget: 0);

        var all = await restored.RangeAsync(new RangeRequest("/registry/pods/"), default);
        Assert.That(all.Revision, Is.EqualTo(saved.Revision));
        Assert.That(all.Items.Select(kv => S(kv.Value)), Is.EqualTo(Enumerable.Range(0, 100).Select(i => $"k{i}.3")));
    }

    [Test]
    public async Task SaveSnapshot_SpilledValuesWhileWritersChurnAndACompactionRuns_HoldsExactlyTheStateAtItsRevision()
    {
        await using var store = await OpenAsync();
        var random = new Random(7);
        for (var i = 0; i < 2_000; i++)
        {
            // Lengths vary, so the one buffer spilled values are read back into has to grow.
            await store.CreateAsync($"/registry/pods/k{i:D4}", V(new string('v', random.Next(3_000)) + i), 0, default);
        }
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            // Each writer its own keys (every fourth), so no write conflicts: creates, updates and deletes.
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var key = $"/registry/pods/k{(n * 4 + w) % 2_000:D4}";
                var current = await store.GetAsync(key, 0, default);
                if (current is null)
                {
                    await store.CreateAsync(key, V($"again {n}"), 0, default);
                }
                else if (n % 3 == 0)
                {
                    await store.DeleteAsync(key, current.ModRevision, default);
                }
                else
                {
                    await store.UpdateAsync(key, V($"{new string('u', n % 2_500)} {n}"), current.ModRevision, 0, default);
                }
            }
        })).ToList();
        await Task.Delay(200);
        var compactTo = await store.GetCurrentRevisionAsync(default); // below the snapshot's revision, which is taken after
        var file = Path.Combine(_root, "snap");

        var snapshot = store.SaveSnapshotAsync(file, default);
        await store.CompactAsync(compactTo, default); // values superseded before it die while the snapshot reads
        var saved = await snapshot;
        await Task.Delay(100);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var expected = (await store.RangeAsync(new RangeRequest("/", Revision: saved.Revision), default)).Items;
        Assert.That(await store.GetCurrentRevisionAsync(default), Is.GreaterThan(saved.Revision), "writes went on after the snapshot");
        Assert.That(saved.Keys, Is.EqualTo(expected.Count));
        EmbeddedStore.RestoreSnapshot(file, Path.Combine(_root, "restored"));
        await using var restored = await OpenAsync(Path.Combine(_root, "restored"), budget: 0);
        var actual = (await restored.RangeAsync(new RangeRequest("/"), default)).Items;
        Assert.That(actual.Select(Describe), Is.EqualTo(expected.Select(Describe)));
    }

    [Test]
    public async Task Open_WithoutABudget_KeepsEverythingInMemoryAndRemovesAnEarlierSpillDirectory()
    {
        await using (var store = await OpenAsync())
        {
            await WriteAsync(store, 10);
        }
        Assert.That(Directory.Exists(SpillDir), Is.True);

        await using var unlimited = await OpenAsync(budget: 0);

        Assert.That(Directory.Exists(SpillDir), Is.False);
        Assert.That(S((await unlimited.GetAsync("/registry/pods/k0009", 0, default))!.Value), Is.EqualTo("k9.3"));
    }

    private static string Describe(KeyValue kv) => $"{kv.Key} c{kv.CreateRevision} m{kv.ModRevision} v{kv.Version} {S(kv.Value)}";
}
