using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Kubelet;
using MiniKube.Testing;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>The volume manager and the ConfigMap/Secret watches against an in-process API server, with a fake tmpfs.</summary>
[TestFixture]
[Category("Integration")]
public sealed class VolumeManagerTests
{
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;
    private RecordingTmpfs _tmpfs = null!;
    private ConfigMapsAndSecrets _configs = null!;
    private VolumeManager _volumes = null!;
    private string _pods = null!;

    [SetUp]
    public async Task SetUp()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.Client();
        _pods = Path.Combine(_server.Directory, "pods");
        _tmpfs = new RecordingTmpfs();
        _configs = new ConfigMapsAndSecrets(_client, "node1", NullLogger.Instance);
        var options = new KubeletOptions { NodeName = "node1", NodeIp = "10.0.0.5", PodsDirectory = _pods, ClientCa = _server.Pki.Ca };
        _volumes = new VolumeManager(_client, options, _configs, new ServiceAccountTokens(_client, TimeProvider.System), _tmpfs, NullLogger.Instance);
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["mode"] = "fast" } }, "default");
        await _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "creds" }, Data = new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes("hunter2") } }, "default");
    }

    [TearDown]
    public async Task TearDown()
    {
        _configs.UnregisterAll();
        _client.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }

    [Test]
    public async Task MountsAsync_SecretVolume_OnTmpfsMountedBeforeItsFilesAreWritten()
    {
        var pod = Pod();
        _configs.RegisterPod("default/web", pod);

        var mounts = await _volumes.MountsAsync(pod, pod.Spec.Containers[0], CancellationToken.None);

        var secretDir = Path.Combine(_pods, "uid-1", "volumes", "sec");
        var configDir = Path.Combine(_pods, "uid-1", "volumes", "cfg");
        Assert.That(mounts.Select(m => (m.HostPath, m.ContainerPath)), Is.EqualTo(new[] { (configDir, "/etc/cfg"), (secretDir, "/etc/sec") }));
        Assert.That(_tmpfs.Mounted, Is.EqualTo(new[] { secretDir }));
        Assert.That(_tmpfs.FilesWhenMounted, Is.Zero);
        Assert.That(new FileInfo(Path.Combine(secretDir, "password")).LinkTarget, Is.EqualTo("..data/password"));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(secretDir, "password")), Is.EqualTo("hunter2"));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(configDir, "mode")), Is.EqualTo("fast"));
    }

    [Test]
    public async Task RemovePodDirectory_UnmountsThenDeletes()
    {
        var pod = Pod();
        await _volumes.MountsAsync(pod, pod.Spec.Containers[0], CancellationToken.None);

        _volumes.RemovePodDirectory("uid-1");

        Assert.That(_tmpfs.Unmounted, Is.EqualTo(new[] { Path.Combine(_pods, "uid-1") }));
        Assert.That(Directory.Exists(Path.Combine(_pods, "uid-1")), Is.False);
    }

    [Test]
    public async Task RegisterPod_WatchesWhatItRefersTo_UntilUnregistered()
    {
        _configs.RegisterPod("default/web", Pod());
        Assert.That(_configs.WatchCount, Is.EqualTo(2));

        _configs.UnregisterPod("default/web");

        Assert.That(_configs.WatchCount, Is.Zero);
        await Task.CompletedTask;
    }

    [Test]
    public async Task ConfigMapDataAsync_ReferencedConfigMapChanges_TheWatchBringsTheChange()
    {
        _configs.RegisterPod("default/web", Pod());
        Assert.That((await _configs.ConfigMapDataAsync("default", "settings", false, CancellationToken.None))!["mode"], Is.EqualTo("fast"));

        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"mode\":\"slow\"}}", V1Patch.PatchType.MergePatch), "settings", "default");
        await _client.CoreV1.DeleteNamespacedSecretAsync("creds", "default");

        await KubeletTestCluster.WaitUntilAsync(async () => (await _configs.ConfigMapDataAsync("default", "settings", false, CancellationToken.None))!["mode"] == "slow", "the ConfigMap change never reached the cache");
        await KubeletTestCluster.WaitUntilAsync(async () => await _configs.SecretDataAsync("default", "creds", optional: true, CancellationToken.None) is null, "the Secret's deletion never reached the cache");
        Assert.ThrowsAsync<ContainerConfigException>(() => _configs.SecretDataAsync("default", "creds", optional: false, CancellationToken.None));
    }

    [Test]
    public void ConfigMapDataAsync_NotReferencedAndMissing_NotFoundAsBefore()
    {
        var e = Assert.ThrowsAsync<ContainerConfigException>(() => _configs.ConfigMapDataAsync("default", "absent", false, CancellationToken.None));

        Assert.That(e!.Message, Is.EqualTo("configmap \"absent\" not found"));
    }

    [Test]
    public async Task RefreshAsync_ConfigMapChanged_SwapsTheFilesAtomically()
    {
        var pod = Pod();
        _configs.RegisterPod("default/web", pod);
        await _volumes.MountsAsync(pod, pod.Spec.Containers[0], CancellationToken.None);
        var configDir = Path.Combine(_pods, "uid-1", "volumes", "cfg");
        var before = Directory.ResolveLinkTarget(Path.Combine(configDir, "..data"), returnFinalTarget: false)!.Name;

        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"mode\":\"slow\",\"extra\":\"1\"}}", V1Patch.PatchType.MergePatch), "settings", "default");
        await KubeletTestCluster.WaitUntilAsync(async () => (await _configs.ConfigMapDataAsync("default", "settings", false, CancellationToken.None))!.Count == 2, "the ConfigMap change never reached the cache");
        await _volumes.RefreshAsync(pod, CancellationToken.None);

        Assert.That(await File.ReadAllTextAsync(Path.Combine(configDir, "mode")), Is.EqualTo("slow"));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(configDir, "extra")), Is.EqualTo("1"));
        var after = Directory.ResolveLinkTarget(Path.Combine(configDir, "..data"), returnFinalTarget: false)!.Name;
        Assert.That(after, Is.Not.EqualTo(before));
        Assert.That(Directory.Exists(Path.Combine(configDir, before)), Is.False, "the old generation is removed");
    }

    [Test]
    public async Task RefreshAsync_NothingChanged_LeavesTheGenerationAlone()
    {
        var pod = Pod();
        _configs.RegisterPod("default/web", pod);
        await _volumes.MountsAsync(pod, pod.Spec.Containers[0], CancellationToken.None);
        var data = Path.Combine(_pods, "uid-1", "volumes", "sec", "..data");
        var before = Directory.ResolveLinkTarget(data, returnFinalTarget: false)!.Name;

        await _volumes.RefreshAsync(pod, CancellationToken.None);

        Assert.That(Directory.ResolveLinkTarget(data, returnFinalTarget: false)!.Name, Is.EqualTo(before));
    }

    [Test]
    public async Task MountsAsync_ProjectedConfigMapAndDownwardApi_WritesEveryItemWithItsMode()
    {
        var pod = Pod();
        pod.Metadata.Labels = new Dictionary<string, string> { ["tier"] = "web", ["app"] = "shop \"1\"" };
        pod.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "info", MountPath = "/etc/info" }];
        pod.Spec.Volumes.Add(new V1Volume
        {
            Name = "info",
            Projected = new V1ProjectedVolumeSource
            {
                DefaultMode = 0x1A4 /* 0644 */,
                Sources =
                [
                    new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "settings", Items = [new V1KeyToPath { Key = "mode", Path = "conf/mode", Mode = 0x180 /* 0600 */ }] } },
                    new V1VolumeProjection
                    {
                        DownwardAPI = new V1DownwardAPIProjection
                        {
                            Items =
                            [
                                new V1DownwardAPIVolumeFile { Path = "namespace", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } },
                                new V1DownwardAPIVolumeFile { Path = "labels", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels" } },
                            ],
                        },
                    },
                ],
            },
        });
        _configs.RegisterPod("default/web", pod);

        await _volumes.MountsAsync(pod, pod.Spec.Containers[0], CancellationToken.None);

        var dir = Path.Combine(_pods, "uid-1", "volumes", "info");
        Assert.That(_tmpfs.Mounted, Is.EqualTo(new[] { dir }), "projected volumes live in memory");
        Assert.That(await File.ReadAllTextAsync(Path.Combine(dir, "conf", "mode")), Is.EqualTo("fast"));
        Assert.That(File.GetUnixFileMode(Path.Combine(dir, "..data", "conf", "mode")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(dir, "namespace")), Is.EqualTo("default"));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(dir, "labels")), Is.EqualTo("app=\"shop \\\"1\\\"\"\ntier=\"web\""));
        Assert.That(File.GetUnixFileMode(Path.Combine(dir, "..data", "namespace")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead));
    }

    private static V1Pod Pod() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = "uid-1" },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "main",
                    Image = "busybox",
                    VolumeMounts = [new V1VolumeMount { Name = "cfg", MountPath = "/etc/cfg" }, new V1VolumeMount { Name = "sec", MountPath = "/etc/sec" }],
                },
            ],
            Volumes =
            [
                new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings" } },
                new V1Volume { Name = "sec", Secret = new V1SecretVolumeSource { SecretName = "creds" } },
            ],
        },
    };

    /// <summary>Records what would be mounted, and how many files the directory held then.</summary>
    private sealed class RecordingTmpfs : ITmpfs
    {
        public List<string> Mounted { get; } = [];

        public List<string> Unmounted { get; } = [];

        public int FilesWhenMounted { get; private set; }

        public void EnsureMounted(string directory)
        {
            Mounted.Add(directory);
            FilesWhenMounted = Directory.GetFiles(directory).Length;
        }

        public void UnmountAll(string directory) => Unmounted.Add(directory);
    }
}
