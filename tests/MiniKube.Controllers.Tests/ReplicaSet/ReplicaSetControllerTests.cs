using MiniKube.Testing;
using System.Net;
using k8s.Models;
using MiniKube.Controllers.ReplicaSet;

namespace MiniKube.Controllers.Tests.ReplicaSet;

public sealed class ReplicaSetControllerTests
{
    private static readonly NamespacedName Key = new("ns", "web");

    private ControllerHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new ControllerHarness();

    [TearDown]
    public async Task TearDown() => await _harness.DisposeAsync();

    [Test]
    public async Task SyncAsync_NoPods_CreatesEveryReplicaWithOwnerReference()
    {
        var controller = await StartAsync([Rs(5)]);

        await controller.SyncAsync(Key, CancellationToken.None);

        var creates = _harness.Api.Writes.Where(c => c.Method == "POST").ToList();
        Assert.That(creates, Has.Count.EqualTo(5));
        Assert.That(creates.Select(c => c.Path), Is.All.EqualTo("/api/v1/namespaces/ns/pods"));
        var pod = k8s.KubernetesJson.Deserialize<V1Pod>(creates[0].Body!);
        Assert.Multiple(() =>
        {
            Assert.That(pod.Metadata.GenerateName, Is.EqualTo("web-"));
            Assert.That(pod.Metadata.Labels, Does.ContainKey("app").WithValue("web"));
            var owner = pod.Metadata.OwnerReferences.Single();
            Assert.That((owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion),
                Is.EqualTo(("apps/v1", "ReplicaSet", "web", "uid-web", (bool?)true, (bool?)true)));
        });
        Assert.That(_harness.WriteLines()[^1], Is.EqualTo("PUT /apis/apps/v1/namespaces/ns/replicasets/web/status"));
    }

    [Test]
    public async Task SyncAsync_SecondCreateFails_StopsAfterThatBatchAndReportsReplicaFailure()
    {
        var posts = 0;
        _harness.Api.Respond = call => call.Method == "POST" && Interlocked.Increment(ref posts) == 2
            ? (HttpStatusCode.Forbidden, """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \"web-x\" is forbidden: exceeded quota","reason":"Forbidden","code":403}""")
            : (HttpStatusCode.OK, call.Body ?? "{}");
        var controller = await StartAsync([Rs(10)]);

        // The failure is reported (event, status) and handed to the loop, which retries the key rate-limited.
        Assert.That(async () => await controller.SyncAsync(Key, CancellationToken.None), Throws.TypeOf<SyncRetryException>());

        // Batches of 1 then 2: the failure in the second batch ends the slow start after 3 calls.
        Assert.That(_harness.Api.Writes.Count(c => c.Method == "POST"), Is.EqualTo(3));
        var status = k8s.KubernetesJson.Deserialize<V1ReplicaSet>(_harness.Api.Writes[^1].Body!).Status;
        var failure = status.Conditions.Single();
        Assert.That((failure.Type, failure.Status, failure.Reason, failure.Message),
            Is.EqualTo(("ReplicaFailure", "True", "FailedCreate", "pods \"web-x\" is forbidden: exceeded quota")));
    }

    [Test]
    public async Task SyncAsync_AfterCreates_WaitsForThemBeforeCreatingAgain()
    {
        var controller = await StartAsync([Rs(2)]);
        await controller.SyncAsync(Key, CancellationToken.None);
        _harness.Api.Clear();

        // The informer has not seen the two pods yet: a stale cache must not double the scale-up.
        await controller.SyncAsync(Key, CancellationToken.None);

        Assert.That(_harness.Api.Writes.Where(c => c.Method == "POST"), Is.Empty);
    }

