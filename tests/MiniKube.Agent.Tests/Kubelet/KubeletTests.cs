using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Kubelet;
using MiniKube.Agent.Runtime.Simulated;
using MiniKube.ApiServer.Tests.Integration;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>The kubelet with the simulated runtime against an in-process API server.</summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeletTests
{
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;
    private CancellationTokenSource _stop = null!;
    private Task _kubelet = null!;

    [SetUp]
    public async Task SetUp()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.Client();
        _stop = new CancellationTokenSource();
        var kubelet = new MiniKube.Agent.Kubelet.Kubelet(_client, new SimulatedRuntime(TimeProvider.System), new KubeletOptions
        {
            NodeName = "node1",
            NodeIp = "192.0.2.10",
            PodsDirectory = Path.Combine(_server.Directory, "pods"),
            ResyncInterval = TimeSpan.FromMilliseconds(200),
            ClientCa = _server.Pki.Ca,
            ServerPort = 0,
        }, NullLoggerFactory.Instance);
        _kubelet = kubelet.RunAsync(_stop.Token);
        await kubelet.Ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [TearDown]
    public async Task TearDown()
    {
        await _stop.CancelAsync();
        await _kubelet.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }

    [Test]
    public async Task Register_NodeIsReadyWithCapacityAndLease()
    {
        var node = await _client.CoreV1.ReadNodeAsync("node1");
        var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync("node1", "kube-node-lease");

        Assert.That(node.Status.Conditions.Single(c => c.Type == "Ready").Status, Is.EqualTo("True"));
        Assert.That(node.Metadata.Labels["kubernetes.io/hostname"], Is.EqualTo("node1"));
        Assert.That(node.Status.Capacity["pods"].ToString(), Is.EqualTo("110"));
        Assert.That(node.Status.Addresses.Single(a => a.Type == "InternalIP").Address, Is.EqualTo("192.0.2.10"));
        Assert.That(lease.Spec.HolderIdentity, Is.EqualTo("node1"));
    }

    [Test]
    public async Task BoundPod_RunsAndReportsStatus_ThenGracefulDeleteRemovesIt()
    {
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("web", "Always", "sleep", "3600"), "default");

        var running = await WaitForPodAsync("web", p => p.Status?.Phase == "Running" && p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
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

        await _client.CoreV1.DeleteNamespacedPodAsync("web", "default");

        await WaitUntilGoneAsync("web");
    }

    [Test]
    public async Task FailingContainer_WithRestartNever_PodFailsWithExitCode()
    {
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("job", "Never", "exit", "3"), "default");

        var failed = await WaitForPodAsync("job", p => p.Status?.Phase == "Failed");

        Assert.That(failed.Status.ContainerStatuses.Single().State.Terminated.ExitCode, Is.EqualTo(3));
        Assert.That(failed.Status.ContainerStatuses.Single().State.Terminated.Reason, Is.EqualTo("Error"));
    }

    [Test]
    public async Task MissingConfigMapKey_ShowsCreateContainerConfigError()
    {
        var pod = Pod("cfg", "Always", "sleep", "3600");
        pod.Spec.Containers[0].Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "absent", Key = "k" } } }];
        await _client.CoreV1.CreateNamespacedPodAsync(pod, "default");

        var waiting = await WaitForPodAsync("cfg", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "CreateContainerConfigError");

        Assert.That(waiting.Status.ContainerStatuses[0].State.Waiting.Message, Does.Contain("configmap \"absent\" not found"));
    }

    [Test]
    public async Task FailingReadinessProbe_KeepsThePodRunningButNotReady()
    {
        var pod = Pod("unready", "Always", "sleep", "3600");
        pod.Spec.Containers[0].ReadinessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["false"] }, PeriodSeconds = 1 };
        await _client.CoreV1.CreateNamespacedPodAsync(pod, "default");

        var running = await WaitForPodAsync("unready", p => p.Status?.Phase == "Running" && p.Status.ContainerStatuses?.FirstOrDefault()?.State?.Running is not null);
        await Task.Delay(1500);
        var later = await _client.CoreV1.ReadNamespacedPodAsync("unready", "default");

        Assert.That(running.Status.ContainerStatuses[0].Ready, Is.False);
        Assert.That(later.Status.ContainerStatuses[0].Ready, Is.False);
        Assert.That(later.Status.Conditions.Single(c => c.Type == "Ready").Status, Is.EqualTo("False"));
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

    private async Task<V1Pod> WaitForPodAsync(string name, Func<V1Pod, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var pod = await _client.CoreV1.ReadNamespacedPodAsync(name, "default");
            if (condition(pod))
            {
                return pod;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"pod {name} never got there; last status: {KubernetesJson.Serialize(pod.Status)}");
            }
            await Task.Delay(100);
        }
    }

    private async Task<IList<Corev1Event>> WaitForEventsAsync(string pod, int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var events = (await _client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={pod}")).Items;
            if (events.Count >= atLeast || DateTime.UtcNow > deadline)
            {
                return events;
            }
            await Task.Delay(100);
        }
    }

    private async Task WaitUntilGoneAsync(string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await _client.CoreV1.ReadNamespacedPodAsync(name, "default");
            }
            catch (HttpOperationException e) when ((int)e.Response.StatusCode == 404)
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"pod {name} was not deleted by the kubelet");
    }
}
