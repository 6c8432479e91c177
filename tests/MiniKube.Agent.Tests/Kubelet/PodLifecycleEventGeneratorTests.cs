using Microsoft.Extensions.Time.Testing;
using MiniKube.Agent.Kubelet;
using MiniKube.Agent.Runtime;
using MiniKube.Agent.Runtime.Simulated;

namespace MiniKube.Agent.Tests.Kubelet;

[TestFixture]
public sealed class PodLifecycleEventGeneratorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void Compare_NothingChanged_NoEvents()
    {
        var pods = new RuntimePods([Sandbox("s1", "a", running: true)], [Container("c1", "a", ContainerState.Running)]);

        var events = PodLifecycleEventGenerator.Compare(new RuntimeSnapshot(T0, pods), new RuntimeSnapshot(T0.AddSeconds(1), pods));

        Assert.That(events, Is.Empty);
    }

    [Test]
    public void Compare_StartedDiedChanged_OneEventEachForItsPod()
    {
        var before = new RuntimeSnapshot(T0, new RuntimePods([], [Container("c1", "a", ContainerState.Created), Container("c2", "b", ContainerState.Running), Container("c3", "c", ContainerState.Running)]));
        var after = new RuntimeSnapshot(T0.AddSeconds(1), new RuntimePods([], [Container("c1", "a", ContainerState.Running), Container("c2", "b", ContainerState.Exited), Container("c3", "c", ContainerState.Unknown)]));

        var events = PodLifecycleEventGenerator.Compare(before, after);

        Assert.That(events, Is.EquivalentTo(new[]
        {
            new PodLifecycleEvent("a", PodLifecycleEventType.ContainerStarted, "c1"),
            new PodLifecycleEvent("b", PodLifecycleEventType.ContainerDied, "c2"),
            new PodLifecycleEvent("c", PodLifecycleEventType.ContainerChanged, "c3"),
        }));
    }

    [Test]
    public void Compare_RunningContainerVanished_DiedThenRemoved()
    {
        var before = new RuntimeSnapshot(T0, new RuntimePods([], [Container("c1", "a", ContainerState.Running), Container("c2", "a", ContainerState.Exited)]));
        var after = new RuntimeSnapshot(T0.AddSeconds(1), new RuntimePods([], []));

        var events = PodLifecycleEventGenerator.Compare(before, after);

        Assert.That(events, Is.EquivalentTo(new[]
        {
            new PodLifecycleEvent("a", PodLifecycleEventType.ContainerDied, "c1"),
            new PodLifecycleEvent("a", PodLifecycleEventType.ContainerRemoved, "c1"),
            new PodLifecycleEvent("a", PodLifecycleEventType.ContainerRemoved, "c2"),
        }));
    }

    [Test]
    public void Compare_SandboxesCountAsContainers()
    {
        var before = new RuntimeSnapshot(T0, new RuntimePods([Sandbox("s1", "a", running: true)], []));
        var after = new RuntimeSnapshot(T0.AddSeconds(1), new RuntimePods([Sandbox("s1", "a", running: false), Sandbox("s2", "b", running: true)], []));

        var events = PodLifecycleEventGenerator.Compare(before, after);

        Assert.That(events, Is.EquivalentTo(new[]
        {
            new PodLifecycleEvent("a", PodLifecycleEventType.ContainerDied, "s1"),
            new PodLifecycleEvent("b", PodLifecycleEventType.ContainerStarted, "s2"),
        }));
    }

    [Test]
    public async Task RelistAsync_FirstRelist_EverythingIsNewAndCurrentIsGroupedByPod()
    {
        var time = new FakeTimeProvider(T0);
        var runtime = new SimulatedRuntime(time);
        var sandbox = await runtime.RunSandboxAsync(new SandboxConfig("uid-1", "default", "web", "web"), CancellationToken.None);
        var id = await runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", "busybox"), CancellationToken.None);
        await runtime.StartContainerAsync(id, CancellationToken.None);
        var pleg = new PodLifecycleEventGenerator(runtime, time);

        var events = await pleg.RelistAsync(CancellationToken.None);

        Assert.That(events.Select(e => (e.PodUid, e.Type)), Is.EquivalentTo(new[] { ("uid-1", PodLifecycleEventType.ContainerStarted), ("uid-1", PodLifecycleEventType.ContainerStarted) }));
        Assert.That(pleg.Current.Taken, Is.EqualTo(T0));
        Assert.That(pleg.Current.ContainersOf("uid-1").Single().Id, Is.EqualTo(id));
        Assert.That(pleg.Current.SandboxesOf("uid-1").Single().Id, Is.EqualTo(sandbox.Id));
        Assert.That(pleg.Current.ContainersOf("other"), Is.Empty);
    }

    [Test]
    public async Task RelistAsync_ContainerStopped_DiedOnlyForIt()
    {
        var time = new FakeTimeProvider(T0);
        var runtime = new SimulatedRuntime(time);
        var sandbox = await runtime.RunSandboxAsync(new SandboxConfig("uid-1", "default", "web", "web"), CancellationToken.None);
        var id = await runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", "busybox"), CancellationToken.None);
        await runtime.StartContainerAsync(id, CancellationToken.None);
        var pleg = new PodLifecycleEventGenerator(runtime, time);
        await pleg.RelistAsync(CancellationToken.None);
        await runtime.StopContainerAsync(id, TimeSpan.Zero, CancellationToken.None);

        var events = await pleg.RelistAsync(CancellationToken.None);

        Assert.That(events, Is.EqualTo(new[] { new PodLifecycleEvent("uid-1", PodLifecycleEventType.ContainerDied, id) }));
    }

    [Test]
    public async Task NewerThanAsync_CurrentIsNewer_ReturnsItWithoutRelisting()
    {
        var time = new FakeTimeProvider(T0);
        var pleg = new PodLifecycleEventGenerator(new SimulatedRuntime(time), time);
        await pleg.RelistAsync(CancellationToken.None);
        var current = pleg.Current;

        var snapshot = await pleg.NewerThanAsync(T0.AddSeconds(-1), CancellationToken.None);

        Assert.That(snapshot, Is.SameAs(current));
    }

    [Test]
    public async Task NewerThanAsync_CurrentIsOlder_WaitsForARelistTakenAfter()
    {
        var time = new FakeTimeProvider(T0);
        var pleg = new PodLifecycleEventGenerator(new SimulatedRuntime(time), time);
        await pleg.RelistAsync(CancellationToken.None);
        var changedAt = time.GetUtcNow();

        var waiting = pleg.NewerThanAsync(changedAt, CancellationToken.None);
        await Task.Delay(50);
        Assert.That(waiting.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await pleg.RelistAsync(CancellationToken.None);

        var snapshot = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(snapshot.Taken, Is.GreaterThan(changedAt));
    }

    [Test]
    public async Task RunAsync_AskedForANewerSnapshot_RelistsBeforeTheNextTick()
    {
        var time = new FakeTimeProvider(T0);
        var pleg = new PodLifecycleEventGenerator(new SimulatedRuntime(time), time);
        using var stop = new CancellationTokenSource();
        var relists = 0;
        var running = pleg.RunAsync(TimeSpan.FromMinutes(10), (_, _) => Interlocked.Increment(ref relists), _ => { }, stop.Token);
        await pleg.NewerThanAsync(DateTimeOffset.MinValue, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromMilliseconds(1));

        var snapshot = await pleg.NewerThanAsync(time.GetUtcNow().AddTicks(-1), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.That(snapshot.Taken, Is.EqualTo(time.GetUtcNow()));
        Assert.That(() => Volatile.Read(ref relists), Is.EqualTo(2).After(5000, 10));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private static ContainerInfo Container(string id, string podUid, ContainerState state) => new(id, podUid, "main", 0, false, state, "busybox", "sha256:x");

    private static PodSandbox Sandbox(string id, string podUid, bool running) => new(id, podUid, "default", "pod-" + podUid, running ? "10.42.0.2" : null, running);
}