    [Test]
    public async Task SyncAsync_TooManyPods_DeletesUnassignedAndNotReadyFirst()
    {
        var old = DateTime.UtcNow.AddHours(-2);
        var controller = await StartAsync(
            [Rs(1)],
            Pod("ready-old", node: "n1", created: old),
            Pod("pending", phase: "Pending", ready: false, node: null, created: old),
            Pod("not-ready", ready: false, node: "n1", created: old));

        await controller.SyncAsync(Key, CancellationToken.None);

        var deletes = _harness.WriteLines().Where(w => w.StartsWith("DELETE", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.That(deletes, Is.EqualTo(new[]
        {
            "DELETE /api/v1/namespaces/ns/pods/not-ready",
            "DELETE /api/v1/namespaces/ns/pods/pending",
        }));
    }

    [Test]
    public async Task SyncAsync_MatchingOrphan_IsAdoptedByPatch()
    {
        var rs = Rs(1);
        _harness.Api.Respond = call => call.Method == "GET" ? (HttpStatusCode.OK, k8s.KubernetesJson.Serialize(rs)) : (HttpStatusCode.OK, call.Body ?? "{}");
        var controller = await StartAsync([rs], Pod("orphan", owner: null));

        await controller.SyncAsync(Key, CancellationToken.None);

        var patch = _harness.Api.Writes.Single(c => c.Method == "PATCH");
        Assert.That(patch.Path, Does.StartWith("/api/v1/namespaces/ns/pods/orphan"));
        Assert.That(patch.Body, Does.Contain("\"ownerReferences\":[{").And.Contain("\"uid\":\"uid-web\"").And.Contain("\"controller\":true"));
        Assert.That(_harness.Api.Writes.Where(c => c.Method == "POST"), Is.Empty, "the adopted pod counts");
    }

    [Test]
    public async Task SyncAsync_OrphanWhileBeingDeleted_IsNotAdopted()
    {
        var rs = Rs(1);
        rs.Metadata.DeletionTimestamp = DateTime.UtcNow;
        var controller = await StartAsync([rs], Pod("orphan", owner: null));

        await controller.SyncAsync(Key, CancellationToken.None);

        Assert.That(_harness.WriteLines(), Is.EqualTo(new[] { "PUT /apis/apps/v1/namespaces/ns/replicasets/web/status" }));
    }

    [Test]
    public async Task SyncAsync_OwnedPodNoLongerMatching_IsReleased()
    {
        var controller = await StartAsync([Rs(1)], Pod("moved", labels: new Dictionary<string, string> { ["app"] = "other" }));

        await controller.SyncAsync(Key, CancellationToken.None);

        var patch = _harness.Api.Writes.Single(c => c.Method == "PATCH");
        Assert.That(patch.Path, Does.StartWith("/api/v1/namespaces/ns/pods/moved"));
        Assert.That(patch.Body, Does.Contain("{\"$patch\":\"delete\",\"uid\":\"uid-web\"}"));
        Assert.That(_harness.Api.Writes.Count(c => c.Method == "POST"), Is.EqualTo(1), "a replacement for the released pod");
    }

    [Test]
    public async Task SyncAsync_ReadyPods_StatusCountsThem()
    {
        var rs = Rs(3);
        rs.Spec.MinReadySeconds = 30;
        var now = _harness.Time.GetUtcNow().UtcDateTime;
        var controller = await StartAsync(
            [rs],
            Pod("a", readySince: now.AddMinutes(-5)),
            Pod("b", readySince: now.AddSeconds(-5)),
            Pod("c", ready: false, phase: "Pending"),
            Pod("done", phase: "Succeeded", ready: false));

        await controller.SyncAsync(Key, CancellationToken.None);

        var status = k8s.KubernetesJson.Deserialize<V1ReplicaSet>(_harness.Api.Writes.Single().Body!).Status;
        Assert.That((status.Replicas, status.FullyLabeledReplicas, status.ReadyReplicas, status.AvailableReplicas, status.ObservedGeneration),
            Is.EqualTo((3, (int?)3, (int?)2, (int?)1, (long?)1)));
    }

    [Test]
    public async Task SyncAsync_ReplicationController_SameSyncWithItsOwnKind()
    {
        _harness.Seed<V1ReplicaSet>();
        _harness.Seed<V1Pod>();
        _harness.Seed(new V1ReplicationController
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "ns", Uid = "uid-rc", Generation = 1 },
            Spec = new V1ReplicationControllerSpec
            {
                Replicas = 2,
                Selector = new Dictionary<string, string> { ["app"] = "web" },
                Template = Rs(1).Spec.Template,
            },
        });
        var controller = ReplicaSetController.ForReplicationControllers(_harness.Context);
        await _harness.StartAsync();

        await controller.SyncAsync(Key, CancellationToken.None);

        var creates = _harness.Api.Writes.Where(c => c.Method == "POST").ToList();
        Assert.That(creates, Has.Count.EqualTo(2));
        var owner = k8s.KubernetesJson.Deserialize<V1Pod>(creates[0].Body!).Metadata.OwnerReferences.Single();
        Assert.That((owner.ApiVersion, owner.Kind, owner.Uid), Is.EqualTo(("v1", "ReplicationController", "uid-rc")));
        Assert.That(_harness.WriteLines()[^1], Is.EqualTo("PUT /api/v1/namespaces/ns/replicationcontrollers/web/status"));
        Assert.That(controller.Name, Is.EqualTo("replicationcontroller"));
    }

    private async Task<ReplicaSetController> StartAsync(V1ReplicaSet[] sets, params V1Pod[] pods)
    {
        _harness.Seed(sets);
        _harness.Seed(pods);
        var controller = new ReplicaSetController(_harness.Context);
        await _harness.StartAsync();
        return controller;
    }

    internal static V1ReplicaSet Rs(int replicas) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "ReplicaSet",
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "ns", Uid = "uid-web", Generation = 1, ResourceVersion = "5" },
        Spec = new V1ReplicaSetSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
            },
        },
    };

    internal static V1Pod Pod(string name, string? owner = "web", string phase = "Running", bool ready = true, string? node = "n1",
        DateTime? created = null, DateTime? readySince = null, IDictionary<string, string>? labels = null) => new()
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = "ns",
                Uid = "uid-" + name,
                CreationTimestamp = created ?? DateTime.UtcNow,
                Labels = labels ?? new Dictionary<string, string> { ["app"] = "web" },
                OwnerReferences = owner is null ? null : [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = owner, Uid = "uid-" + owner, Controller = true }],
            },
            Spec = new V1PodSpec { NodeName = node, Containers = [] },
            Status = new V1PodStatus
            {
                Phase = phase,
                Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = readySince ?? DateTime.UtcNow.AddHours(-1) }],
            },
        };
}
