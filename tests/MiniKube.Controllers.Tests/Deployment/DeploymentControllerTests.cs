using MiniKube.Testing;
using k8s;
using k8s.Models;
using MiniKube.Controllers.Deployment;

namespace MiniKube.Controllers.Tests.Deployment;

public sealed class DeploymentControllerTests
{
    private static readonly NamespacedName Key = new("ns", "web");
    private const string Sets = "/apis/apps/v1/namespaces/ns/replicasets";

    private ControllerHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new ControllerHarness();

    [TearDown]
    public async Task TearDown() => await _harness.DisposeAsync();

    [Test]
    public async Task SyncAsync_NewDeployment_CreatesHashedReplicaSetWithRevisionAndReplicaAnnotations()
    {
        var d = Deployment(3, "v1");
        var controller = await StartAsync(d);

        await controller.SyncAsync(Key, CancellationToken.None);

        var create = _harness.Api.Writes.Single(c => c.Method == "POST");
        Assert.That(create.Path, Does.StartWith(Sets));
        var rs = KubernetesJson.Deserialize<V1ReplicaSet>(create.Body!);
        var hash = PodTemplateHash.Compute(d.Spec.Template, null);
        Assert.Multiple(() =>
        {
            Assert.That(rs.Metadata.Name, Is.EqualTo("web-" + hash));
            Assert.That(rs.Metadata.Labels, Is.EquivalentTo(new Dictionary<string, string> { ["app"] = "web", ["pod-template-hash"] = hash }));
            Assert.That(rs.Spec.Selector.MatchLabels, Is.EquivalentTo(rs.Metadata.Labels));
            Assert.That(rs.Spec.Template.Metadata.Labels, Is.EquivalentTo(rs.Metadata.Labels));
            Assert.That(rs.Spec.Replicas, Is.EqualTo(3));
            Assert.That(rs.Metadata.Annotations, Does.ContainKey("deployment.kubernetes.io/revision").WithValue("1"));
            Assert.That(rs.Metadata.Annotations, Does.ContainKey("deployment.kubernetes.io/desired-replicas").WithValue("3"));
            Assert.That(rs.Metadata.Annotations, Does.ContainKey("deployment.kubernetes.io/max-replicas").WithValue("4"));
            Assert.That(rs.Metadata.Annotations, Does.Not.ContainKey("kubectl.kubernetes.io/last-applied-configuration"));
            Assert.That(rs.Metadata.Annotations, Does.ContainKey("team").WithValue("blue"));
            var owner = rs.Metadata.OwnerReferences.Single();
            Assert.That((owner.Kind, owner.Uid, owner.Controller), Is.EqualTo(("Deployment", "uid-web", (bool?)true)));
        });
        var update = _harness.Api.Writes.Single(c => c.Method == "PUT" && c.Path.EndsWith("/deployments/web", StringComparison.Ordinal));
        Assert.That(KubernetesJson.Deserialize<V1Deployment>(update.Body!).Metadata.Annotations, Does.ContainKey("deployment.kubernetes.io/revision").WithValue("1"));
        Assert.That(_harness.Api.Writes.Where(c => c.Method == "PATCH"), Is.Empty, "the deployment-controller role has no patch on deployments");
        var status = KubernetesJson.Deserialize<V1Deployment>(_harness.Api.Writes.First(c => c.Path.EndsWith("/status", StringComparison.Ordinal)).Body!).Status;
        var progressing = status.Conditions.Single(c => c.Type == "Progressing");
        Assert.That((progressing.Reason, progressing.Message), Is.EqualTo(("NewReplicaSetCreated", $"Created new replica set \"web-{hash}\"")));
    }

