using MiniKube.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace MiniKube.Controllers.Tests.Common;

/// <summary>
/// An in-process API server with the named controllers of <see cref="ControllerCatalog"/> running
/// against it (no scheduler, no kubelets: tests play their part by writing pods/status).
/// </summary>
internal sealed class ClusterHarness : IAsyncDisposable
{
    private readonly TestApiServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _manager;

    private ClusterHarness(TestApiServer server, IReadOnlySet<string> controllers, TimeProvider time)
    {
        _server = server;
        Client = server.Client();
        var disabled = ControllerCatalog.All.Select(e => e.Name).Where(n => !controllers.Contains(n)).ToHashSet();
        var manager = new ControllerManager(Client, new ControllerManagerOptions { Disabled = disabled, Time = time }, NullLoggerFactory.Instance);
        _manager = manager.RunAsync(_stop.Token);
    }

    public Kubernetes Client { get; }

    public string KubeconfigPath => _server.KubeconfigPath;

    public static Task<ClusterHarness> StartAsync(params string[] controllers) => StartAsync(TimeProvider.System, controllers);

    /// <summary>Runs <paramref name="controllers"/> on <paramref name="time"/> (a fake clock lets a test move schedules along).</summary>
    public static async Task<ClusterHarness> StartAsync(TimeProvider time, params string[] controllers)
    {
        var server = await TestApiServer.StartAsync();
        var harness = new ClusterHarness(server, controllers.ToHashSet(), time);
        await harness.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = TestObjects.Namespace } });
        return harness;
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value, or fails the test after <paramref name="timeout"/> (default 20 s).</summary>
    public async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_manager.IsFaulted)
            {
                await _manager;
            }
            if (await probe() is { } value)
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                var events = await Client.CoreV1.ListNamespacedEventAsync(TestObjects.Namespace);
                Assert.Fail($"timed out waiting for {what}; events: {string.Join("; ", events.Items.Select(e => $"{e.Reason}: {e.Message}"))}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>The pods of namespace "ns" matching <paramref name="labelSelector"/>.</summary>
    public async Task<IList<V1Pod>> PodsAsync(string labelSelector) =>
        (await Client.CoreV1.ListNamespacedPodAsync(TestObjects.Namespace, labelSelector: labelSelector)).Items;

    /// <summary>Acts as a kubelet: sets the pod's phase (and Ready when Running and <paramref name="ready"/>).</summary>
    public async Task SetPhaseAsync(V1Pod pod, string phase, bool ready = true)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var now = DateTime.UtcNow;
        var status = new V1PodStatus
        {
            Phase = phase,
            Conditions = [new V1PodCondition { Type = "Ready", Status = phase == "Running" && ready ? "True" : "False", LastTransitionTime = now }],
        };
        var patch = new V1Patch(KubernetesJson.Serialize(new { status }), V1Patch.PatchType.MergePatch);
        await Client.CoreV1.PatchNamespacedPodStatusAsync(patch, pod.Metadata.Name, pod.Metadata.NamespaceProperty);
    }

    /// <summary>Acts as a kubelet for every pod matching <paramref name="labelSelector"/> that has not started: Running and Ready.</summary>
    public async Task StartPendingPodsAsync(string labelSelector)
    {
        foreach (var pod in (await PodsAsync(labelSelector)).Where(p => p.Status?.Phase is null or "Pending" && p.Metadata.DeletionTimestamp is null))
        {
            await SetPhaseAsync(pod, "Running");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _manager.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Client.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
        _stop.Dispose();
    }
}
