using MiniKube.Testing;
using System.Diagnostics;

namespace MiniKube.E2E.Tests;

/// <summary><c>mkube server</c> on its two datastores: the embedded store and a real etcd.</summary>
[TestFixture]
[Category("E2E")]
public sealed class DatastoreTests : DataDirFixture
{
    [Test]
    public async Task Server_WithEtcdEndpoint_ConnectsAndStopsCleanly()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--datastore-endpoint", etcd.Endpoint.ToString()));

        await mkube.WaitForLogAsync("Connected to etcd", StartTimeout);
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        mkube.Signal(MkubeProcess.SigTerm);
        await mkube.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.That(mkube.ExitCode, Is.Zero);
        Assert.That(Directory.Exists(Path.Combine(DataDir, "server", "db")), Is.False, "no embedded store when etcd is the datastore");
    }

    [Test]
    public async Task Server_EtcdUnreachable_ExitsNonZeroWithOneClearLine()
    {
        var port = EtcdServer.FreePort();
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--datastore-endpoint", $"http://127.0.0.1:{port}"));
        var clock = Stopwatch.StartNew();

        await mkube.WaitForExitAsync(TimeSpan.FromSeconds(40));

        Assert.That(mkube.ExitCode, Is.EqualTo(1));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
        var failures = mkube.Stderr.Where(l => l.Contains("failed:", StringComparison.Ordinal)).ToList();
        Assert.That(failures, Has.Count.EqualTo(1));
        Assert.That(failures[0], Does.Contain("store failed: etcd is unreachable"));
    }

    [Test]
    public async Task Server_EmbeddedStore_SurvivesRestartAndSnapshotRoundTrip()
    {
        using (var first = MkubeBinary.Start(null, ServerArgs(DataDir)))
        {
            await first.WaitForLogAsync("components are running", StartTimeout);
            first.Signal(MkubeProcess.SigTerm);
            await first.WaitForExitAsync(TimeSpan.FromSeconds(15));
        }
        var snapshot = Path.Combine(DataDir, "backup.snap");

        using var save = await MkubeBinary.RunToEndAsync("snapshot", "save", snapshot, "--data-dir", DataDir);
        var restoredDir = Path.Combine(DataDir, "restored");
        using var restore = await MkubeBinary.RunToEndAsync("snapshot", "restore", snapshot, "--data-dir", restoredDir);
        using var again = await MkubeBinary.RunToEndAsync("snapshot", "restore", snapshot, "--data-dir", restoredDir);

        Assert.That(save.ExitCode, Is.Zero, string.Join('\n', save.Stderr));
        Assert.That(save.Stdout[0], Does.StartWith("Saved revision"));
        Assert.That(restore.ExitCode, Is.Zero, string.Join('\n', restore.Stderr));
        Assert.That(again.ExitCode, Is.EqualTo(1));
        Assert.That(again.Stderr, Is.EqualTo(new[] { $"Error: {restoredDir}/server/db already holds a store; move it away first (nothing was changed)" }));
        using var restored = MkubeBinary.Start(null, ServerArgs(restoredDir));
        await restored.WaitForLogAsync("Store recovered at revision", StartTimeout);
    }
}
