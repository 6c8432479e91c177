using MiniKube.Testing;
using System.Net;
using k8s.Models;
using MiniKube.Controllers.Disruption;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.Disruption;

public sealed class DisruptionControllerTests
{
    private const string StatusPath = "/apis/policy/v1/namespaces/ns/poddisruptionbudgets/web/status";
    private static readonly DateTime Now = new(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web" };

    private static V1PodDisruptionBudget Budget(IntOrString? minAvailable = null, IntOrString? maxUnavailable = null, V1LabelSelector? selector = null, bool nilSelector = false) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = TestObjects.Namespace, Uid = "uid-pdb", Generation = 3, ResourceVersion = "7" },
        Spec = new V1PodDisruptionBudgetSpec
        {
            MinAvailable = minAvailable,
            MaxUnavailable = maxUnavailable,
            Selector = nilSelector ? null : selector ?? new V1LabelSelector { MatchLabels = Labels },
        },
    };

    private static V1Pod Pod(string name, V1OwnerReference? owner, bool ready = true, IDictionary<string, string>? labels = null)
    {
        var pod = TestObjects.Pod(name, owner ?? TestObjects.Owner("apps/v1", "ReplicaSet", "none"), labels ?? Labels, ready ? "Running" : "Pending", ready: ready);
        if (owner is null)
        {
            pod.Metadata.OwnerReferences = null;
        }
        return pod;
    }

    private static V1ReplicaSet ReplicaSet(string name, int replicas, V1OwnerReference? owner = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = TestObjects.Namespace, Uid = "uid-" + name, OwnerReferences = owner is null ? null : [owner] },
        Spec = new V1ReplicaSetSpec { Replicas = replicas, Selector = new V1LabelSelector { MatchLabels = Labels } },
    };

    private sealed record World(ControllerHarness Harness, DisruptionController Controller) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Harness.DisposeAsync();

        public IReadOnlyList<V1PodDisruptionBudgetStatus> Written =>
            [.. Harness.Bodies<V1PodDisruptionBudget>("PUT", StatusPath).Select(b => b.Status)];

        public async Task<V1PodDisruptionBudgetStatus> SyncOnceAsync()
        {
            await Controller.SyncAsync(NamespacedName.Parse("ns/web"), CancellationToken.None);
            Assert.That(Harness.Api.Writes.Select(w => w.ToString()), Is.EqualTo(new[] { "PUT " + StatusPath }), "one status write, nothing else");
            return Written.Single();
        }
    }

    private static async Task<World> StartAsync(V1PodDisruptionBudget pdb, V1Pod[] pods, V1ReplicaSet[]? replicaSets = null, V1Deployment[]? deployments = null, V1StatefulSet[]? statefulSets = null)
    {
        var harness = new ControllerHarness().Seed(pdb).Seed(pods).Seed(replicaSets ?? []).Seed(deployments ?? []).Seed(statefulSets ?? []).Seed<V1ReplicationController>();
        var controller = new DisruptionController(harness.Context);
        await harness.StartAsync();
        return new World(harness, controller);
    }

    private static V1Condition Condition(V1PodDisruptionBudgetStatus status) => status.Conditions.Single(c => c.Type == "DisruptionAllowed");

    [Test]
    public async Task SyncAsync_MinAvailableInteger_ExpectsTheSelectedPods()
    {
        var owner = TestObjects.Owner("apps/v1", "ReplicaSet", "web-1");
        await using var world = await StartAsync(Budget(minAvailable: 2), [Pod("a", owner), Pod("b", owner), Pod("c", null)], [ReplicaSet("web-1", 10)]);

        var status = await world.SyncOnceAsync();

        Assert.That((status.ExpectedPods, status.DesiredHealthy, status.CurrentHealthy, status.DisruptionsAllowed), Is.EqualTo((3, 2, 3, 1)),
            "an integer minAvailable counts the pods, unmanaged ones too, and ignores the owner's scale");
        Assert.That(status.ObservedGeneration, Is.EqualTo(3));
        var condition = Condition(status);
        Assert.That((condition.Status, condition.Reason, condition.Message, condition.ObservedGeneration), Is.EqualTo(("True", "SufficientPods", "", 3L)));
        Assert.That(condition.LastTransitionTime, Is.EqualTo(Now));
    }

    [Test]
    public async Task SyncAsync_MinAvailablePercent_ScalesTheOwnersReplicasRoundingUp()
    {
        var owner = TestObjects.Owner("apps/v1", "ReplicaSet", "web-1");
        await using var world = await StartAsync(Budget(minAvailable: "50%"), [Pod("a", owner), Pod("b", owner)], [ReplicaSet("web-1", 3)]);

        var status = await world.SyncOnceAsync();

        Assert.That((status.ExpectedPods, status.DesiredHealthy, status.CurrentHealthy, status.DisruptionsAllowed), Is.EqualTo((3, 2, 2, 0)),
            "expected is the ReplicaSet's 3 replicas; 50% of 3 rounds up to 2");
        Assert.That((Condition(status).Status, Condition(status).Reason), Is.EqualTo(("False", "InsufficientPods")));
    }

    [Test]
    public async Task SyncAsync_MaxUnavailableOverDeployment_CountsTheDeploymentOnceAcrossItsReplicaSets()
    {
        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = TestObjects.Namespace, Uid = "uid-web" },
            Spec = new V1DeploymentSpec { Replicas = 4, Selector = new V1LabelSelector { MatchLabels = Labels }, Template = TestObjects.Template(Labels) },
        };
        var byDeployment = TestObjects.Owner("apps/v1", "Deployment", "web");
        var oldSet = TestObjects.Owner("apps/v1", "ReplicaSet", "web-old");
        var newSet = TestObjects.Owner("apps/v1", "ReplicaSet", "web-new");
        await using var world = await StartAsync(Budget(maxUnavailable: "25%"),
            [Pod("a", oldSet), Pod("b", oldSet), Pod("c", newSet), Pod("d", newSet, ready: false), Pod("e", newSet)],
            [ReplicaSet("web-old", 2, byDeployment), ReplicaSet("web-new", 3, byDeployment)], [deployment]);

        var status = await world.SyncOnceAsync();

        Assert.That((status.ExpectedPods, status.DesiredHealthy, status.CurrentHealthy, status.DisruptionsAllowed), Is.EqualTo((4, 3, 4, 1)),
            "the Deployment's 4 replicas, not its ReplicaSets' 5; 25% of 4 is 1 unavailable");
    }

    [Test]
    public async Task SyncAsync_MaxUnavailableOverStatefulSet_UsesItsReplicas()
    {
        var set = new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "db", NamespaceProperty = TestObjects.Namespace, Uid = "uid-db" },
            Spec = new V1StatefulSetSpec { Replicas = 3, ServiceName = "db", Selector = new V1LabelSelector { MatchLabels = Labels }, Template = TestObjects.Template(Labels) },
        };
        var owner = TestObjects.Owner("apps/v1", "StatefulSet", "db");
        await using var world = await StartAsync(Budget(maxUnavailable: 1), [Pod("db-0", owner), Pod("db-1", owner), Pod("db-2", owner)], statefulSets: [set]);

        var status = await world.SyncOnceAsync();

        Assert.That((status.ExpectedPods, status.DesiredHealthy, status.CurrentHealthy, status.DisruptionsAllowed), Is.EqualTo((3, 2, 3, 1)));
    }

    [Test]
    public async Task SyncAsync_UnreadyAndTerminatingPods_AreNotHealthy()
    {
        var owner = TestObjects.Owner("apps/v1", "ReplicaSet", "web-1");
        var terminating = Pod("c", owner);
        terminating.Metadata.DeletionTimestamp = Now;
        await using var world = await StartAsync(Budget(minAvailable: 1), [Pod("a", owner), Pod("b", owner, ready: false), terminating], [ReplicaSet("web-1", 3)]);

        var status = await world.SyncOnceAsync();

        Assert.That((status.ExpectedPods, status.CurrentHealthy, status.DisruptionsAllowed), Is.EqualTo((3, 1, 0)));
    }

    [Test]
    public async Task SyncAsync_DisruptedPods_CountAsGoneUntilTheDeletionTimeoutThenAreDropped()
    {
        var owner = TestObjects.Owner("apps/v1", "ReplicaSet", "web-1");
        var pdb = Budget(minAvailable: 1);
        pdb.Status = new V1PodDisruptionBudgetStatus
        {
            DisruptedPods = new Dictionary<string, DateTime?>
            {
                ["a"] = Now.AddSeconds(-30),
                ["b"] = Now.AddMinutes(-3),
                ["gone"] = Now.AddSeconds(-10),
            },
        };
        await using var world = await StartAsync(pdb, [Pod("a", owner), Pod("b", owner), Pod("c", owner)], [ReplicaSet("web-1", 3)]);
        using var stop = new CancellationTokenSource();
        var running = world.Controller.RunAsync(stop.Token);

        var first = await WrittenAsync(world, 1);
        Assert.That(first.DisruptedPods.Keys, Is.EqualTo(new[] { "a" }), "b's entry expired and 'gone' has no pod");
        Assert.That((first.CurrentHealthy, first.DisruptionsAllowed), Is.EqualTo((2, 1)), "a is about to be deleted; b counts again");

        // a's entry expires 90 s from now: the controller comes back on its own then (the cache still shows the old status).
        Assert.That(world.Written, Has.Count.EqualTo(1));
        var second = await AdvanceUntilWrittenAsync(world, 2, TimeSpan.FromSeconds(7));
        Assert.That(world.Harness.Time.GetUtcNow(), Is.GreaterThan(new DateTimeOffset(Now.AddSeconds(90))), "not before a's entry expired");
        Assert.That(second.DisruptedPods, Is.Null, "nothing pending: the map is left out as Go leaves it");
        Assert.That((second.CurrentHealthy, second.DisruptionsAllowed), Is.EqualTo((3, 2)));

        await stop.CancelAsync();
        await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    [Test]
    public async Task SyncAsync_NilSelector_SelectsNothing()
    {
        await using var world = await StartAsync(Budget(minAvailable: 1, nilSelector: true), [Pod("a", null)]);

        var status = await world.SyncOnceAsync();

        Assert.That((status.ExpectedPods, status.CurrentHealthy, status.DisruptionsAllowed), Is.EqualTo((0, 0, 0)));
    }

    [Test]
    public async Task SyncAsync_EmptySelector_SelectsEveryPodOfTheNamespace()
    {
        var elsewhere = Pod("x", null);
        elsewhere.Metadata.NamespaceProperty = "other";
        await using var world = await StartAsync(Budget(minAvailable: 1, selector: new V1LabelSelector()),
            [Pod("a", null), Pod("b", null, labels: new Dictionary<string, string> { ["app"] = "db" }), elsewhere]);

        var status = await world.SyncOnceAsync();

        Assert.That((status.ExpectedPods, status.CurrentHealthy, status.DisruptionsAllowed), Is.EqualTo((2, 2, 1)));
    }

    [Test]
    public async Task SyncAsync_PercentWithUnmanagedPod_LeavesItOutOfTheExpectedCount()
    {
        var owner = TestObjects.Owner("apps/v1", "ReplicaSet", "web-1");
        await using var world = await StartAsync(Budget(maxUnavailable: 1), [Pod("a", owner), Pod("b", owner), Pod("loose", null)], [ReplicaSet("web-1", 2)]);

        var status = await world.SyncOnceAsync();

        Assert.That((status.ExpectedPods, status.DesiredHealthy, status.CurrentHealthy, status.DisruptionsAllowed), Is.EqualTo((2, 1, 3, 2)),
            "upstream skips the unmanaged pod when scaling yet counts it healthy");
    }

    [Test]
    public async Task SyncAsync_OwnerNotFound_FailsSafeWithZeroDisruptions()
    {
        var pdb = Budget(maxUnavailable: 1);
        pdb.Status = new V1PodDisruptionBudgetStatus { DisruptionsAllowed = 2, ExpectedPods = 3, ObservedGeneration = 2 };
        await using var world = await StartAsync(pdb, [Pod("a", TestObjects.Owner("apps/v1", "ReplicaSet", "missing"))]);

        var status = await world.SyncOnceAsync();

        Assert.That((status.DisruptionsAllowed, status.ExpectedPods, status.ObservedGeneration), Is.EqualTo((0, 3, 2L)), "only disruptionsAllowed changes");
        var condition = Condition(status);
        Assert.That((condition.Status, condition.Reason, condition.Message, condition.ObservedGeneration),
            Is.EqualTo(("False", "SyncFailed", "found no controllers for pod \"a\"", 2L)));
    }

    [Test]
    public async Task SyncAsync_StatusAlreadyCurrent_WritesNothing()
    {
        var owner = TestObjects.Owner("apps/v1", "ReplicaSet", "web-1");
        var pdb = Budget(minAvailable: 1);
        pdb.Status = new V1PodDisruptionBudgetStatus
        {
            ExpectedPods = 2,
            DesiredHealthy = 1,
            CurrentHealthy = 2,
            DisruptionsAllowed = 1,
            ObservedGeneration = 3,
            Conditions = [new V1Condition { Type = "DisruptionAllowed", Status = "True", Reason = "SufficientPods", Message = "", ObservedGeneration = 3, LastTransitionTime = Now.AddHours(-1) }],
        };
        await using var world = await StartAsync(pdb, [Pod("a", owner), Pod("b", owner)], [ReplicaSet("web-1", 2)]);

        await world.Controller.SyncAsync(NamespacedName.Parse("ns/web"), CancellationToken.None);

        Assert.That(world.Harness.Api.Writes, Is.Empty);
    }

    [Test]
    public async Task SyncAsync_ConditionStatusChanges_MovesTheTransitionTimeOnlyThen()
    {
        var owner = TestObjects.Owner("apps/v1", "ReplicaSet", "web-1");
        var earlier = Now.AddHours(-1);
        var pdb = Budget(minAvailable: 1);
        pdb.Status = new V1PodDisruptionBudgetStatus
        {
            ObservedGeneration = 2,
            Conditions = [new V1Condition { Type = "DisruptionAllowed", Status = "False", Reason = "InsufficientPods", Message = "", ObservedGeneration = 2, LastTransitionTime = earlier }],
        };
        await using var allowed = await StartAsync(pdb, [Pod("a", owner), Pod("b", owner)], [ReplicaSet("web-1", 2)]);
        await using var stillBlocked = await StartAsync(pdb, [Pod("a", owner)], [ReplicaSet("web-1", 2)]);

        var becameTrue = Condition(await allowed.SyncOnceAsync());
        var stayedFalse = Condition(await stillBlocked.SyncOnceAsync());

        Assert.That((becameTrue.Status, becameTrue.LastTransitionTime, becameTrue.ObservedGeneration), Is.EqualTo(("True", Now, 3L)));
        Assert.That((stayedFalse.Status, stayedFalse.LastTransitionTime, stayedFalse.ObservedGeneration), Is.EqualTo(("False", earlier, 3L)),
            "written for the new generation, the transition time kept");
    }

    [Test]
    public async Task RunAsync_StatusWriteConflicts_RetriesTheBudget()
    {
        var owner = TestObjects.Owner("apps/v1", "ReplicaSet", "web-1");
        await using var world = await StartAsync(Budget(minAvailable: 1), [Pod("a", owner)], [ReplicaSet("web-1", 1)]);
        var answered = 0;
        world.Harness.Api.Respond = call => Interlocked.Increment(ref answered) == 1
            ? (HttpStatusCode.Conflict, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Conflict","code":409}""")
            : (HttpStatusCode.OK, call.Body ?? "{}");
        using var stop = new CancellationTokenSource();
        var running = world.Controller.RunAsync(stop.Token);

        await WrittenAsync(world, 1);
        await AdvanceUntilWrittenAsync(world, 2, TimeSpan.FromMilliseconds(5));

        Assert.That(answered, Is.EqualTo(2), "the conflicted write was made again after the rate limiter's delay");
        await stop.CancelAsync();
        await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// Moves the fake clock by <paramref name="step"/> until the <paramref name="count"/>th status
    /// write comes (the sync that set the timer may still be finishing when the clock first moves).
    /// </summary>
    private static async Task<V1PodDisruptionBudgetStatus> AdvanceUntilWrittenAsync(World world, int count, TimeSpan step)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (world.Harness.Writes("PUT", StatusPath).Count < count)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"status write {count} never came");
            world.Harness.Time.Advance(step);
            await Task.Delay(10);
        }
        return world.Written[count - 1];
    }

    /// <summary>Waits for the <paramref name="count"/>th status write and returns what it wrote.</summary>
    private static async Task<V1PodDisruptionBudgetStatus> WrittenAsync(World world, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (world.Harness.Writes("PUT", StatusPath).Count < count)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"status write {count} never came");
            await Task.Delay(10);
        }
        return world.Written[count - 1];
    }
}
