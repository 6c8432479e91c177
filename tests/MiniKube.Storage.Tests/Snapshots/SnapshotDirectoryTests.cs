using MiniKube.Storage.Snapshots;

namespace MiniKube.Storage.Tests.Snapshots;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class SnapshotDirectoryTests
{
    private readonly string _root = Directory.CreateTempSubdirectory("mkube-snapshots-").FullName;

    private SnapshotDirectory Snapshots => new(Path.Combine(_root, "snapshots"));

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private string Touch(string name)
    {
        Snapshots.Create();
        var path = Path.Combine(Snapshots.Path, name);
        File.WriteAllText(path, name);
        return path;
    }

    [Test]
    public void NewFile_NameNodeAndUnixTime_AsK3sNamesThem()
    {
        var file = Snapshots.NewFile("on-demand", "node-1", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

        Assert.That(file, Is.EqualTo(Path.Combine(Snapshots.Path, "on-demand-node-1-1700000000")));
    }

    [Test]
    public void NewFile_SameSecondTwice_Refuses()
    {
        var file = Snapshots.NewFile("on-demand", "n", DateTimeOffset.FromUnixTimeSeconds(10));
        Touch(Path.GetFileName(file));

        Assert.That(() => Snapshots.NewFile("on-demand", "n", DateTimeOffset.FromUnixTimeSeconds(10)), Throws.InstanceOf<IOException>().With.Message.Contains("already exists"));
    }

    [TestCase("")]
    [TestCase("../x")]
    [TestCase("On-Demand")]
    [TestCase("-x")]
    [TestCase("a/b")]
    public void IsValidName_NotALowercaseWord_False(string name) => Assert.That(SnapshotDirectory.IsValidName(name), Is.False);

    [TestCase("on-demand")]
    [TestCase("etcd-snapshot")]
    [TestCase("nightly.1")]
    public void IsValidName_LowercaseWord_True(string name) => Assert.That(SnapshotDirectory.IsValidName(name), Is.True);

    [Test]
    public void Create_Directory_IsOwnerOnly()
    {
        Snapshots.Create();

        Assert.That(File.GetUnixFileMode(Snapshots.Path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
    }

    [Test]
    public void List_NewestFirstByTimeInName_SkipsTempFiles()
    {
        Touch("on-demand-n-200");
        Touch("etcd-snapshot-n-300");
        Touch("on-demand-n-100");
        Touch("on-demand-n-400.tmp");

        var listed = Snapshots.List();

        Assert.That(listed.Select(s => s.Name), Is.EqualTo(new[] { "etcd-snapshot-n-300", "on-demand-n-200", "on-demand-n-100" }));
        Assert.That(listed[0].Created, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(300)));
        Assert.That(listed[0].Size, Is.EqualTo("etcd-snapshot-n-300".Length));
    }

    [Test]
    public void List_NoDirectory_Empty() => Assert.That(Snapshots.List(), Is.Empty);

    [Test]
    public void Prune_KeepsNewestOfThatNameOnly()
    {
        foreach (var t in new[] { 100, 200, 300, 400 })
        {
            Touch($"etcd-snapshot-n-{t}");
        }
        Touch("on-demand-n-50");
        Touch("etcd-snapshot-extra-n-10");

        var pruned = Snapshots.Prune("etcd-snapshot", 2);

        Assert.That(pruned.Select(s => s.Name), Is.EquivalentTo(new[] { "etcd-snapshot-n-200", "etcd-snapshot-n-100", "etcd-snapshot-extra-n-10" }));
        Assert.That(Snapshots.List().Select(s => s.Name), Is.EqualTo(new[] { "etcd-snapshot-n-400", "etcd-snapshot-n-300", "on-demand-n-50" }));
    }

    [Test]
    public void Delete_ExistingAndMissing_TrueThenFalse()
    {
        Touch("on-demand-n-1");

        Assert.That(Snapshots.Delete("on-demand-n-1"), Is.True);
        Assert.That(Snapshots.Delete("on-demand-n-1"), Is.False);
    }

    [TestCase("../secret")]
    [TestCase("/etc/passwd")]
    [TestCase("..")]
    public void Delete_PathOutsideTheDirectory_Refuses(string name) =>
        Assert.That(() => Snapshots.Delete(name), Throws.ArgumentException);
}