    [Test]
    public async Task SyncAsync_TemplateChanged_CreatesNewSetWithinSurgeAndScalesOldWithinUnavailability()
    {
        var d = Deployment(4, "v2", maxSurge: "1", maxUnavailable: "1");
        var old = Set(d, "v1", replicas: 4, available: 4, revision: 1);
        var controller = await StartAsync(d, old);

        await controller.SyncAsync(Key, CancellationToken.None);

        var created = KubernetesJson.Deserialize<V1ReplicaSet>(_harness.Api.Writes.Single(c => c.Method == "POST").Body!);
        Assert.That(created.Spec.Replicas, Is.EqualTo(1), "4 desired + 1 surge - 4 existing");
        Assert.That(created.Metadata.Annotations["deployment.kubernetes.io/revision"], Is.EqualTo("2"));
        var scaled = KubernetesJson.Deserialize<V1ReplicaSet>(_harness.Api.Writes.Single(c => c.Method == "PUT" && c.Path.StartsWith($"{Sets}/{old.Metadata.Name}", StringComparison.Ordinal)).Body!);
        Assert.That(scaled.Spec.Replicas, Is.EqualTo(3), "4 available - (4 - 1 unavailable allowed)");
    }

    [Test]
    public async Task SyncAsync_NewSetNotFull_ScalesItUpUpToTheSurgeOnly()
    {
        var d = Deployment(4, "v2", maxSurge: "1", maxUnavailable: "1");
        var old = Set(d, "v1", replicas: 3, available: 3, revision: 1);
        var current = Set(d, "v2", replicas: 1, available: 1, revision: 2);
        var controller = await StartAsync(d, old, current);

        await controller.SyncAsync(Key, CancellationToken.None);

        var rsWrites = _harness.Api.Writes.Where(c => c.Path.StartsWith(Sets, StringComparison.Ordinal)).ToList();
        Assert.That(rsWrites.Select(c => c.ToString()), Is.EqualTo(new[] { $"PUT {Sets}/{current.Metadata.Name}" }));
        Assert.That(KubernetesJson.Deserialize<V1ReplicaSet>(rsWrites[0].Body!).Spec.Replicas, Is.EqualTo(2));
    }

    [Test]
    public async Task SyncAsync_Recreate_ScalesOldToZeroBeforeCreatingNew()
    {
        var d = Deployment(3, "v2");
        d.Spec.Strategy = new V1DeploymentStrategy { Type = "Recreate" };
        var old = Set(d, "v1", replicas: 3, available: 3, revision: 1);
        var controller = await StartAsync(d, old);

        await controller.SyncAsync(Key, CancellationToken.None);

        Assert.That(_harness.Api.Writes.Where(c => c.Method == "POST"), Is.Empty);
        var scaled = KubernetesJson.Deserialize<V1ReplicaSet>(_harness.Api.Writes.Single(c => c.Path.StartsWith(Sets, StringComparison.Ordinal)).Body!);
        Assert.That(scaled.Spec.Replicas, Is.Zero);
    }

    [Test]
    public async Task SyncAsync_Paused_DoesNotRollOutAndSaysPaused()
    {
        var d = Deployment(3, "v2");
        d.Spec.Paused = true;
        var old = Set(d, "v1", replicas: 3, available: 3, revision: 1);
        var controller = await StartAsync(d, old);

        await controller.SyncAsync(Key, CancellationToken.None);

        Assert.That(_harness.Api.Writes.Where(c => c.Path.StartsWith(Sets, StringComparison.Ordinal)), Is.Empty);
        var status = KubernetesJson.Deserialize<V1Deployment>(_harness.Api.Writes.First(c => c.Path.EndsWith("/status", StringComparison.Ordinal)).Body!).Status;
        var progressing = status.Conditions.Single(c => c.Type == "Progressing");
        Assert.That((progressing.Status, progressing.Reason, progressing.Message), Is.EqualTo(("Unknown", "DeploymentPaused", "Deployment is paused")));
    }

    [Test]
    public async Task SyncAsync_TemplateOfAnOldSet_ReusesItWithNextRevisionAndHistory()
    {
        var d = Deployment(2, "v1");
        var previous = Set(d, "v1", replicas: 0, available: 0, revision: 1);
        var current = Set(d, "v2", replicas: 2, available: 2, revision: 2);
        var controller = await StartAsync(d, previous, current);

        await controller.SyncAsync(Key, CancellationToken.None);

        Assert.That(_harness.Api.Writes.Where(c => c.Method == "POST"), Is.Empty);
        var reused = KubernetesJson.Deserialize<V1ReplicaSet>(_harness.Api.Writes.First(c => c.Path.StartsWith($"{Sets}/{previous.Metadata.Name}", StringComparison.Ordinal)).Body!);
        Assert.That(reused.Metadata.Annotations["deployment.kubernetes.io/revision"], Is.EqualTo("3"));
        Assert.That(reused.Metadata.Annotations["deployment.kubernetes.io/revision-history"], Is.EqualTo("1"));
    }

