using k8s;
using k8s.Models;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>persistentVolumeClaim volumes with the simulated runtime against an in-process API server (the test binds claims itself, as the binder would).</summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeletClaimVolumeTests
{
    private KubeletTestCluster _cluster = null!;

    [SetUp]
    public async Task SetUp()
    {
        _cluster = await KubeletTestCluster.StartAsync();
        await _cluster.StartKubeletAsync();
    }

    [TearDown]
    public async Task TearDown() => await _cluster.DisposeAsync();

    [Test]
    public async Task PodWithBoundClaim_RunsWithTheVolumeDirectoryCreated()
    {
        var directory = await CreateClaimAndVolumeAsync("data");
        await BindAsync("data");

        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(PodUsing("db-0", "data"), "default");

        await _cluster.WaitForPodAsync("db-0", p => p.Status?.Phase == "Running");
        Assert.That(Directory.Exists(directory), Is.True);
        Assert.That(File.GetUnixFileMode(directory), Is.EqualTo((UnixFileMode)0b111_111_111), "local-path volumes are writable by any user");
    }

    [Test]
    public async Task PodWithUnboundClaim_WaitsInContainerCreating_ThenRunsOnceBound()
    {
        var directory = await CreateClaimAndVolumeAsync("data");
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(PodUsing("db-0", "data"), "default");

        var waiting = await _cluster.WaitForPodAsync("db-0", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "ContainerCreating");
        Assert.That(waiting.Status.Phase, Is.EqualTo("Pending"));
        Assert.That(Directory.Exists(directory), Is.False, "nothing is prepared before the claim is bound");

        await BindAsync("data");

        await _cluster.WaitForPodAsync("db-0", p => p.Status?.Phase == "Running");
        Assert.That(Directory.Exists(directory), Is.True);
    }

    /// <summary>A claim and a local-path-style hostPath volume for it; returns the volume's directory.</summary>
    private async Task<string> CreateClaimAndVolumeAsync(string claim)
    {
        var directory = Path.Combine(_cluster.Server.Directory, "storage", $"pvc-1_default_{claim}");
        await _cluster.Client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = claim },
            Spec = new V1PersistentVolumeClaimSpec
            {
                StorageClassName = "local-path",
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("64Mi") } },
            },
        }, "default");
        await _cluster.Client.CoreV1.CreatePersistentVolumeAsync(new V1PersistentVolume
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
        var claim = await _cluster.Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(claimName, "default");
        claim.Spec.VolumeName = "pvc-1";
        claim = await _cluster.Client.CoreV1.ReplaceNamespacedPersistentVolumeClaimAsync(claim, claimName, "default");
        claim.Status = new V1PersistentVolumeClaimStatus { Phase = "Bound", AccessModes = ["ReadWriteOnce"], Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new("64Mi") } };
        await _cluster.Client.CoreV1.ReplaceNamespacedPersistentVolumeClaimStatusAsync(claim, claimName, "default");
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
}
