using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using MiniKube.Agent.Kubelet;
using MiniKube.Agent.Runtime;
using MiniKube.Agent.Runtime.Simulated;
using MiniKube.ApiServer.Tests.Integration;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>Static pods from a manifest directory, run by the kubelet (simulated runtime) and mirrored into an in-process API server.</summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeletStaticPodTests
{
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;
    private SimulatedRuntime _runtime = null!;
    private RecordingLoggerFactory _logs = null!;
    private string _manifests = null!;
    private CancellationTokenSource _stop = null!;
    private Task? _kubelet;

    [SetUp]
    public async Task SetUp()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.Client();
        _runtime = new SimulatedRuntime(TimeProvider.System);
        _logs = new RecordingLoggerFactory();
        _manifests = Path.Combine(_server.Directory, "pod-manifests");
        _stop = new CancellationTokenSource();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _stop.CancelAsync();
        if (_kubelet is not null)
        {
            await _kubelet.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
        _logs.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }

    [Test]
    public async Task Manifest_RunsAndAppearsAsMirrorPodWithStatus()
    {
        await StartKubeletAsync(_client);

        Write("web.yaml", Manifest("web", "3600"));

        var mirror = await WaitForPodAsync("web-node1", p => p.Status?.Phase == "Running" && p.Status.ContainerStatuses?.SingleOrDefault()?.State?.Running is not null);
        var node = await _client.CoreV1.ReadNodeAsync("node1");
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
        await StartKubeletAsync(_client);
        Write("web.yaml", Manifest("web", "3600"));
        var mirror = await WaitForPodAsync("web-node1", p => p.Status?.Phase == "Running");
        var container = (await ContainersOfAsync(mirror.Metadata.Annotations[StaticPods.HashAnnotation])).Single();

        // Nothing to await here: the sweep runs every 10 resyncs (2 s in this fixture), so wait past a few.
        await Task.Delay(TimeSpan.FromSeconds(4.5));

        var now = await ContainersOfAsync(mirror.Metadata.Annotations[StaticPods.HashAnnotation]);
        Assert.That(now.Select(c => (c.Id, c.State)), Is.EqualTo(new[] { (container.Id, ContainerState.Running) }));
    }

    [Test]
    public async Task MirrorPodDeleted_ComesBackWhileTheContainersKeepRunning()
    {
        await StartKubeletAsync(_client);
        Write("web.yaml", Manifest("web", "3600"));
        var first = await WaitForPodAsync("web-node1", p => p.Status?.Phase == "Running");
        var staticUid = first.Metadata.Annotations[StaticPods.HashAnnotation];
        var container = (await ContainersOfAsync(staticUid)).Single();

        await _client.CoreV1.DeleteNamespacedPodAsync("web-node1", "default");

        var again = await WaitForPodAsync("web-node1", p => p.Metadata.Uid != first.Metadata.Uid && p.Metadata.DeletionTimestamp is null && p.Status?.Phase == "Running");
        Assert.That(again.Metadata.Annotations[StaticPods.MirrorAnnotation], Is.EqualTo(staticUid));
        Assert.That((await ContainersOfAsync(staticUid)).Single().Id, Is.EqualTo(container.Id), "deleting a mirror pod does not restart the static pod");
    }

    [Test]
    public async Task ManifestRemoved_MirrorPodDeletedAndContainersRemoved()
    {
        await StartKubeletAsync(_client);
        Write("web.yaml", Manifest("web", "3600"));
        var mirror = await WaitForPodAsync("web-node1", p => p.Status?.Phase == "Running");
        var staticUid = mirror.Metadata.Annotations[StaticPods.HashAnnotation];

        File.Delete(Path.Combine(_manifests, "web.yaml"));

        await WaitUntilGoneAsync("web-node1");
        await WaitUntilAsync(async () => (await ContainersOfAsync(staticUid)).Count == 0 && (await _runtime.ListSandboxesAsync(CancellationToken.None)).All(s => s.PodUid != staticUid), "the static pod's containers were not removed");
    }

    [Test]
    public async Task ManifestEdited_PodRestartsWithTheNewSpecAndANewMirror()
    {
        await StartKubeletAsync(_client);
        Write("web.yaml", Manifest("web", "3600"));
        var before = await WaitForPodAsync("web-node1", p => p.Status?.Phase == "Running");
        var oldUid = before.Metadata.Annotations[StaticPods.HashAnnotation];

        Write("web.yaml", Manifest("web", "7200"));

        var after = await WaitForPodAsync("web-node1", p => p.Metadata.Annotations is { } annotations && annotations.TryGetValue(StaticPods.MirrorAnnotation, out var hash) && hash != oldUid && p.Status?.Phase == "Running");
        var newUid = after.Metadata.Annotations[StaticPods.HashAnnotation];
        Assert.That(after.Spec.Containers.Single().Command, Is.EqualTo(new[] { "sleep", "7200" }));
        Assert.That((await ContainersOfAsync(newUid)).Single().State, Is.EqualTo(ContainerState.Running));
        await WaitUntilAsync(async () => (await ContainersOfAsync(oldUid)).Count == 0, "the old static pod's containers were not removed");
    }

    [Test]
    public async Task InvalidManifestBesideValidOne_ValidRunsAndTheInvalidIsLogged()
    {
        Write("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: [{name: c}]}\n");
        Write("good.yaml", Manifest("good", "3600"));

        await StartKubeletAsync(_client);

        await WaitForPodAsync("good-node1", p => p.Status?.Phase == "Running");
        var pods = await _client.CoreV1.ListNamespacedPodAsync("default");
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

        await WaitUntilAsync(async () => (await _runtime.ListContainersAsync(CancellationToken.None)).Any(c => c.Name == "main" && c.State == ContainerState.Running), "the static pod did not start without the API server");
    }

    [Test]
    public async Task OrphanedMirrorPod_WithoutItsManifest_IsDeleted()
    {
        var staticPod = StaticPodManifest.Parse("/elsewhere/old.yaml", Manifest("old", "1"), "node1", DateTimeOffset.UnixEpoch).Single();
        await StartKubeletAsync(_client);
        var node = await _client.CoreV1.ReadNodeAsync("node1");

        await _client.CoreV1.CreateNamespacedPodAsync(MirrorPodClient.MirrorOf(staticPod, "node1", node.Metadata.Uid), "default");

        await WaitUntilGoneAsync("old-node1");
    }

    private async Task StartKubeletAsync(IKubernetes client, bool waitUntilReady = true)
    {
        var kubelet = new MiniKube.Agent.Kubelet.Kubelet(client, _runtime, new KubeletOptions
        {
            NodeName = "node1",
            NodeIp = "192.0.2.10",
            PodsDirectory = Path.Combine(_server.Directory, "pods"),
            StaticPodsDirectory = _manifests,
            StaticPodsRescanInterval = TimeSpan.FromMilliseconds(200),
            ResyncInterval = TimeSpan.FromMilliseconds(200),
            ClientCa = _server.Pki.Ca,
            ServerPort = 0,
        }, _logs);
        _kubelet = kubelet.RunAsync(_stop.Token);
        if (waitUntilReady)
        {
            await kubelet.Ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

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
        [.. (await _runtime.ListContainersAsync(CancellationToken.None)).Where(c => c.PodUid == podUid)];

    private async Task<V1Pod> WaitForPodAsync(string name, Func<V1Pod, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        V1Pod? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await _client.CoreV1.ReadNamespacedPodAsync(name, "default");
                if (condition(last))
                {
                    return last;
                }
            }
            catch (HttpOperationException e) when ((int)e.Response.StatusCode == 404)
            {
                last = null;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"pod {name} never got there; last seen: {(last is null ? "none" : KubernetesJson.Serialize(last))}");
        return null!;
    }

    private async Task WaitUntilGoneAsync(string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await _client.CoreV1.ReadNamespacedPodAsync(name, "default");
            }
            catch (HttpOperationException e) when ((int)e.Response.StatusCode == 404)
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"pod {name} was not deleted by the kubelet");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail(failure);
    }
}