    [Test]
    public async Task SyncAsync_CompleteWithTooMuchHistory_DeletesOldestEmptySets()
    {
        var d = Deployment(1, "v4");
        d.Spec.RevisionHistoryLimit = 1;
        var current = Set(d, "v4", replicas: 1, available: 1, revision: 4);
        d.Status = new V1DeploymentStatus { ObservedGeneration = 1, Replicas = 1, UpdatedReplicas = 1, AvailableReplicas = 1, ReadyReplicas = 1 };
        var controller = await StartAsync(d, Set(d, "v1", 0, 0, 1), Set(d, "v2", 0, 0, 2), Set(d, "v3", 0, 0, 3), current);

        await controller.SyncAsync(Key, CancellationToken.None);

        var deletes = _harness.WriteLines().Where(w => w.StartsWith("DELETE", StringComparison.Ordinal)).ToList();
        Assert.That(deletes, Is.EquivalentTo(new[] { $"DELETE {Sets}/{Name(d, "v1")}", $"DELETE {Sets}/{Name(d, "v2")}" }));
    }

    private async Task<DeploymentController> StartAsync(V1Deployment d, params V1ReplicaSet[] sets)
    {
        _harness.Seed(d);
        _harness.Seed(sets);
        _harness.Seed<V1Pod>();
        var controller = new DeploymentController(_harness.Context);
        await _harness.StartAsync();
        return controller;
    }

    private static V1Deployment Deployment(int replicas, string image, string maxSurge = "25%", string maxUnavailable = "25%") => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta
        {
            Name = "web",
            NamespaceProperty = "ns",
            Uid = "uid-web",
            Generation = 1,
            ResourceVersion = "10",
            Annotations = new Dictionary<string, string> { ["team"] = "blue", ["kubectl.kubernetes.io/last-applied-configuration"] = "{}" },
        },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            ProgressDeadlineSeconds = 600,
            RevisionHistoryLimit = 10,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Strategy = new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = maxSurge, MaxUnavailable = maxUnavailable },
            },
            Template = Template(image),
        },
    };

    private static V1PodTemplateSpec Template(string image) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = image }] },
    };

    private static string Name(V1Deployment d, string image) => "web-" + PodTemplateHash.Compute(Template(image), null);

    /// <summary>A ReplicaSet the Deployment made earlier for <paramref name="image"/>.</summary>
    private static V1ReplicaSet Set(V1Deployment d, string image, int replicas, int available, int revision)
    {
        var hash = PodTemplateHash.Compute(Template(image), null);
        var labels = new Dictionary<string, string> { ["app"] = "web", ["pod-template-hash"] = hash };
        var template = Template(image);
        template.Metadata.Labels = labels;
        return new V1ReplicaSet
        {
            ApiVersion = "apps/v1",
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = "web-" + hash,
                NamespaceProperty = "ns",
                Uid = "uid-" + image,
                Generation = 1,
                ResourceVersion = "7",
                CreationTimestamp = new DateTime(2025, 1, revision, 0, 0, 0, DateTimeKind.Utc),
                Labels = labels,
                Annotations = new Dictionary<string, string>
                {
                    ["deployment.kubernetes.io/revision"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["deployment.kubernetes.io/desired-replicas"] = (d.Spec.Replicas ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["deployment.kubernetes.io/max-replicas"] = ((d.Spec.Replicas ?? 1) + RollingUpdateLimits.MaxSurge(d)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["team"] = "blue",
                },
                OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "web", Uid = "uid-web", Controller = true, BlockOwnerDeletion = true }],
            },
            Spec = new V1ReplicaSetSpec { Replicas = replicas, Selector = new V1LabelSelector { MatchLabels = labels }, Template = template },
            Status = new V1ReplicaSetStatus { Replicas = replicas, ReadyReplicas = available, AvailableReplicas = available, ObservedGeneration = 1 },
        };
    }
}
