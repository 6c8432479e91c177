using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.Deployment;

[Category("Integration")]
public sealed partial class DeploymentControllerIntegrationTests
{
    private const string Ns = "default";
    private const string Selector = "app=nginx";

    private ClusterHarness _cluster = null!;

    private Kubernetes Client => _cluster.Client;

    [SetUp]
    public async Task SetUp() => _cluster = await ClusterHarness.StartControllersAsync(null);

    [TearDown]
    public async Task TearDown() => await _cluster.DisposeAsync();

    [Test]
    public async Task Create_DeploymentOfThree_GetsReplicaSetAndThreeOwnedPods()
    {
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Nginx(3), Ns);

        var rs = await _cluster.EventuallyAsync(async () => (await Client.AppsV1.ListNamespacedReplicaSetAsync(Ns)).Items.SingleOrDefault(), "the ReplicaSet");
        var hash = rs.Metadata.Labels["pod-template-hash"];
        Assert.Multiple(() =>
        {
            Assert.That(rs.Metadata.Name, Does.Match(HashedName()));
            Assert.That(rs.Metadata.Name, Is.EqualTo("nginx-" + hash));
            Assert.That(rs.Spec.Selector.MatchLabels, Does.ContainKey("pod-template-hash").WithValue(hash));
            Assert.That(rs.Metadata.Annotations, Does.ContainKey("deployment.kubernetes.io/revision").WithValue("1"));
            Assert.That(rs.Metadata.Annotations, Does.ContainKey("deployment.kubernetes.io/desired-replicas").WithValue("3"));
            Assert.That(rs.Metadata.Annotations, Does.ContainKey("deployment.kubernetes.io/max-replicas").WithValue("4"));
            Assert.That(rs.Metadata.OwnerReferences.Single().Kind, Is.EqualTo("Deployment"));
        });
        var pods = await _cluster.EventuallyAsync(async () => await _cluster.ActivePodsAsync(Ns, Selector) is { Count: 3 } p ? p : null, "three pods");
        Assert.That(pods.Select(p => p.Metadata.OwnerReferences.Single(r => r.Controller == true).Uid), Is.All.EqualTo(rs.Metadata.Uid));
        Assert.That(pods.Select(p => p.Metadata.Labels["pod-template-hash"]), Is.All.EqualTo(hash));
        await _cluster.EventuallyAsync(async () => (await Client.CoreV1.ListNamespacedEventAsync(Ns)).Items
            .Any(e => e.Reason == "ScalingReplicaSet" && e.Message == $"Scaled up replica set {rs.Metadata.Name} from 0 to 3"), "the ScalingReplicaSet event");
    }

    [Test]
    public async Task PodsBecomeReady_DeploymentIsAvailableAndRolledOut()
    {
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Nginx(3), Ns);

        var d = await RolledOutAsync(3);

        Assert.Multiple(() =>
        {
            Assert.That(d.Status.Replicas, Is.EqualTo(3));
            Assert.That(d.Status.UpdatedReplicas, Is.EqualTo(3));
            Assert.That(d.Status.ReadyReplicas, Is.EqualTo(3));
            Assert.That(d.Status.AvailableReplicas, Is.EqualTo(3));
            Assert.That(d.Status.UnavailableReplicas ?? 0, Is.Zero);
            Assert.That(d.Metadata.Annotations, Does.ContainKey("deployment.kubernetes.io/revision").WithValue("1"));
            var available = d.Status.Conditions.Single(c => c.Type == "Available");
            Assert.That((available.Status, available.Reason, available.Message), Is.EqualTo(("True", "MinimumReplicasAvailable", "Deployment has minimum availability.")));
            var progressing = d.Status.Conditions.Single(c => c.Type == "Progressing");
            Assert.That(progressing.Reason, Is.EqualTo("NewReplicaSetAvailable"));
            Assert.That(progressing.Message, Does.Match("^ReplicaSet \"nginx-[a-z0-9]+\" has successfully progressed\\.$"));
        });
    }

    [Test]
    public async Task ChangeImage_RollsToNewReplicaSet_OldScaledToZero()
    {
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Nginx(3), Ns);
        await RolledOutAsync(3);
        var first = (await Client.AppsV1.ListNamespacedReplicaSetAsync(Ns)).Items.Single();

        var patch = """{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}""";
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "nginx", Ns);
        var d = await RolledOutAsync(3);

        var sets = (await Client.AppsV1.ListNamespacedReplicaSetAsync(Ns)).Items;
        var old = sets.Single(s => s.Metadata.Uid == first.Metadata.Uid);
        var current = sets.Single(s => s.Metadata.Uid != first.Metadata.Uid);
        Assert.Multiple(() =>
        {
            Assert.That(old.Spec.Replicas, Is.Zero);
            Assert.That(current.Spec.Replicas, Is.EqualTo(3));
            Assert.That(current.Spec.Template.Spec.Containers[0].Image, Is.EqualTo("nginx:1.27"));
            Assert.That(current.Metadata.Annotations["deployment.kubernetes.io/revision"], Is.EqualTo("2"));
            Assert.That(d.Metadata.Annotations["deployment.kubernetes.io/revision"], Is.EqualTo("2"));
        });
        var pods = await _cluster.ActivePodsAsync(Ns, Selector);
        Assert.That(pods.Select(p => p.Metadata.OwnerReferences.Single().Uid), Is.All.EqualTo(current.Metadata.Uid));
    }

    [Test]
    public async Task Scale_ToFiveAndBackToTwo_PodsFollow()
    {
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Nginx(3), Ns);
        await RolledOutAsync(3);

        await ScaleAsync(5);
        await RolledOutAsync(5);
        await ScaleAsync(2);
        await RolledOutAsync(2);
        // kubectl's rollout rule is already met while the surplus pods are still going; wait for them.
        var d = await _cluster.EventuallyAsync(async () => await Client.AppsV1.ReadNamespacedDeploymentAsync("nginx", Ns) is { Status.Replicas: 2 } scaled ? scaled : null, "status.replicas 2");

        Assert.That(d.Status.Replicas, Is.EqualTo(2));
        Assert.That((await Client.AppsV1.ListNamespacedReplicaSetAsync(Ns)).Items.Single().Spec.Replicas, Is.EqualTo(2));
    }

    [Test]
    public async Task DeletePod_OfReplicaSet_IsReplaced()
    {
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Nginx(3), Ns);
        var before = await _cluster.EventuallyAsync(async () => await _cluster.ActivePodsAsync(Ns, Selector) is { Count: 3 } p ? p : null, "three pods");

        await Client.CoreV1.DeleteNamespacedPodAsync(before[0].Metadata.Name, Ns);

        var after = await _cluster.EventuallyAsync(async () =>
            await _cluster.ActivePodsAsync(Ns, Selector) is { Count: 3 } p && p.All(x => x.Metadata.Name != before[0].Metadata.Name) ? p : null, "a replacement pod");
        Assert.That(after.Select(p => p.Metadata.Name), Does.Contain(before[1].Metadata.Name).And.Contain(before[2].Metadata.Name));
    }

    /// <summary>Marks pods Ready until kubectl's rollout success rule holds (API-GUIDE: rollout status).</summary>
    private async Task<V1Deployment> RolledOutAsync(int replicas) => await _cluster.EventuallyAsync(async () =>
    {
        await _cluster.MarkPodsReadyAsync(Ns, Selector);
        var d = await Client.AppsV1.ReadNamespacedDeploymentAsync("nginx", Ns);
        var s = d.Status;
        var done = s is not null
            && d.Spec.Replicas == replicas
            && (d.Metadata.Generation ?? 0) <= (s.ObservedGeneration ?? 0)
            && s.Conditions?.FirstOrDefault(c => c.Type == "Progressing")?.Reason is not (null or "ProgressDeadlineExceeded")
            && (s.UpdatedReplicas ?? 0) >= replicas
            && (s.Replicas ?? 0) <= (s.UpdatedReplicas ?? 0)
            && (s.AvailableReplicas ?? 0) >= (s.UpdatedReplicas ?? 0)
            && s.Conditions!.Any(c => c.Type == "Progressing" && c.Reason == "NewReplicaSetAvailable");
        return done ? d : null;
    }, $"the rollout of {replicas} replicas");

    private Task<V1Scale> ScaleAsync(int replicas) => Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
        new V1Patch($$$"""{"spec":{"replicas":{{{replicas}}}}}""", V1Patch.PatchType.MergePatch), "nginx", Ns);

    private static V1Deployment Nginx(int replicas) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = "nginx", Labels = new Dictionary<string, string> { ["app"] = "nginx" } },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "nginx" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "nginx" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "nginx", Image = "nginx:1.25" }] },
            },
        },
    };

    [GeneratedRegex("^nginx-[bcdfghjklmnpqrstvwxz2456789]{1,10}$")]
    private static partial Regex HashedName();
}
