using k8s;
using k8s.Models;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>
/// Offline autonomy with the simulated runtime: the kubelet reaches its API server through a relay
/// the test cuts (connections reset, new ones refused) and restores; its local copy lives in the
/// test's directory. Containers of the simulated runtime outlive a kubelet, as Docker's outlive an agent.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeletOfflineTests
{
    private KubeletTestCluster _cluster = null!;
    private CuttableProxy _proxy = null!;
    private Kubernetes _client = null!;
    private CountingRuntime _runtime = null!;
    private RecordingLoggerFactory _logs = null!;
    private string _localState = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _cluster = await KubeletTestCluster.StartAsync();
        _proxy = new CuttableProxy(_cluster.Client.BaseUri);
        _client = _cluster.ClientThrough(_proxy.Port);
        _runtime = new CountingRuntime(_cluster.Runtime);
        _logs = new RecordingLoggerFactory();
        _localState = Path.Combine(_cluster.Server.Directory, "local-state");
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _cluster.StopKubeletAsync();
        await _proxy.DisposeAsync();
        _client.Dispose();
        _logs.Dispose();
        await _cluster.DisposeAsync();
    }

    [Test]
    public async Task RunAsync_ApiServerAway_CrashedContainerRestarts_KubeletRestartKeepsThePod_AndOnReturnNothingIsRecreated()
    {
        var pod = await StartWebPodAsync();
        await _proxy.CutAsync();

        var first = await MainAsync(pod, attempt: 0);
        await _cluster.Runtime.StopContainerAsync(first.Id, TimeSpan.Zero, CancellationToken.None);
        var restarted = await MainAsync(pod, attempt: 1);
        await _cluster.StopKubeletAsync();
        await StartKubeletAsync();
        await KubeletTestCluster.WaitUntilAsync(() => Task.FromResult(_logs.Entries.Any(e => e.Message.Contains("Running 1 pods from the local copy", StringComparison.Ordinal))), "the restarted kubelet did not take its pods from the local copy");
        await Task.Delay(TimeSpan.FromSeconds(1)); // a few relists and syncs of the kept pod, offline
        var offline = await MainContainersAsync(pod);
        var returned = DateTime.UtcNow;
        _proxy.Restore();
        await WaitForHeartbeatAfterAsync(returned);
        var after = await _cluster.WaitForPodAsync("web", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.RestartCount == 1);

        Assert.That(offline.Select(c => (c.Attempt, c.State)), Is.EqualTo(new[] { (0, ContainerState.Exited), (1, ContainerState.Running) }), "restarted once while offline, then kept running through the kubelet's restart");
        Assert.That(after.Metadata.Uid, Is.EqualTo(pod.Metadata.Uid));
        Assert.That(after.Status.ContainerStatuses[0].ContainerID, Does.EndWith(restarted.Id), "the container restarted offline is the one the API shows");
        Assert.That((await MainContainersAsync(pod)).Select(c => c.Id), Is.EqualTo(offline.Select(c => c.Id)), "nothing recreated when the server came back");
    }

    [Test]
    public async Task RunAsync_StartedWhileApiServerAway_RecreatesLostContainersFromTheLocalCopy_WithConfigMapAndSecretData()
    {
        var pod = await StartWebPodAsync();
        await _proxy.CutAsync();
        await _cluster.StopKubeletAsync();
        // What a reboot loses: the pod's sandbox and containers.
        foreach (var container in await _cluster.Runtime.ListContainersAsync(CancellationToken.None))
        {
            await _cluster.Runtime.RemoveContainerAsync(container.Id, CancellationToken.None);
        }
        foreach (var sandbox in await _cluster.Runtime.ListSandboxesAsync(CancellationToken.None))
        {
            await _cluster.Runtime.RemoveSandboxAsync(sandbox.Id, CancellationToken.None);
        }
        _runtime.Created.Clear();

        await StartKubeletAsync();
        var recreated = await MainAsync(pod, attempt: 0);
        var config = _runtime.Created.Last(c => c.Name == "main");
        var volume = config.Mounts.Single(m => m.ContainerPath == "/etc/settings").HostPath;
        var returned = DateTime.UtcNow;
        _proxy.Restore();
        await WaitForHeartbeatAfterAsync(returned);
        var after = await _cluster.WaitForPodAsync("web", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.ContainerID?.EndsWith(recreated.Id, StringComparison.Ordinal) == true);

        Assert.That(config.Env["GREETING"], Is.EqualTo("hello"), "ConfigMap data from the local copy");
        Assert.That(config.Env["PASSWORD"], Is.EqualTo("s3cret"), "Secret data from the local copy");
        Assert.That(await File.ReadAllTextAsync(Path.Combine(volume, "greeting")), Is.EqualTo("hello"));
        Assert.That(after.Metadata.Uid, Is.EqualTo(pod.Metadata.Uid));
        Assert.That(after.Status.Phase, Is.EqualTo("Running"));
    }

    private async Task StartKubeletAsync() =>
        await _cluster.StartKubeletAsync(client: _client, runtime: _runtime, logs: _logs, localStateDirectory: _localState, waitUntilReady: false);

    /// <summary>A pod whose container takes env from a ConfigMap and a Secret and mounts the ConfigMap, running, with its local copy written.</summary>
    private async Task<V1Pod> StartWebPodAsync()
    {
        await _cluster.StartKubeletAsync(client: _client, runtime: _runtime, logs: _logs, localStateDirectory: _localState);
        await _cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["greeting"] = "hello" } }, "default");
        await _cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "creds" }, StringData = new Dictionary<string, string> { ["password"] = "s3cret" } }, "default");
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodSpec
            {
                NodeName = KubeletTestCluster.NodeName,
                Containers =
                [
                    new V1Container
                    {
                        Name = "main",
                        Image = "mkube.local/busybox:1",
                        Env =
                        [
                            new V1EnvVar { Name = "GREETING", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "greeting" } } },
                            new V1EnvVar { Name = "PASSWORD", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "creds", Key = "password" } } },
                        ],
                        VolumeMounts = [new V1VolumeMount { Name = "settings", MountPath = "/etc/settings" }],
                    },
                ],
                Volumes = [new V1Volume { Name = "settings", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings" } }],
            },
        }, "default");
        var pod = await _cluster.WaitForPodAsync("web", p => p.Status?.Phase == "Running");
        string[] copies = [Path.Combine("pods", "default_web.json"), Path.Combine("configmaps", "default_settings.json"), Path.Combine("secrets", "default_creds.json")];
        await KubeletTestCluster.WaitUntilAsync(() => Task.FromResult(copies.All(c => File.Exists(Path.Combine(_localState, c)))), "the local copy was not written");
        return pod;
    }

    private async Task<List<ContainerInfo>> MainContainersAsync(V1Pod pod) =>
        [.. (await _cluster.Runtime.ListContainersAsync(CancellationToken.None)).Where(c => c.PodUid == pod.Metadata.Uid && c.Name == "main").OrderBy(c => c.Attempt)];

    /// <summary>The pod's main container of <paramref name="attempt"/> once it runs (a restart waits out the 10 s back-off).</summary>
    private async Task<ContainerInfo> MainAsync(V1Pod pod, int attempt)
    {
        ContainerInfo? found = null;
        await KubeletTestCluster.WaitUntilAsync(async () =>
        {
            found = (await MainContainersAsync(pod)).FirstOrDefault(c => c.Attempt == attempt && c.State == ContainerState.Running);
            return found is not null;
        }, $"attempt {attempt} of the main container never ran");
        return found!;
    }

    private async Task WaitForHeartbeatAfterAsync(DateTime time) =>
        await KubeletTestCluster.WaitUntilAsync(async () =>
        {
            var lease = await _cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(KubeletTestCluster.NodeName, "kube-node-lease");
            return lease.Spec.RenewTime >= time.AddSeconds(-1);
        }, "the kubelet did not renew its lease once the server was back");
}
