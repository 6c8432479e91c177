using MiniKube.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Addons.LocalPath;
using MiniKube.Controllers;

namespace MiniKube.Addons.Tests.LocalPath;

/// <summary>
/// The binder and the local-path provisioner in a controller manager against the in-process API
/// server: a claim without a class ends Bound to a volume made for the node the "scheduler" chose
/// (the test sets the annotation the scheduler would), and the volume goes when the claim goes.
/// The manager runs as in <c>mkube server</c>: system:kube-controller-manager, each controller as
/// its service account (the provisioner as k3s' local-path-provisioner-service-account), so
/// the bootstrap roles are what lets them work.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class LocalPathProvisioningTests
{
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;
    private Kubernetes _managerClient = null!;
    private CancellationTokenSource _stop = null!;
    private Task _manager = null!;

    [SetUp]
    public async Task SetUp()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.Client();
        _stop = new CancellationTokenSource();
        var storage = Path.Combine(_server.Directory, "storage");
        var managerConfig = TestIdentities.Configuration(_server, _server.Pki.ControllerManager);
        _managerClient = new Kubernetes(managerConfig);
        var manager = new ControllerManager(_managerClient, new ControllerManagerOptions
        {
            ServiceAccountCredentials = managerConfig,
            Disabled = ControllerCatalog.All.Select(c => c.Name).Where(n => n != "persistentvolume-binder").ToHashSet(),
            Extra = [new("local-path-provisioner", LocalPathProvisioner.ServiceAccountName, c => new LocalPathProvisioner(c, new LocalPathOptions { StorageDirectory = storage }))],
        }, NullLoggerFactory.Instance);
        _manager = manager.RunAsync(_stop.Token);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _stop.CancelAsync();
        await _manager.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _client.Dispose();
        _managerClient.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }

    [Test]
    public async Task ClaimWithoutClass_GetsLocalPathAndIsProvisionedOnTheSelectedNode_ThenReclaimed()
    {
        var storageClass = await EventuallyAsync(() => _client.StorageV1.ReadStorageClassAsync("local-path"), s => s is not null, "the local-path StorageClass");
        Assert.That(storageClass.Metadata.Annotations["storageclass.kubernetes.io/is-default-class"], Is.EqualTo("true"));

        var created = await _client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = "data-db-0" },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("64Mi") } },
            },
        }, "default");
        Assert.That(created.Spec.StorageClassName, Is.EqualTo("local-path"));

        // WaitForFirstConsumer: nothing happens until the scheduler names the node.
        var waiting = await EventuallyAsync(() => _client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("data-db-0", "default"),
            c => c?.Status?.Phase == "Pending", "the claim pending");
        Assert.That(waiting.Spec.VolumeName, Is.Null);
        var patch = new V1Patch("""{"metadata":{"annotations":{"volume.kubernetes.io/selected-node":"node1"}}}""", V1Patch.PatchType.MergePatch);
        await _client.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(patch, "data-db-0", "default");

        var bound = await EventuallyAsync(() => _client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("data-db-0", "default"),
            c => c?.Status?.Phase == "Bound", "the claim bound");
        var volumeName = "pvc-" + created.Metadata.Uid;
        Assert.That(bound.Spec.VolumeName, Is.EqualTo(volumeName));
        Assert.That(bound.Status.Capacity["storage"].ToString(), Is.EqualTo("64Mi"));
        Assert.That(bound.Metadata.Annotations["pv.kubernetes.io/bind-completed"], Is.EqualTo("yes"));
        var volume = await EventuallyAsync(() => _client.CoreV1.ReadPersistentVolumeAsync(volumeName), v => v?.Status?.Phase == "Bound", "the volume bound");
        Assert.That(volume.Spec.HostPath.Path, Is.EqualTo(Path.Combine(_server.Directory, "storage", $"{volumeName}_default_data-db-0")));
        Assert.That(volume.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0].Values, Is.EqualTo(new[] { "node1" }));
        Assert.That(volume.Spec.ClaimRef.Uid, Is.EqualTo(created.Metadata.Uid));

        await _client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync("data-db-0", "default");

        await EventuallyAsync(() => _client.CoreV1.ReadPersistentVolumeAsync(volumeName), v => v is null, "the released volume deleted");
    }

    /// <summary>Polls until <paramref name="done"/> holds (a missing object reads as null), or fails after 20 s.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T?, bool> done, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        T? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await read();
            }
            catch (HttpOperationException e) when ((int)e.Response.StatusCode == 404)
            {
                last = null;
            }
            if (done(last))
            {
                return last!;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"timed out waiting for {what}; last: {(last is null ? "none" : KubernetesJson.Serialize(last))}");
        return null!;
    }
}
