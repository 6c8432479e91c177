using Microsoft.Extensions.Logging;
using MiniKube.Agent.Kubelet;

namespace MiniKube.Agent.Tests.Kubelet;

[TestFixture]
public sealed class StaticPodSourceTests
{
    private string _directory = null!;
    private RecordingLoggerFactory _logs = null!;
    private StaticPodSource _source = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("mkube-static-").FullName;
        _logs = new RecordingLoggerFactory();
        _source = new StaticPodSource(_directory, "node1", TimeProvider.System, _logs.CreateLogger("test"));
    }

    [TearDown]
    public void TearDown()
    {
        _logs.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public void Rescan_NewManifest_ReportsItsKeyAndServesThePod()
    {
        Write("web.yaml", Pod("web", "3600"));

        var changed = _source.Rescan();

        Assert.That(changed, Is.EqualTo(new[] { "default/web-node1" }));
        Assert.That(_source.Get("default/web-node1")?.Spec.Containers[0].Command, Is.EqualTo(new[] { "sleep", "3600" }));
        Assert.That(_source.Uids, Has.Member(_source.Get("default/web-node1")!.Metadata.Uid));
    }

    [Test]
    public void Rescan_Unchanged_ReportsNothingAndKeepsThePodAsItWas()
    {
        Write("web.yaml", Pod("web", "3600"));
        _source.Rescan();
        var first = _source.Get("default/web-node1");

        var changed = _source.Rescan();

        Assert.That(changed, Is.Empty);
        Assert.That(_source.Get("default/web-node1"), Is.SameAs(first));
    }

    [Test]
    public void Rescan_EditedManifest_NewUidAndOldPodLeftToStop()
    {
        Write("web.yaml", Pod("web", "3600"));
        _source.Rescan();
        var old = _source.Get("default/web-node1")!;

        Write("web.yaml", Pod("web", "7200"));
        var changed = _source.Rescan();

        var now = _source.Get("default/web-node1")!;
        Assert.That(changed, Is.EqualTo(new[] { "default/web-node1" }));
        Assert.That(now.Metadata.Uid, Is.Not.EqualTo(old.Metadata.Uid));
        Assert.That(_source.TerminatingFor("default/web-node1").Single().Metadata.Uid, Is.EqualTo(old.Metadata.Uid));
        Assert.That(_source.Uids, Is.EquivalentTo(new[] { old.Metadata.Uid, now.Metadata.Uid }));
    }

    [Test]
    public void Rescan_RemovedManifest_PodLeavesUntilReportedStopped()
    {
        Write("web.yaml", Pod("web", "3600"));
        _source.Rescan();
        var old = _source.Get("default/web-node1")!;

        File.Delete(Path.Combine(_directory, "web.yaml"));
        var changed = _source.Rescan();

        Assert.That(changed, Is.EqualTo(new[] { "default/web-node1" }));
        Assert.That(_source.Get("default/web-node1"), Is.Null);
        Assert.That(_source.Keys, Is.EqualTo(new[] { "default/web-node1" }));
        _source.Terminated(old);
        Assert.That(_source.Keys, Is.Empty);
        Assert.That(_source.Uids, Is.Empty);
    }

    [Test]
    public void Rescan_RestoredBeforeStopped_KeepsRunningWithoutStopping()
    {
        Write("web.yaml", Pod("web", "3600"));
        _source.Rescan();
        File.Move(Path.Combine(_directory, "web.yaml"), Path.Combine(_directory, "web.bak"));
        _source.Rescan();

        File.Move(Path.Combine(_directory, "web.bak"), Path.Combine(_directory, "web.yaml"));
        _source.Rescan();

        Assert.That(_source.Get("default/web-node1"), Is.Not.Null);
        Assert.That(_source.TerminatingFor("default/web-node1"), Is.Empty);
    }

    [Test]
    public void Rescan_InvalidManifestBesideValidOne_WarnsOnceNamingTheFileAndKeepsTheOther()
    {
        Write("good.yaml", Pod("good", "3600"));
        Write("bad.yaml", "apiVersion: v1\nkind: Pod\nspec: {}\n");
        Write("notes.txt", "not a manifest");

        _source.Rescan();
        _source.Rescan();

        Assert.That(_source.Keys, Is.EqualTo(new[] { "default/good-node1" }));
        var warnings = _logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0], Does.Contain(Path.Combine(_directory, "bad.yaml")).And.Contain("metadata.name is required"));
    }

    [Test]
    public void Rescan_TwoFilesSameName_FirstWinsAndTheOtherIsWarnedAbout()
    {
        Write("a.yaml", Pod("web", "1"));
        Write("b.yaml", Pod("web", "2"));

        _source.Rescan();
        _source.Rescan();

        Assert.That(_source.Get("default/web-node1")!.Spec.Containers[0].Command[1], Is.EqualTo("1"));
        Assert.That(_logs.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("b.yaml", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public void Rescan_MissingDirectory_NoPods()
    {
        var source = new StaticPodSource(Path.Combine(_directory, "absent"), "node1", TimeProvider.System, _logs.CreateLogger("test"));

        Assert.That(source.Rescan(), Is.Empty);
    }

    private void Write(string name, string content) => File.WriteAllText(Path.Combine(_directory, name), content);

    private static string Pod(string name, string seconds) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
        spec:
          containers:
          - name: main
            image: mkube.local/busybox:1
            command: ["sleep", "{seconds}"]
        """;
}
