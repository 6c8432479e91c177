using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Kubelet;

namespace MiniKube.Agent.Tests.Kubelet;

[TestFixture]
public sealed class LocalStateTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Path.Combine(Directory.CreateTempSubdirectory("mkube-local-").FullName, "local-state");

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(Path.GetDirectoryName(_directory)!, recursive: true);

    private LocalState State() => new(_directory, NullLogger.Instance);

    private static V1Pod Pod(string name, string uid) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "apps", Uid = uid, ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl" }] },
        Spec = new V1PodSpec { NodeName = "node1", Containers = [new V1Container { Name = "main", Image = "busybox" }] },
        Status = new V1PodStatus { Phase = "Running" },
    };

    [Test]
    public void LoadPods_AfterSave_ReadsThemBackInANewInstance_WithoutManagedFields()
    {
        State().SavePod("apps/web", Pod("web", "uid-1"));

        var pods = State().LoadPods();

        Assert.That(pods.Keys, Is.EquivalentTo(new[] { "apps/web" }));
        Assert.That(pods["apps/web"].Metadata.Uid, Is.EqualTo("uid-1"));
        Assert.That(pods["apps/web"].Status.Phase, Is.EqualTo("Running"));
        Assert.That(pods["apps/web"].Metadata.ManagedFields, Is.Null);
    }

    [Test]
    public void SaveData_Secret_OwnerOnlyFileAndDirectory_NoTemporaryLeft()
    {
        State().SaveData(LocalState.Secrets, "apps", "creds", new Dictionary<string, string> { ["password"] = "s3cret" });

        var file = Path.Combine(_directory, "secrets", "apps_creds.json");
        Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(_directory), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        Assert.That(File.GetUnixFileMode(Path.Combine(_directory, "secrets")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        Assert.That(Directory.EnumerateFiles(_directory, "*.tmp", SearchOption.AllDirectories), Is.Empty);
        Assert.That(State().TryLoadData(LocalState.Secrets, "apps", "creds", out var data), Is.True);
        Assert.That(data, Is.EqualTo(new Dictionary<string, string> { ["password"] = "s3cret" }));
    }

    [Test]
    public void SaveData_Null_RemovesTheCopy()
    {
        var state = State();
        state.SaveData(LocalState.ConfigMaps, "apps", "settings", new Dictionary<string, string> { ["a"] = "1" });

        state.SaveData(LocalState.ConfigMaps, "apps", "settings", null);

        Assert.That(state.TryLoadData(LocalState.ConfigMaps, "apps", "settings", out _), Is.False);
    }

    [Test]
    public void SavePod_SameContentAgain_DoesNotRewriteTheFile()
    {
        var state = State();
        state.SavePod("apps/web", Pod("web", "uid-1"));
        var file = Path.Combine(_directory, "pods", "apps_web.json");
        var inode = Inode(file);

        state.SavePod("apps/web", Pod("web", "uid-1"));
        var unchanged = Inode(file);
        state.SavePod("apps/web", Pod("web", "uid-2"));

        Assert.That(unchanged, Is.EqualTo(inode), "an unchanged pod costs no write (the file would be a new one)");
        Assert.That(Inode(file), Is.Not.EqualTo(inode), "a changed pod replaces the file by a rename");
        Assert.That(State().LoadPods()["apps/web"].Metadata.Uid, Is.EqualTo("uid-2"));
    }

    [Test]
    public void RetainPodsAndData_DropEverythingElse()
    {
        var state = State();
        state.SavePod("apps/web", Pod("web", "uid-1"));
        state.SavePod("apps/gone", Pod("gone", "uid-2"));
        state.SaveData(LocalState.ConfigMaps, "apps", "kept", new Dictionary<string, string>());
        state.SaveData(LocalState.ConfigMaps, "apps", "old", new Dictionary<string, string>());

        state.RetainPods(new HashSet<string> { "apps/web" });
        state.RetainData(LocalState.ConfigMaps, new HashSet<string> { "apps/kept" });

        Assert.That(State().LoadPods().Keys, Is.EquivalentTo(new[] { "apps/web" }));
        Assert.That(state.TryLoadData(LocalState.ConfigMaps, "apps", "kept", out _), Is.True);
        Assert.That(state.TryLoadData(LocalState.ConfigMaps, "apps", "old", out _), Is.False);
    }

    [Test]
    public void LoadPods_DamagedFile_IsSkipped()
    {
        State().SavePod("apps/web", Pod("web", "uid-1"));
        File.WriteAllText(Path.Combine(_directory, "pods", "apps_broken.json"), "{\"metadata\": ");

        Assert.That(State().LoadPods().Keys, Is.EquivalentTo(new[] { "apps/web" }));
    }

    [Test]
    public void ServicesAndNode_RoundTrip()
    {
        var state = State();
        state.SaveServices([new V1Service { Metadata = new V1ObjectMeta { Name = "kubernetes", NamespaceProperty = "default" }, Spec = new V1ServiceSpec { ClusterIP = "10.43.0.1" } }]);
        state.SaveNode(new V1Node { Metadata = new V1ObjectMeta { Name = "node1", Labels = new Dictionary<string, string> { ["a"] = "b" } }, Spec = new V1NodeSpec { PodCIDR = "10.42.1.0/24", PodCIDRs = ["10.42.1.0/24"] } });

        var services = State().LoadServices();
        var node = State().LoadNode();

        Assert.That(services.Select(s => s.Spec.ClusterIP), Is.EqualTo(new[] { "10.43.0.1" }));
        Assert.That(node?.Spec.PodCIDR, Is.EqualTo("10.42.1.0/24"));
        Assert.That(node?.Metadata.Labels, Is.Null, "only what an offline start needs is kept");
    }

    [Test]
    public void Load_WithoutACopy_IsEmpty()
    {
        var state = State();

        Assert.That(state.LoadPods(), Is.Empty);
        Assert.That(state.LoadServices(), Is.Empty);
        Assert.That(state.LoadNode(), Is.Null);
        Assert.That(state.TryLoadData(LocalState.Secrets, "apps", "creds", out _), Is.False);
    }

    private static long Inode(string path)
    {
        var output = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var text = output.StandardOutput.ReadToEnd();
        output.WaitForExit();
        return long.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
