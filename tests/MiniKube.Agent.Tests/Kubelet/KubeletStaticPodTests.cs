using k8s;
using Microsoft.Extensions.Logging;
using MiniKube.Agent.Kubelet;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>Static pods from a manifest directory, run by the kubelet (simulated runtime) and mirrored into an in-process API server.</summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeletStaticPodTests
{
    private KubeletTestCluster _cluster = null!;
    private RecordingLoggerFactory _logs = null!;
    private string _manifests = null!;

    [SetUp]
    public async Task SetUp()
    {
        _cluster = await KubeletTestCluster.StartAsync();
        _logs = new RecordingLoggerFactory();
        _manifests = Path.Combine(_cluster.Server.Directory, "pod-manifests");
    }

    [TearDown]
    public async Task TearDown()
    {
        await _cluster.DisposeAsync();
        _logs.Dispose();
    }

    [Test]
    public async Task Manifest_RunsAndAppearsAsMirrorPodWithStatus()
    {
        await StartKubeletAsync();

        Write("web.yaml", Manifest("web", "3600"));

        var mirror = await _cluster.WaitForPodAsync("web-node1", p => p.Status?.Phase == "Running" && p.Status.ContainerStatuses?.SingleOrDefault()?.State?.Running is not null);
        var node = await _cluster.Client.CoreV1.ReadNodeAsync("node1");
        Assert.That(mirror.Spec.NodeName, Is.EqualTo("node1"));
        Assert.That(mirror.Metadata.Annotations[StaticPods.SourceAnnotation], Is.EqualTo("file"));
        Assert.That(mirror.Metadata.Annotations[StaticPods.MirrorAnnotation], Is.EqualTo(mirror.Metadata.Annotations[StaticPods.HashAnnotation]));
        Assert.That(mirror.Metadata.Annotations, Does.ContainKey(StaticPods.SeenAnnotation));
        var owner = mirror.Metadata.OwnerReferences.Single();
        Assert.That((owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller), Is.EqualTo(("v1", "Node", "node1", node.Metadata.Uid, (bool?)true)));
        var staticUid = mirror.Metadata.Annotations[StaticPods.HashAnnotation];
        Assert.That(mirror.Metadata.Uid, Is.Not.EqualTo(staticUid), "the mirror is the API's object; the containers belong to the static pod");
        Assert.That(await ContainersOfAsync(staticUid), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task OrphanSweep_LeavesStaticPodsRunning()
    {
        await StartKubeletAsync();
        Write("web.yaml", Manifest("web", "3600"));
        var mirror = await _cluster.WaitForPodAsync("web-node1", p => p.Status?.Phase == "Running");
        var container = (await ContainersOfAsync(mirror.Metadata.Annotations[StaticPods.HashAnnotation])).Single();

        // Nothing to await here: the sweep runs every 10 resyncs (2 s in this fixture), so wait past a few.
        await Task.Delay(TimeSpan.FromSeconds(4.5));

        var now = await ContainersOfAsync(mirror.Metadata.Annotations[StaticPods.HashAnnotation]);
        Assert.That(now.Select(c => (c.Id, c.State)), Is.EqualTo(new[] { (container.Id, ContainerState.Running) }));
    }

    [Test]
    public async Task MirrorPodDeleted_ComesBackWhileTheContainersKeepRunning()
    {
        await StartKubeletAsync();
        Write("web.yaml", Manifest("web", "3600"));
        var first = await _cluster.WaitForPodAsync("web-node1", p => p.Status?.Phase == "Running");
        var staticUid = first.Metadata.Annotations[StaticPods.HashAnnotation];
        var container = (await ContainersOfAsync(staticUid)).Single();

        await _cluster.Client.CoreV1.DeleteNamespacedPodAsync("web-node1", "default");

        var again = await _cluster.WaitForPodAsync("web-node1", p => p.Metadata.Uid != first.Metadata.Uid && p.Metadata.DeletionTimestamp is null && p.Status?.Phase == "Running");
        Assert.That(again.Metadata.Annotations[StaticPods.MirrorAnnotation], Is.EqualTo(staticUid));
        Assert.That((await ContainersOfAsync(staticUid)).Single().Id, Is.EqualTo(container.Id), "deleting a mirror pod does not restart the static pod");
    }

    [Test]
    public async Task ManifestRemoved_MirrorPodDeletedAndContainersRemoved()
    {
        await StartKubeletAsync();
        Write("web.yaml", Manifest("web", "3600"));
        var mirror = await _cluster.WaitForPodAsync("web-node1", p => p.Status?.Phase == "Running");
        var staticUid = mirror.Metadata.Annotations[StaticPods.HashAnnotation];

        File.Delete(Path.Combine(_manifests, "web.yaml"));

        await _cluster.WaitUntilGoneAsync("web-node1");
        await KubeletTestCluster.WaitUntilAsync(async () => (await ContainersOfAsync(staticUid)).Count == 0 && (await _cluster.Runtime.ListSandboxesAsync(CancellationToken.None)).All(s => s.PodUid != staticUid), "the static pod's containers were not removed");
    }

    [Test]
    public async Task ManifestEdited_PodRestartsWithTheNewSpecAndANewMirror()
    {
        await StartKubeletAsync();
        Write("web.yaml", Manifest("web", "3600"));
        var before = await _cluster.WaitForPodAsync("web-node1", p => p.Status?.Phase == "Running");
        var oldUid = before.Metadata.Annotations[StaticPods.HashAnnotation];

        Write("web.yaml", Manifest("web", "7200"));

        var after = await _cluster.WaitForPodAsync("web-node1", p => p.Metadata.Annotations is { } annotations && annotations.TryGetValue(StaticPods.MirrorAnnotation, out var hash) && hash != oldUid && p.Status?.Phase == "Running");
        var newUid = after.Metadata.Annotations[StaticPods.HashAnnotation];
        Assert.That(after.Spec.Containers.Single().Command, Is.EqualTo(new[] { "sleep", "7200" }));
        Assert.That((await ContainersOfAsync(newUid)).Single().State, Is.EqualTo(ContainerState.Running));
        await KubeletTestCluster.WaitUntilAsync(async () => (await ContainersOfAsync(oldUid)).Count == 0, "the old static pod's containers were not removed");
    }

    [Test]
    public async Task InvalidManifestBesideValidOne_ValidRunsAndTheInvalidIsLogged()
    {
        Write("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: [{name: c}]}\n");
        Write("good.yaml", Manifest("good", "3600"));

        await StartKubeletAsync();

        await _cluster.WaitForPodAsync("good-node1", p => p.Status?.Phase == "Running");
        var pods = await _cluster.Client.CoreV1.ListNamespacedPodAsync("default");
        Assert.That(pods.Items.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "good-node1" }));
        Assert.That(_logs.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("bad.yaml", StringComparison.Ordinal) && e.Message.Contains("image is required", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task ApiServerUnreachable_StaticPodStillRuns()
    {
        // A client for an address nobody listens on: registration never succeeds.
        using var nowhere = new Kubernetes(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1", SkipTlsVerify = true });
        Write("web.yaml", Manifest("web", "3600"));

        await StartKubeletAsync(nowhere, waitUntilReady: false);

        await KubeletTestCluster.WaitUntilAsync(async () => (await _cluster.Runtime.ListContainersAsync(CancellationToken.None)).Any(c => c.Name == "main" && c.State == ContainerState.Running), "the static pod did not start without the API server");
    }

    [Test]
    public async Task OrphanedMirrorPod_WithoutItsManifest_IsDeleted()
    {
        var staticPod = StaticPodManifest.Parse("/elsewhere/old.yaml", Manifest("old", "1"), "node1", DateTimeOffset.UnixEpoch).Single();
        await StartKubeletAsync();
        var node = await _cluster.Client.CoreV1.ReadNodeAsync("node1");

        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(MirrorPodClient.MirrorOf(staticPod, "node1", node.Metadata.Uid), "default");

        await _cluster.WaitUntilGoneAsync("old-node1");
    }

    private Task StartKubeletAsync(IKubernetes? client = null, bool waitUntilReady = true) =>
        _cluster.StartKubeletAsync(staticPodsDirectory: _manifests, client: client, logs: _logs, waitUntilReady: waitUntilReady);

    private void Write(string name, string content)
    {
        Directory.CreateDirectory(_manifests);
        // Written beside and moved in, as editors and config tools do, so no scan reads half a file.
        var temp = Path.Combine(_manifests, "." + name + ".tmp");
        File.WriteAllText(temp, content);
        File.Move(temp, Path.Combine(_manifests, name), overwrite: true);
    }

    private static string Manifest(string name, string seconds) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: mkube.local/busybox:1
            command: ["sleep", "{seconds}"]
        """;

    private async Task<List<ContainerInfo>> ContainersOfAsync(string podUid) =>
        [.. (await _cluster.Runtime.ListContainersAsync(CancellationToken.None)).Where(c => c.PodUid == podUid)];
}
