using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Hosting;
using MiniKube.Storage.Embedded;

namespace MiniKube.Tests.Cli;

/// <summary><c>mkube snapshot …</c> with no server running: the store opened by the command itself, and the files.</summary>
[TestFixture]
public sealed class SnapshotCommandTests
{
    private CliHarness _cli = null!;
    private string _dataDir = null!;

    [SetUp]
    public async Task SetUp()
    {
        _cli = new CliHarness();
        _dataDir = Path.Combine(_cli.TempDir, "data");
        await using var store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = StoreComponent.StoreDirectory(_dataDir) }, NullLogger.Instance, default);
        await store.CreateAsync("/registry/namespaces/default", Encoding.UTF8.GetBytes("{}"), 0, default);
    }

    [TearDown]
    public void TearDown() => _cli.Dispose();

    private string SnapshotsDir => Path.Combine(_dataDir, "server", "snapshots");

    private string[] OutLines => _cli.Out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Test]
    public async Task Save_NoServer_WritesNameNodeTimeIntoSnapshotsDir()
    {
        var code = await _cli.RunAsync("snapshot", "save", "--data-dir", _dataDir, "--name", "nightly");

        Assert.That(code, Is.Zero, _cli.Error.ToString());
        Assert.That(OutLines[0], Does.Match(@"^Saved revision 1 \(1 keys\) to .*/server/snapshots/nightly-.+-\d{10} in \d+ ms$"));
        Assert.That(Directory.GetFiles(SnapshotsDir), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Ls_AfterSave_ListsK3sColumnsAndRevision()
    {
        await _cli.RunAsync("snapshot", "save", "--data-dir", _dataDir);
        _cli.Out.GetStringBuilder().Clear();

        var code = await _cli.RunAsync("snapshot", "ls", "--data-dir", _dataDir);

        Assert.That(code, Is.Zero, _cli.Error.ToString());
        Assert.That(OutLines[0], Does.Match("^Name +Location +Size +Created +Revision$"));
        Assert.That(OutLines[1], Does.Match(@"^on-demand-\S+-\d{10} +file:///\S+ +\d+ +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +1$"));
    }

    [Test]
    public async Task Prune_KeepsRetentionNewestOfTheName()
    {
        Directory.CreateDirectory(SnapshotsDir);
        foreach (var t in new[] { 100, 200, 300 })
        {
            File.WriteAllText(Path.Combine(SnapshotsDir, $"on-demand-n-{t}"), "x");
        }
        File.WriteAllText(Path.Combine(SnapshotsDir, "etcd-snapshot-n-1"), "x");

        var code = await _cli.RunAsync("snapshot", "prune", "--data-dir", _dataDir, "--snapshot-retention", "1");

        Assert.That(code, Is.Zero, _cli.Error.ToString());
        Assert.That(OutLines, Is.EqualTo(new[] { "Removed on-demand-n-200", "Removed on-demand-n-100" }));
        Assert.That(Directory.GetFiles(SnapshotsDir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "on-demand-n-300", "etcd-snapshot-n-1" }));
    }

    [Test]
    public async Task Delete_OneThereOneNot_RemovesAndExits1()
    {
        Directory.CreateDirectory(SnapshotsDir);
        File.WriteAllText(Path.Combine(SnapshotsDir, "on-demand-n-1"), "x");

        var code = await _cli.RunAsync("snapshot", "delete", "--data-dir", _dataDir, "on-demand-n-1", "on-demand-n-2");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(OutLines, Is.EqualTo(new[] { "Removed on-demand-n-1" }));
        Assert.That(_cli.ErrorLines, Is.EqualTo(new[] { $"Error: no snapshot on-demand-n-2 in {SnapshotsDir}" }));
    }

    [TestCase("snapshot", "prune", "--snapshot-retention", "0")]
    [TestCase("snapshot", "prune", "--snapshot-retention", "many")]
    [TestCase("snapshot", "save", "--name", "Bad/Name")]
    [TestCase("snapshot", "delete")]
    [TestCase("snapshot", "delete", "--bogus")]
    [TestCase("snapshot", "ls", "--bogus")]
    [TestCase("server", "--snapshot-schedule-cron", "every day")]
    [TestCase("server", "--snapshot-retention", "0")]
    public async Task BadFlag_OneLineAndUsage_Exits2(params string[] args)
    {
        var code = await _cli.RunAsync(args);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(_cli.ErrorLines, Has.Length.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.StartWith("Error: "));
        Assert.That(_cli.ErrorLines[1], Does.StartWith($"Usage: mkube {args[0]}"));
    }

    [Test]
    public void ResolveServer_Defaults_AreK3s()
    {
        var flags = _cli.CommandLine.ResolveServer();

        Assert.That((flags.SnapshotScheduleCron, flags.SnapshotRetention, flags.DisableSnapshots), Is.EqualTo(("0 */12 * * *", 5, false)));
    }

    [Test]
    public void ResolveServer_CronStartingWithAt_IsAValueNotAResponseFile()
    {
        var flags = _cli.CommandLine.ResolveServer("--snapshot-schedule-cron", "@every 2s");

        Assert.That(flags.SnapshotScheduleCron, Is.EqualTo("@every 2s"));
    }

    [Test]
    public void ResolveServer_CronFromConfigFile_StartingWithAt()
    {
        _cli.WriteConfig("snapshot-schedule-cron: \"@daily\"\n");

        Assert.That(_cli.CommandLine.ResolveServer().SnapshotScheduleCron, Is.EqualTo("@daily"));
    }

    [Test]
    public void ResolveServer_K3sSpelling_Accepted()
    {
        var flags = _cli.CommandLine.ResolveServer("--etcd-snapshot-schedule-cron", "*/5 * * * *", "--etcd-snapshot-retention", "3", "--etcd-disable-snapshots");

        Assert.That((flags.SnapshotScheduleCron, flags.SnapshotRetention, flags.DisableSnapshots), Is.EqualTo(("*/5 * * * *", 3, true)));
    }
}
