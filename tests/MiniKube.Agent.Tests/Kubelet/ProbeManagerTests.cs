using k8s.Models;
using MiniKube.Agent.Kubelet;
using MiniKube.Agent.Runtime;
using MiniKube.Agent.Runtime.Simulated;

namespace MiniKube.Agent.Tests.Kubelet;

[TestFixture]
public sealed class ProbeManagerTests
{
    [Test]
    public void HealthOf_BeforeAnyProbe_ReadyOnlyWithoutReadinessOrStartupProbe()
    {
        var probes = new ProbeManager(new Prober(new SimulatedRuntime(TimeProvider.System), TimeProvider.System));

        Assert.That(probes.HealthOf(new V1Container { Name = "plain" }, "c1"), Is.EqualTo(new ContainerHealth(true, false)));
        Assert.That(probes.HealthOf(new V1Container { Name = "live", LivenessProbe = Exec("true") }, "c1"), Is.EqualTo(new ContainerHealth(true, false)));
        Assert.That(probes.HealthOf(new V1Container { Name = "ready", ReadinessProbe = Exec("true") }, "c1"), Is.EqualTo(new ContainerHealth(false, false)));
        Assert.That(probes.HealthOf(new V1Container { Name = "startup", StartupProbe = Exec("true") }, "c1"), Is.EqualTo(new ContainerHealth(false, false)));
    }

    [Test]
    public async Task Probe_ReadinessPasses_PodReportedChangedAndContainerReady()
    {
        var changed = new List<string>();
        var probes = new ProbeManager(new Prober(new SimulatedRuntime(TimeProvider.System), TimeProvider.System)) { Changed = uid => { lock (changed) { changed.Add(uid); } } };
        var pod = Pod(new V1Container { Name = "main", ReadinessProbe = Exec("true") });

        probes.Probe(pod, "10.42.0.2", [Running("c1")], CancellationToken.None);

        await WaitUntilAsync(() => probes.HealthOf(pod.Spec.Containers[0], "c1").Ready);
        Assert.That(changed, Is.EqualTo(new[] { "uid-1" }));
    }

    [Test]
    public void Probe_LivenessFailsThreeTimes_Kill()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var probes = new ProbeManager(new Prober(new SimulatedRuntime(time), time));
        var spec = new V1Container { Name = "main", LivenessProbe = Exec("false") };
        spec.LivenessProbe.PeriodSeconds = 1;
        var pod = Pod(spec);

        for (var i = 0; i < 3; i++)
        {
            // A simulated exec completes at once, so each check is over when Probe returns.
            probes.Probe(pod, "10.42.0.2", [Running("c1")], CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.That(probes.HealthOf(spec, "c1").Kill, Is.True);
    }

    [Test]
    public void Probe_ContainersWithoutProbesOrNotRunning_NothingRuns()
    {
        var changed = 0;
        var probes = new ProbeManager(new Prober(new SimulatedRuntime(TimeProvider.System), TimeProvider.System)) { Changed = _ => changed++ };
        var pod = Pod(new V1Container { Name = "main" }, new V1Container { Name = "probed", ReadinessProbe = Exec("true") });

        probes.Probe(pod, null, [Running("c1"), Running("c2", "probed") with { State = ContainerState.Exited }], CancellationToken.None);

        Assert.That(changed, Is.Zero);
    }

    [Test]
    public async Task Retain_ContainerGone_ResultForgotten()
    {
        var probes = new ProbeManager(new Prober(new SimulatedRuntime(TimeProvider.System), TimeProvider.System));
        var pod = Pod(new V1Container { Name = "main", ReadinessProbe = Exec("true") });
        probes.Probe(pod, null, [Running("c1")], CancellationToken.None);
        await WaitUntilAsync(() => probes.HealthOf(pod.Spec.Containers[0], "c1").Ready);

        probes.Retain(new HashSet<string>());

        Assert.That(probes.HealthOf(pod.Spec.Containers[0], "c1").Ready, Is.False);
    }

    private static V1Probe Exec(params string[] command) => new() { Exec = new V1ExecAction { Command = command } };

    private static ContainerInfo Running(string id, string name = "main") =>
        new(id, "uid-1", name, 0, false, ContainerState.Running, "busybox", "sha256:x") { StartedAt = DateTimeOffset.UtcNow.AddMinutes(-1) };

    private static V1Pod Pod(params V1Container[] containers) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = "uid-1" },
        Spec = new V1PodSpec { Containers = containers },
    };

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "condition not met in 5 s");
            await Task.Delay(10);
        }
    }
}
