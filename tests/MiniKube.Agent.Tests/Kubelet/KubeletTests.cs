using k8s;
using k8s.Models;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>The kubelet with the simulated runtime against an in-process API server.</summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeletTests
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
    public async Task Register_NodeIsReadyWithCapacityAndLease()
    {
        var node = await _cluster.Client.CoreV1.ReadNodeAsync("node1");
        var lease = await _cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("node1", "kube-node-lease");

        Assert.That(node.Status.Conditions.Single(c => c.Type == "Ready").Status, Is.EqualTo("True"));
        Assert.That(node.Metadata.Labels["kubernetes.io/hostname"], Is.EqualTo("node1"));
        Assert.That(node.Status.Capacity["pods"].ToString(), Is.EqualTo("110"));
        Assert.That(node.Status.Addresses.Single(a => a.Type == "InternalIP").Address, Is.EqualTo("192.0.2.10"));
        Assert.That(lease.Spec.HolderIdentity, Is.EqualTo("node1"));
    }

    [Test]
    public async Task BoundPod_RunsAndReportsStatus_ThenGracefulDeleteRemovesIt()
    {
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("web", "Always", "sleep", "3600"), "default");

        var running = await _cluster.WaitForPodAsync("web", p => p.Status?.Phase == "Running" && p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        Assert.That(running.Status.PodIP, Does.StartWith("10.42."));
        Assert.That(running.Status.HostIP, Is.EqualTo("192.0.2.10"));
        Assert.That(running.Status.ContainerStatuses.Single().State.Running, Is.Not.Null);
        var events = await WaitForEventsAsync("web", 3);
        Assert.That(events.Select(e => $"{e.Reason}: {e.Message}"), Is.SupersetOf(new[]
        {
            "Pulled: Container image \"mkube.local/busybox:1\" already present on machine",
            "Created: Created container: main",
            "Started: Started container main",
        }));
        Assert.That(events.Select(e => e.InvolvedObject.FieldPath).Distinct(), Is.EqualTo(new[] { "spec.containers{main}" }));
        Assert.That(events.Select(e => e.Source.Component).Distinct(), Is.EqualTo(new[] { "kubelet" }));

        await _cluster.Client.CoreV1.DeleteNamespacedPodAsync("web", "default");

        await _cluster.WaitUntilGoneAsync("web");
    }

    [Test]
    public async Task FailingContainer_WithRestartNever_PodFailsWithExitCode()
    {
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("job", "Never", "exit", "3"), "default");

        var failed = await _cluster.WaitForPodAsync("job", p => p.Status?.Phase == "Failed");

        Assert.That(failed.Status.ContainerStatuses.Single().State.Terminated.ExitCode, Is.EqualTo(3));
        Assert.That(failed.Status.ContainerStatuses.Single().State.Terminated.Reason, Is.EqualTo("Error"));
    }

    [Test]
    public async Task MissingConfigMapKey_ShowsCreateContainerConfigError()
    {
        var pod = Pod("cfg", "Always", "sleep", "3600");
        pod.Spec.Containers[0].Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "absent", Key = "k" } } }];
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, "default");

        var waiting = await _cluster.WaitForPodAsync("cfg", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "CreateContainerConfigError");

        Assert.That(waiting.Status.ContainerStatuses[0].State.Waiting.Message, Does.Contain("configmap \"absent\" not found"));
    }

    [Test]
    public async Task FailingReadinessProbe_KeepsThePodRunningButNotReady()
    {
        var pod = Pod("unready", "Always", "sleep", "3600");
        pod.Spec.Containers[0].ReadinessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["false"] }, PeriodSeconds = 1 };
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, "default");

        var running = await _cluster.WaitForPodAsync("unready", p => p.Status?.Phase == "Running" && p.Status.ContainerStatuses?.FirstOrDefault()?.State?.Running is not null);
        await Task.Delay(1500);
        var later = await _cluster.Client.CoreV1.ReadNamespacedPodAsync("unready", "default");

        Assert.That(running.Status.ContainerStatuses[0].Ready, Is.False);
        Assert.That(later.Status.ContainerStatuses[0].Ready, Is.False);
        Assert.That(later.Status.Conditions.Single(c => c.Type == "Ready").Status, Is.EqualTo("False"));
    }

    [Test]
    public async Task ConfigMapCreatedAfterThePod_ContainerStartsWithItsValue()
    {
        var pod = Pod("late", "Always", "sleep", "3600");
        pod.Spec.Containers[0].Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "late-settings", Key = "k" } } }];
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, "default");
        await _cluster.WaitForPodAsync("late", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "CreateContainerConfigError");

        await _cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "late-settings" }, Data = new Dictionary<string, string> { ["k"] = "v" } }, "default");

        await _cluster.WaitForPodAsync("late", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Running is not null);
    }

    [Test]
    public async Task RunningContainerStops_NoticedByTheRelistAndBackedOff()
    {
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("crash", "Always", "sleep", "3600"), "default");
        var running = await _cluster.WaitForPodAsync("crash", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Running is not null);
        var id = running.Status.ContainerStatuses[0].ContainerID["docker://".Length..];

        await _cluster.Runtime.StopContainerAsync(id, TimeSpan.Zero, CancellationToken.None);

        // Within a relist or two, not on the slow resync: back-off before the restart, the exit in lastState.
        var died = await _cluster.WaitForPodAsync("crash", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "CrashLoopBackOff");
        Assert.That(died.Status.ContainerStatuses[0].LastState.Terminated.ExitCode, Is.EqualTo(137));
    }

    private static V1Pod Pod(string name, string restartPolicy, params string[] command) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = "node1",
            RestartPolicy = restartPolicy,
            TerminationGracePeriodSeconds = 1,
            Containers = [new V1Container { Name = "main", Image = "mkube.local/busybox:1", Command = command }],
        },
    };

    private async Task<IList<Corev1Event>> WaitForEventsAsync(string pod, int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var events = (await _cluster.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={pod}")).Items;
            if (events.Count >= atLeast || DateTime.UtcNow > deadline)
            {
                return events;
            }
            await Task.Delay(100);
        }
    }
}
