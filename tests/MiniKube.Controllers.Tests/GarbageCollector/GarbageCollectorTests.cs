using MiniKube.Testing;
using System.Net;
using k8s;
using k8s.Models;
using MiniKube.Controllers.GarbageCollector;
using GC = MiniKube.Controllers.GarbageCollector.GarbageCollector;

namespace MiniKube.Controllers.Tests.GarbageCollector;

public sealed class GarbageCollectorTests
{
    private static V1OwnerReference RefTo(string kind, string name, bool block = true, string apiVersion = "apps/v1") =>
        new() { ApiVersion = apiVersion, Kind = kind, Name = name, Uid = "uid-" + name, Controller = true, BlockOwnerDeletion = block };

    private static V1Pod Pod(string name, params V1OwnerReference[] owners) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = "uid-" + name, ResourceVersion = "5", OwnerReferences = owners },
        Spec = new V1PodSpec { Containers = [] },
    };

    private static V1ReplicaSet ReplicaSet(string name, params string[] finalizers) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "default",
            Uid = "uid-" + name,
            ResourceVersion = "3",
            Finalizers = finalizers.Length == 0 ? null : finalizers,
            DeletionTimestamp = finalizers.Length == 0 ? null : new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        },
    };

    private static async Task<(ControllerHarness World, GC Collector, GcKinds Kinds)> StartAsync(params IKubernetesObject<V1ObjectMeta>[] objects)
    {
        var world = new ControllerHarness();
        With<V1Pod>(world, objects);
        With<V1ReplicationController>(world, objects);
        With<V1Service>(world, objects);
        With<V1Endpoints>(world, objects);
        With<V1ConfigMap>(world, objects);
        With<V1Secret>(world, objects);
        With<V1ServiceAccount>(world, objects);
        With<V1PersistentVolumeClaim>(world, objects);
        With<V1Node>(world, objects);
        With<V1PersistentVolume>(world, objects);
        With<V1ReplicaSet>(world, objects);
        With<V1Deployment>(world, objects);
        With<V1DaemonSet>(world, objects);
        With<V1StatefulSet>(world, objects);
        With<V1ControllerRevision>(world, objects);
        With<V1Job>(world, objects);
        With<V1CronJob>(world, objects);
        With<V1EndpointSlice>(world, objects);
        With<V1Lease>(world, objects);
        var collector = new GC(world.Context);
        await world.StartAsync();
        return (world, collector, new GcKinds(world.Informers));
    }

    private static void With<T>(ControllerHarness world, IKubernetesObject<V1ObjectMeta>[] objects)
        where T : class, IKubernetesObject<V1ObjectMeta> => world.Seed([.. objects.OfType<T>()]);

    private static GcItem Item(GcKinds kinds, string apiVersion, string kind, string name) => new(kinds.Of(apiVersion, kind)!, "default", name);

    [Test]
    public async Task SyncAsync_OwnerGone_ConfirmedByLiveRead_DeletesInBackground()
    {
        var (world, collector, kinds) = await StartAsync(Pod("web-1", RefTo("ReplicaSet", "web")));
        await using var _ = world;

        await collector.SyncAsync(Item(kinds, "v1", "Pod", "web-1"), CancellationToken.None);

        Assert.That(world.Api.Calls.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            "GET /apis/apps/v1/namespaces/default/replicasets/web",
            "DELETE /api/v1/namespaces/default/pods/web-1",
        }));
        var options = KubernetesJson.Deserialize<V1DeleteOptions>(world.Api.Calls[1].Body!);
        Assert.That(options.PropagationPolicy, Is.EqualTo("Background"));
        Assert.That(options.Preconditions.Uid, Is.EqualTo("uid-web-1"));
    }

    [Test]
    public async Task SyncAsync_OwnerMissingFromCacheButLive_KeepsTheDependent()
    {
        var (world, collector, kinds) = await StartAsync(Pod("web-1", RefTo("ReplicaSet", "web")));
        await using var _ = world;
        world.Api.Respond = call => call.Method == "GET"
            ? (HttpStatusCode.OK, KubernetesJson.Serialize(ReplicaSet("web")))
            : (HttpStatusCode.InternalServerError, "{}");

        await collector.SyncAsync(Item(kinds, "v1", "Pod", "web-1"), CancellationToken.None);

        Assert.That(world.Api.Writes, Is.Empty);
    }

    [Test]
    public async Task SyncAsync_OwnerCached_MakesNoCallAtAll()
    {
        var (world, collector, kinds) = await StartAsync(ReplicaSet("web"), Pod("web-1", RefTo("ReplicaSet", "web")));
        await using var _ = world;

        await collector.SyncAsync(Item(kinds, "v1", "Pod", "web-1"), CancellationToken.None);

        Assert.That(world.Api.Calls, Is.Empty);
    }

    [Test]
    public async Task SyncAsync_OneOwnerGoneAnotherLive_OnlyRemovesTheDeadReference()
    {
        var (world, collector, kinds) = await StartAsync(ReplicaSet("live"), Pod("web-1", RefTo("ReplicaSet", "dead"), RefTo("ReplicaSet", "live")));
        await using var _ = world;

        await collector.SyncAsync(Item(kinds, "v1", "Pod", "web-1"), CancellationToken.None);

        Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[] { "PATCH /api/v1/namespaces/default/pods/web-1" }));
        var patch = KubernetesJson.Deserialize<V1Pod>(world.Api.Writes[0].Body!);
        Assert.That(patch.Metadata.OwnerReferences.Select(r => r.Name), Is.EqualTo(new[] { "live" }));
        Assert.That(patch.Metadata.ResourceVersion, Is.EqualTo("5"), "conditional on the version read");
    }

    [Test]
    public async Task SyncAsync_ForegroundOwnerWithBlockingDependent_KeepsFinalizer_AndTheDependentIsDeleted()
    {
        var (world, collector, kinds) = await StartAsync(ReplicaSet("web", GC.ForegroundFinalizer), Pod("web-1", RefTo("ReplicaSet", "web")));
        await using var _ = world;

        await collector.SyncAsync(Item(kinds, "apps/v1", "ReplicaSet", "web"), CancellationToken.None);
        Assert.That(world.Api.Writes, Is.Empty, "a dependent with blockOwnerDeletion is still there");

        await collector.SyncAsync(Item(kinds, "v1", "Pod", "web-1"), CancellationToken.None);
        Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[] { "DELETE /api/v1/namespaces/default/pods/web-1" }));
        Assert.That(world.Api.Calls.Where(c => c.Method == "GET"), Is.Empty, "the waiting owner was found in the cache");
    }

    [Test]
    public async Task SyncAsync_ForegroundOwnerWithOnlyNonBlockingDependents_RemovesFinalizer()
    {
        var (world, collector, kinds) = await StartAsync(ReplicaSet("web", GC.ForegroundFinalizer, "example.com/other"), Pod("web-1", RefTo("ReplicaSet", "web", block: false)));
        await using var _ = world;

        await collector.SyncAsync(Item(kinds, "apps/v1", "ReplicaSet", "web"), CancellationToken.None);

        Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[] { "PATCH /apis/apps/v1/namespaces/default/replicasets/web" }));
        var patch = KubernetesJson.Deserialize<V1ReplicaSet>(world.Api.Writes[0].Body!);
        Assert.That(patch.Metadata.Finalizers, Is.EqualTo(new[] { "example.com/other" }));
    }

    [Test]
    public async Task SyncAsync_OrphanOwner_RemovesItsReferencesThenTheFinalizer()
    {
        var (world, collector, kinds) = await StartAsync(
            ReplicaSet("web", GC.OrphanFinalizer),
            ReplicaSet("other"),
            Pod("web-1", RefTo("ReplicaSet", "web"), RefTo("ReplicaSet", "other")));
        await using var _ = world;

        await collector.SyncAsync(Item(kinds, "apps/v1", "ReplicaSet", "web"), CancellationToken.None);

        Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            "PATCH /api/v1/namespaces/default/pods/web-1",
            "PATCH /apis/apps/v1/namespaces/default/replicasets/web",
        }));
        Assert.That(KubernetesJson.Deserialize<V1Pod>(world.Api.Writes[0].Body!).Metadata.OwnerReferences.Select(r => r.Name), Is.EqualTo(new[] { "other" }));
        Assert.That(KubernetesJson.Deserialize<V1ReplicaSet>(world.Api.Writes[1].Body!).Metadata.Finalizers, Is.Empty);
    }

    [Test]
    public async Task SyncAsync_ClusterScopedOwnerGone_DeletesMirrorPod()
    {
        var (world, collector, kinds) = await StartAsync(Pod("static-node-a", RefTo("Node", "node-a", apiVersion: "v1")));
        await using var _ = world;

        await collector.SyncAsync(Item(kinds, "v1", "Pod", "static-node-a"), CancellationToken.None);

        Assert.That(world.Api.Calls.Select(c => c.ToString()), Is.EqualTo(new[] { "GET /api/v1/nodes/node-a", "DELETE /api/v1/namespaces/default/pods/static-node-a" }));
    }

    [Test]
    public async Task SyncAsync_OwnerOfUnknownKind_IsNeverTakenForGone()
    {
        var (world, collector, kinds) = await StartAsync(Pod("x", RefTo("Widget", "w", apiVersion: "example.com/v1")));
        await using var _ = world;

        // Retried later (after discovery is read again), never deleted for.
        Assert.ThrowsAsync<SyncRetryException>(() => collector.SyncAsync(Item(kinds, "v1", "Pod", "x"), CancellationToken.None));

        Assert.That(world.Api.Calls, Is.Empty);
    }
}
