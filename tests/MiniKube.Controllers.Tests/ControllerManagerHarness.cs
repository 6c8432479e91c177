using MiniKube.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace MiniKube.Controllers.Tests;

/// <summary>
/// An in-process API server with a <see cref="ControllerManager"/> running only the named
/// controllers of the catalog, for integration tests; no kubelets and no scheduler, so tests
/// patch pod status themselves as a kubelet would.
/// </summary>
internal sealed class ControllerManagerHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TestApiServer _server;
    private readonly Task _manager;

    private ControllerManagerHarness(TestApiServer server, Kubernetes client, ControllerManager manager)
    {
        _server = server;
        Client = client;
        _manager = manager.RunAsync(_stop.Token);
    }

    public Kubernetes Client { get; }

    public static async Task<ControllerManagerHarness> StartAsync(IReadOnlyCollection<string> controllers, TimeProvider? time = null)
    {
        var server = await TestApiServer.StartAsync();
        var client = server.Client();
        var disabled = ControllerCatalog.All.Select(c => c.Name).Where(n => !controllers.Contains(n)).ToHashSet();
        var manager = new ControllerManager(client, new ControllerManagerOptions { Disabled = disabled, Time = time ?? TimeProvider.System }, NullLoggerFactory.Instance);
        return new ControllerManagerHarness(server, client, manager);
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds (a missing object reads as null), or fails the test after 20 s.</summary>
    public async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T?, bool> done, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        T? last = null;
        while (DateTime.UtcNow < deadline)
        {
            await ThrowIfStoppedAsync();
            try
            {
                last = await read();
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                last = null;
            }
            if (done(last))
            {
                return last!;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"timed out waiting for {what}; last seen: {(last is null ? "nothing" : KubernetesJson.Serialize(last))}");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Waits until reading the object answers 404.</summary>
    public async Task EventuallyGoneAsync(Func<Task<object>> read, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            await ThrowIfStoppedAsync();
            try
            {
                await read();
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"timed out waiting for {what} to be gone");
    }

    /// <summary>A controller manager that stopped (one of its loops failed) fails the test with its error.</summary>
    private async Task ThrowIfStoppedAsync()
    {
        if (_manager.IsCompleted)
        {
            await _manager;
            Assert.Fail("the controller manager stopped");
        }
    }

    /// <summary>A minimal pod (one busybox container) with labels, optionally owned.</summary>
    public static V1Pod Pod(string name, IDictionary<string, string>? labels = null, IList<V1OwnerReference>? owners = null, IList<V1ContainerPort>? ports = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels, OwnerReferences = owners },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox", Ports = ports }] },
    };

    /// <summary>What a kubelet reports for a running pod: its IP and Ready condition.</summary>
    public Task<V1Pod> ReportPodAsync(string ns, string name, string ip, bool ready) =>
        Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(KubernetesJson.Serialize(new
        {
            status = new
            {
                phase = "Running",
                podIP = ip,
                podIPs = new[] { new { ip } },
                conditions = new[] { new { type = "Ready", status = ready ? "True" : "False", lastTransitionTime = DateTime.UtcNow } },
            },
        }), V1Patch.PatchType.MergePatch), name, ns);

    /// <summary>
    /// A DELETE by path whose answer is not read: our API server answers some deletes with a
    /// Status where the generated client expects the object (Services).
    /// </summary>
    public async Task DeleteAsync(string path)
    {
        using var response = await Client.HttpClient.DeleteAsync(new Uri(Client.BaseUri, path));
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _manager.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        Client.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }
}
