using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Kubelet;
using MiniKube.Agent.Runtime.Simulated;
using MiniKube.ApiServer.Tests.Integration;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>persistentVolumeClaim volumes with the simulated runtime against an in-process API server (the test binds claims itself, as the binder would).</summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeletClaimVolumeTests
{
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;
    private CancellationTokenSource _stop = null!;
    private Task _kubelet = null!;

    [SetUp]
    public async Task SetUp()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.Client();
        _stop = new CancellationTokenSource();
        var kubelet = new MiniKube.Agent.Kubelet.Kubelet(_client, new SimulatedRuntime(TimeProvider.System), new KubeletOptions
        {
            NodeName = "node1",
            NodeIp = "192.0.2.10",
            PodsDirectory = Path.Combine(_server.Directory, "pods"),
            ResyncInterval = TimeSpan.FromMilliseconds(200),
            ClientCa = _server.Pki.Ca,
            ServerPort = 0,
        }, NullLoggerFactory.Instance);
        _kubelet = kubelet.RunAsync(_stop.Token);
        await kubelet.Ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [TearDown]
    public async Task TearDown()
    {
        await _stop.CancelAsync();
        await _kubelet.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }

    [Test]
    public async Task PodWithBoundClaim_RunsWithTheVolumeDirectoryCreated()
    {
        var directory = await CreateClaimAndVolumeAsync("data");
        await BindAsync("data");

        await _client.CoreV1.CreateNamespacedPodAsync(PodUsing("db-0", "data"), "default");

        await WaitForPodAsync("db-0", p => p.Status?.Phase == "Running");
        Assert.That(Directory.Exists(directory), Is.True);
        Assert.That(File.GetUnixFileMode(directory), Is.EqualTo((UnixFileMode)0b111_111_111), "local-path volumes are writable by any user");
    }

    [Test]
    public async Task PodWithUnboundClaim_WaitsInContainerCreating_ThenRunsOnceBound()
    {
        var directory = await CreateClaimAndVolumeAsync("data");
        await _client.CoreV1.CreateNamespacedPodAsync(PodUsing("db-0", "data"), "default");

        var waiting = await WaitForPodAsync("db-0", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "ContainerCreating");
        Assert.That(waiting.Status.Phase, Is.EqualTo("Pending"));
        Assert.That(Directory.Exists(directory), Is.False, "nothing is prepared before the claim is bound");

        await BindAsync("data");

        await WaitForPodAsync("db-0", p => p.Status?.Phase == "Running");
        Assert.That(Directory.Exists(directory), Is.True);
    }

    /// <summary>A claim and a local-path-style hostPath volume for it; returns the volume's directory.</summary>
    private async Task<string> CreateClaimAndVolumeAsync(string claim)
    {
        var directory = Path.Combine(_server.Directory, "storage", $"pvc-1_default_{claim}");
        await _client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = claim },
            Spec = new V1PersistentVolumeClaimSpec
            {
                StorageClassName = "local-path",
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("64Mi") } },
            },
        }, "default");
        await _client.CoreV1.CreatePersistentVolumeAsync(new V1PersistentVolume
        {
            Metadata = new V1ObjectMeta { Name = "pvc-1", Annotations = new Dictionary<string, string> { ["pv.kubernetes.io/provisioned-by"] = "rancher.io/local-path" } },
            Spec = new V1PersistentVolumeSpec
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new("64Mi") },
                AccessModes = ["ReadWriteOnce"],
                StorageClassName = "local-path",
                HostPath = new V1HostPathVolumeSource { Path = directory, Type = "DirectoryOrCreate" },
                ClaimRef = new V1ObjectReference { NamespaceProperty = "default", Name = claim },
            },
        });
        return directory;
    }

    /// <summary>What the binder does: volumeName on the claim, then phase Bound.</summary>
    private async Task BindAsync(string claimName)
    {
        var claim = await _client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(claimName, "default");
        claim.Spec.VolumeName = "pvc-1";
        claim = await _client.CoreV1.ReplaceNamespacedPersistentVolumeClaimAsync(claim, claimName, "default");
        claim.Status = new V1PersistentVolumeClaimStatus { Phase = "Bound", AccessModes = ["ReadWriteOnce"], Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new("64Mi") } };
        await _client.CoreV1.ReplaceNamespacedPersistentVolumeClaimStatusAsync(claim, claimName, "default");
    }

    private static V1Pod PodUsing(string name, string claim) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = "node1",
            TerminationGracePeriodSeconds = 1,
            Containers = [new V1Container { Name = "db", Image = "mkube.local/busybox:1", Command = ["sleep", "3600"], VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/data" }] }],
            Volumes = [new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim } }],
        },
    };

    private async Task<V1Pod> WaitForPodAsync(string name, Func<V1Pod, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var pod = await _client.CoreV1.ReadNamespacedPodAsync(name, "default");
            if (condition(pod))
            {
                return pod;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"pod {name} never got there; last status: {KubernetesJson.Serialize(pod.Status)}");
            }
            await Task.Delay(100);
        }
    }
}
