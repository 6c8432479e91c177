using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Embedded;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class EmbeddedStoreRecoveryTests
{
    private readonly string _root = Directory.CreateTempSubdirectory("mkube-recovery-").FullName;

    private string Dir => Path.Combine(_root, "db");

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private Task<EmbeddedStore> OpenAsync(long checkpointBytes = 8L << 20) =>
        EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = Dir, CheckpointMinLogBytes = checkpointBytes }, NullLogger.Instance, default);

    private static byte[] V(string text) => Encoding.UTF8.GetBytes(text);

    [Test]
    public async Task Reopen_AfterWrites_EverythingIsThereAndRevisionContinues()
    {
        long last;
        await using (var store = await OpenAsync())
        {
            var a = await store.CreateAsync("/a", V("1"), 0, default);
            await store.UpdateAsync("/a", V("2"), a.Revision, 0, default);
            await store.CreateAsync("/b", V("b"), 0, default);
            last = (await store.DeleteAsync("/b", 0, default)).Revision;
        }

        await using var reopened = await OpenAsync();

        Assert.That(await reopened.GetCurrentRevisionAsync(default), Is.EqualTo(last));
        var a2 = await reopened.GetAsync("/a", 0, default);
        Assert.That((Encoding.UTF8.GetString(a2!.Value), a2.Version), Is.EqualTo(("2", 2L)));
        Assert.That(await reopened.GetAsync("/b", 0, default), Is.Null);
        Assert.That((await reopened.CreateAsync("/c", V("c"), 0, default)).Revision, Is.EqualTo(last + 1));
    }

    [Test]
    public async Task Reopen_AfterCheckpoints_RecoversAndLogIsTruncated()
    {
        var value = new byte[4096];
        long revision = 0;
        await using (var store = await OpenAsync(checkpointBytes: 256 << 10))
        {
            // 2,000 updates of 4 KiB over 20 keys: ~8 MiB of log, ~80 KiB live.
            for (var i = 0; i < 2000; i++)
            {
                var key = $"/k/{i % 20}";
                var current = await store.GetAsync(key, 0, default);
                revision = current is null
                    ? (await store.CreateAsync(key, value, 0, default)).Revision
                    : (await store.UpdateAsync(key, value, current.ModRevision, 0, default)).Revision;
            }
            await Task.Delay(500); // let the last checkpoint and truncation land
            await store.CreateAsync("/last", V("x"), 0, default);
            revision++;
        }

        var disk = Directory.EnumerateFiles(Dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.That(disk, Is.LessThan(6L << 20), "log truncated behind checkpoints");
        Assert.That(Directory.EnumerateFiles(Path.Combine(Dir, "checkpoints")).Count(), Is.EqualTo(1));

        await using var reopened = await OpenAsync();
        Assert.That(await reopened.GetCurrentRevisionAsync(default), Is.EqualTo(revision));
        Assert.That(await reopened.CountAsync("/k/", default), Is.EqualTo(20));
        Assert.That((await reopened.GetAsync("/k/7", 0, default))!.Version, Is.EqualTo(100));
    }

    [Test]
    public async Task Open_DirectoryWithForeignFiles_RefusesAndTouchesNothing()
    {
        Directory.CreateDirectory(Dir);
        await File.WriteAllTextAsync(Path.Combine(Dir, "member.db"), "not ours");

        Assert.That(() => OpenAsync(), Throws.InstanceOf<UnknownStoreFormatException>().With.Message.Contains("not an mkube store"));
        Assert.That(Directory.EnumerateFileSystemEntries(Dir).Select(Path.GetFileName), Is.EqualTo(new[] { "member.db" }));
    }

    [Test]
    public async Task Open_NewerFormat_RefusesAndTouchesNothing()
    {
        Directory.CreateDirectory(Dir);
        await File.WriteAllTextAsync(Path.Combine(Dir, "FORMAT"), "mkube-store 9\n");

        Assert.That(() => OpenAsync(), Throws.InstanceOf<UnknownStoreFormatException>().With.Message.Contains("mkube-store 9"));
        Assert.That(Directory.EnumerateFileSystemEntries(Dir).Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task Open_TornLogTail_RecoversUpToLastCommit()
    {
        long last;
        await using (var store = await OpenAsync())
        {
            for (var i = 0; i < 50; i++)
            {
                await store.CreateAsync($"/k/{i}", V(new string('x', 100)), 0, default);
            }
            last = await store.GetCurrentRevisionAsync(default);
        }
        // A crash mid-write: garbage after the last commit, as a torn page would leave.
        var segment = Directory.EnumerateFiles(Path.Combine(Dir, "log"), "wal*").Order(StringComparer.Ordinal).Last();
        await using (var file = new FileStream(segment, FileMode.Append))
        {
            file.Write(Enumerable.Range(0, 700).Select(i => (byte)(i * 31)).ToArray());
        }

        await using var reopened = await OpenAsync();

        Assert.That(await reopened.GetCurrentRevisionAsync(default), Is.EqualTo(last));
        Assert.That(await reopened.CountAsync("/k/", default), Is.EqualTo(50));
        var next = await reopened.CreateAsync("/after", V("y"), 0, default);
        Assert.That(next.Revision, Is.EqualTo(last + 1));
        Assert.That(Directory.EnumerateDirectories(Dir, "log.damaged-*").Count(), Is.EqualTo(1), "the dropped tail is kept in a copy");
    }

    [Test]
    public async Task Open_CorruptRecordInsideLog_KeepsPrefixAndSetsDamagedLogAside()
    {
        await using (var store = await OpenAsync())
        {
            for (var i = 0; i < 20; i++)
            {
                await store.CreateAsync($"/k/{i:D2}", V(new string((char)('a' + i), 200)), 0, default);
            }
        }
        var segment = Directory.EnumerateFiles(Path.Combine(Dir, "log"), "wal*").Order(StringComparer.Ordinal).First();
        var bytes = await File.ReadAllBytesAsync(segment);
        var victim = Encoding.ASCII.GetBytes(new string('k', 200)); // the value of /k/10
        var at = bytes.AsSpan().IndexOf(victim);
        Assert.That(at, Is.GreaterThan(0));
        bytes[at + 50] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes);

        await using var reopened = await OpenAsync();

        Assert.That(await reopened.CountAsync("/k/", default), Is.EqualTo(10), "records before the damage survive");
        Assert.That(Directory.EnumerateDirectories(Dir, "log.damaged-*").Count(), Is.EqualTo(1));
        var next = await reopened.CreateAsync("/after", V("y"), 0, default);
        Assert.That(next.Revision, Is.EqualTo(11));
    }

    [Test]
    public async Task Reopen_LeaseSurvivesRestartWithFullTtl()
    {
        long lease;
        await using (var store = await OpenAsync())
        {
            lease = await store.GrantLeaseAsync(TimeSpan.FromHours(1), default);
            await store.CreateAsync("/leased", V("1"), lease, default);
        }

        await using var reopened = await OpenAsync();
        Assert.That(await reopened.GetAsync("/leased", 0, default), Is.Not.Null);
        await reopened.RevokeLeaseAsync(lease, default);
        Assert.That(await reopened.GetAsync("/leased", 0, default), Is.Null);
    }

    [Test]
    public async Task Snapshot_SaveThenRestoreIntoNewDirectory_HasSameKeysAndRevision()
    {
        var file = Path.Combine(_root, "backup.snap");
        long saved;
        await using (var store = await OpenAsync())
        {
            var a = await store.CreateAsync("/a", V("1"), 0, default);
            await store.UpdateAsync("/a", V("2"), a.Revision, 0, default);
            await store.CreateAsync("/b", V("b"), 0, default);
            saved = (await store.SaveSnapshotAsync(file, default)).Revision;
        }
        var restoredDir = Path.Combine(_root, "restored");

        var (revision, keys) = EmbeddedStore.RestoreSnapshot(file, restoredDir);

        Assert.That((revision, keys), Is.EqualTo((saved, 2)));
        await using var restored = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = restoredDir }, NullLogger.Instance, default);
        Assert.That(await restored.GetCurrentRevisionAsync(default), Is.EqualTo(saved));
        Assert.That(Encoding.UTF8.GetString((await restored.GetAsync("/a", 0, default))!.Value), Is.EqualTo("2"));
        Assert.That((await restored.CreateAsync("/c", V("c"), 0, default)).Revision, Is.EqualTo(saved + 1));
    }

    [Test]
    public async Task Snapshot_RestoreDamagedFile_FailsAndWritesNothing()
    {
        var file = Path.Combine(_root, "backup.snap");
        await using (var store = await OpenAsync())
        {
            await store.CreateAsync("/a", V("1"), 0, default);
            await store.SaveSnapshotAsync(file, default);
        }
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(file, bytes);
        var restoredDir = Path.Combine(_root, "restored");

        Assert.That(() => EmbeddedStore.RestoreSnapshot(file, restoredDir), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("damaged"));
        Assert.That(Directory.Exists(restoredDir), Is.False);
    }

    [Test]
    public async Task Reopen_LargeValuesWrittenAsFragments_ComeBackWhole()
    {
        var big = new byte[StoreLimits.MaxValueBytes];
        Random.Shared.NextBytes(big);
        await using (var store = await OpenAsync())
        {
            await store.CreateAsync("/big", big, 0, default);
            await store.CreateAsync("/small", V("s"), 0, default);
        }

        await using var reopened = await OpenAsync();

        Assert.That((await reopened.GetAsync("/big", 0, default))!.Value, Is.EqualTo(big));
        Assert.That(await reopened.GetCurrentRevisionAsync(default), Is.EqualTo(2));
    }

    [Test]
    public async Task Reopen_CheckpointInterruptedBeforeRename_IsIgnoredAndRemoved()
    {
        await using (var store = await OpenAsync(checkpointBytes: 64 << 10))
        {
            for (var i = 0; i < 200; i++)
            {
                await store.CreateAsync($"/k/{i}", new byte[1024], 0, default);
            }
            await Task.Delay(300);
        }
        var checkpoints = Path.Combine(Dir, "checkpoints");
        var complete = Directory.EnumerateFiles(checkpoints).Single();
        // A crash after the temp file was written in full, before its rename.
        var temp = Path.Combine(checkpoints, "checkpoint-99999999999999999999.tmp");
        File.Copy(complete, temp);

        await using var reopened = await OpenAsync();

        Assert.That(await reopened.GetCurrentRevisionAsync(default), Is.EqualTo(200));
        Assert.That(File.Exists(temp), Is.False);
    }

    [Test]
    public async Task Reopen_WatchFromTheCheckpointRevision_IsCompactedNotSilentlyShort()
    {
        await using (var store = await OpenAsync(checkpointBytes: 16 << 10))
        {
            for (var i = 0; i < 100; i++)
            {
                await store.CreateAsync($"/k/{i}", new byte[1024], 0, default);
            }
            await Task.Delay(300);
        }
        var checkpointRevision = long.Parse(Path.GetFileName(Directory.EnumerateFiles(Path.Combine(Dir, "checkpoints")).Single())["checkpoint-".Length..], System.Globalization.CultureInfo.InvariantCulture);

        await using var reopened = await OpenAsync();

        Assert.That(async () =>
        {
            await foreach (var ev in reopened.WatchAsync("/k/", checkpointRevision, default))
            {
                break;
            }
        }, Throws.InstanceOf<CompactedException>());
        Assert.That(await reopened.GetAsync("/k/0", checkpointRevision, default), Is.Not.Null, "reads at the checkpoint revision still work");
    }
}
