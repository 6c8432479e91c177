using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Embedded;

/// <summary>Snapshots of an open store while writers go on: one revision, durable, owner-only.</summary>
[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class EmbeddedStoreSnapshotTests
{
    private readonly string _root = Directory.CreateTempSubdirectory("mkube-snapshot-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private Task<EmbeddedStore> OpenAsync(string name) =>
        EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = Path.Combine(_root, name) }, NullLogger.Instance, default);

    private static byte[] V(string text) => Encoding.UTF8.GetBytes(text);

    [Test]
    public async Task SaveSnapshot_WhileWritersCreateAndUpdate_HoldsExactlyTheStateAtItsRevision()
    {
        await using var store = await OpenAsync("db");
        for (var i = 0; i < 3_000; i++)
        {
            await store.CreateAsync($"/registry/things/k{i:D5}", V($"v{i}"), 0, default);
        }
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var created = await store.CreateAsync($"/registry/more/w{w}-{n:D6}", V("x"), 0, default);
                var old = await store.GetAsync($"/registry/things/k{n % 3_000:D5}", 0, default);
                await store.UpdateAsync(old!.Key, V($"u{created.Revision}"), old.ModRevision, 0, default);
            }
        })).ToList();
        await Task.Delay(100);
        var file = Path.Combine(_root, "snap");

        var saved = await store.SaveSnapshotAsync(file, default);
        await Task.Delay(100);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var expected = (await store.RangeAsync(new RangeRequest("/", Revision: saved.Revision), default)).Items;
        Assert.That(await store.GetCurrentRevisionAsync(default), Is.GreaterThan(saved.Revision), "writes went on after the snapshot");
        Assert.That(saved.Keys, Is.EqualTo(expected.Count));
        EmbeddedStore.RestoreSnapshot(file, Path.Combine(_root, "restored"));
        await using var restored = await OpenAsync("restored");
        var actual = (await restored.RangeAsync(new RangeRequest("/"), default)).Items;
        Assert.That(await restored.GetCurrentRevisionAsync(default), Is.EqualTo(saved.Revision));
        Assert.That(actual.Select(Describe), Is.EqualTo(expected.Select(Describe)));
    }

    [Test]
    public async Task SaveSnapshot_LongRunsOfDeletedKeys_HoldsEveryLiveKeyOnce()
    {
        await using var store = await OpenAsync("db");
        for (var i = 0; i < 2_000; i++)
        {
            await store.CreateAsync($"/registry/things/k{i:D5}", V($"v{i}"), 0, default);
        }
        for (var i = 100; i < 1_900; i++)
        {
            await store.DeleteAsync($"/registry/things/k{i:D5}", 0, default); // still in the index, as deletes are until compaction
        }
        var file = Path.Combine(_root, "snap");

        var saved = await store.SaveSnapshotAsync(file, default);

        Assert.That(saved.Keys, Is.EqualTo(200));
        EmbeddedStore.RestoreSnapshot(file, Path.Combine(_root, "restored"));
        await using var restored = await OpenAsync("restored");
        var keys = (await restored.RangeAsync(new RangeRequest("/"), default)).Items.Select(kv => kv.Key);
        Assert.That(keys, Is.EqualTo(Enumerable.Range(0, 100).Concat(Enumerable.Range(1_900, 100)).Select(i => $"/registry/things/k{i:D5}")));
    }

    [Test]
    public async Task SaveSnapshot_File_IsOwnerOnlyAndNamesItsRevision()
    {
        await using var store = await OpenAsync("db");
        await store.CreateAsync("/a", V("secret"), 0, default);
        var file = Path.Combine(_root, "snap");

        var saved = await store.SaveSnapshotAsync(file, default);

        Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(EmbeddedStore.SnapshotRevision(file), Is.EqualTo(saved.Revision));
        Assert.That(File.Exists(file + ".tmp"), Is.False);
    }

    [Test]
    public void SnapshotRevision_NotASnapshot_Null()
    {
        var file = Path.Combine(_root, "other");
        File.WriteAllText(file, "not a snapshot at all");

        Assert.That(EmbeddedStore.SnapshotRevision(file), Is.Null);
    }

    private static string Describe(KeyValue kv) =>
        $"{kv.Key} c{kv.CreateRevision} m{kv.ModRevision} v{kv.Version} {Encoding.UTF8.GetString(kv.Value)}";
}
