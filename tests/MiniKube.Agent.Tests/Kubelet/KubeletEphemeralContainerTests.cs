using k8s;
using k8s.Models;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>
/// Ephemeral containers (kubectl debug) on the simulated runtime: added through
/// pods/ephemeralcontainers to a running pod, started once in it, reported in
/// status.ephemeralContainerStatuses, never restarted.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeletEphemeralContainerTests
{
    private KubeletTestCluster _cluster = null!;

    [SetUp]
    public async Task SetUp()
    {
        _cluster = await KubeletTestCluster.StartAsync();
        await _cluster.StartKubeletAsync();
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodSpec
            {
                NodeName = KubeletTestCluster.NodeName,
                Containers = [new V1Container { Name = "main", Image = "mkube.local/busybox:1", Command = ["sleep", "3600"] }],
            },
        }, "default");
        await _cluster.WaitForPodAsync("web", p => p.Status?.Phase == "Running");
    }

    [TearDown]
    public async Task TearDown() => await _cluster.DisposeAsync();

    [Test]
    public async Task Debug_AddedToARunningPod_RunsAndIsReportedAsKubectlWaitsForIt()
    {
        await AddAsync("""{"name":"debugger-1","image":"mkube.local/busybox:1","command":["sh"],"stdin":true,"tty":true,"targetContainerName":"main"}""");

        var pod = await _cluster.WaitForPodAsync("web", p => p.Status?.EphemeralContainerStatuses?.SingleOrDefault()?.State?.Running is not null);

        var status = pod.Status.EphemeralContainerStatuses.Single();
        Assert.That((status.Name, status.Image, status.Ready, status.RestartCount), Is.EqualTo(("debugger-1", "mkube.local/busybox:1", false, 0)));
        Assert.That(status.ContainerID, Does.StartWith("docker://"));
        Assert.That(status.LastState.Terminated, Is.Null);
        Assert.That(pod.Status.Conditions.Single(c => c.Type == "Ready").Status, Is.EqualTo("True"), "an ephemeral container never makes the pod unready");
        var runtime = await _cluster.Runtime.ListContainersAsync(CancellationToken.None);
        Assert.That(runtime.Single(c => c.Name == "debugger-1").Ephemeral, Is.True);
    }

    [Test]
    public async Task Debug_ThatExits_IsTerminatedAndNeverRestarted()
    {
        await AddAsync("""{"name":"once","image":"mkube.local/busybox:1","command":["sh","-c","exit","0"]}""");

        var pod = await _cluster.WaitForPodAsync("web", p => p.Status?.EphemeralContainerStatuses?.SingleOrDefault()?.State?.Terminated is not null);
        // Several relists later (200 ms each) it is still the one attempt, still terminated.
        await Task.Delay(1500);

        var later = await _cluster.Client.CoreV1.ReadNamespacedPodAsync("web", "default");
        Assert.That(pod.Status.EphemeralContainerStatuses.Single().State.Terminated.ExitCode, Is.Zero);
        Assert.That(later.Status.EphemeralContainerStatuses.Single().State.Terminated, Is.Not.Null);
        Assert.That(later.Status.EphemeralContainerStatuses.Single().RestartCount, Is.Zero);
        Assert.That((await _cluster.Runtime.ListContainersAsync(CancellationToken.None)).Count(c => c.Name == "once"), Is.EqualTo(1));
        Assert.That(later.Status.Phase, Is.EqualTo("Running"));
    }

    [Test]
    public async Task Debug_SecondOneAdded_BothRunAndTheFirstIsNotStartedAgain()
    {
        await AddAsync("""{"name":"first","image":"mkube.local/busybox:1","command":["sh"]}""");
        await _cluster.WaitForPodAsync("web", p => p.Status?.EphemeralContainerStatuses?.Any(s => s.State?.Running is not null) == true);
        var firstId = (await _cluster.Runtime.ListContainersAsync(CancellationToken.None)).Single(c => c.Name == "first").Id;

        await AddAsync("""{"name":"second","image":"mkube.local/busybox:1","command":["sh"]}""", """{"name":"first"},{"name":"second"}""");

        var pod = await _cluster.WaitForPodAsync("web", p => p.Status?.EphemeralContainerStatuses?.Count(s => s.State?.Running is not null) == 2);
        Assert.That(pod.Status.EphemeralContainerStatuses.Select(s => s.Name), Is.EqualTo(new[] { "first", "second" }));
        Assert.That((await _cluster.Runtime.ListContainersAsync(CancellationToken.None)).Single(c => c.Name == "first").Id, Is.EqualTo(firstId));
    }

    // The strategic merge patch kubectl debug sends (API-GUIDE-WAVE2 §3).
    private async Task AddAsync(string container, string? order = null)
    {
        var setOrder = order is null ? "" : $"\"$setElementOrder/ephemeralContainers\":[{order}],";
        var patch = new V1Patch($"{{\"spec\":{{{setOrder}\"ephemeralContainers\":[{container}]}}}}", V1Patch.PatchType.StrategicMergePatch);
        await _cluster.Client.CoreV1.PatchNamespacedPodEphemeralcontainersAsync(patch, "web", "default");
    }
}
