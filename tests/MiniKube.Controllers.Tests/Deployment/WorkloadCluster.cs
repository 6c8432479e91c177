using MiniKube.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace MiniKube.Controllers.Tests.Deployment;

/// <summary>
/// An in-process API server with the controller manager running on it, for workload
/// integration tests. There is no kubelet: <see cref="MarkPodsReadyAsync"/> plays its part.
/// </summary>
internal sealed class WorkloadCluster : IAsyncDisposable
{
    private readonly TestApiServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _manager;

    private WorkloadCluster(TestApiServer server)
    {
        _server = server;
        Client = server.Client();
        _manager = new ControllerManager(Client, new ControllerManagerOptions(), NullLoggerFactory.Instance).RunAsync(_stop.Token);
    }

    public Kubernetes Client { get; }

    public static async Task<WorkloadCluster> StartAsync() => new(await TestApiServer.StartAsync());

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after the timeout.</summary>
    public async Task<T> WaitForAsync<T>(Func<Task<T?>> condition, string what, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (_manager.IsFaulted)
            {
                await _manager;
            }
            if (await condition() is { } result)
            {
                return result;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}");
            }
            await Task.Delay(50);
        }
    }

    public Task WaitForAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        WaitForAsync(async () => await condition() ? "" : null, what, timeout);

    /// <summary>The pods of the namespace that are not being deleted.</summary>
    public async Task<List<V1Pod>> ActivePodsAsync(string ns, string labelSelector) =>
        [.. (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labelSelector)).Items.Where(p => p.Metadata.DeletionTimestamp is null)];

    /// <summary>What a kubelet would report for running containers: phase Running, Ready=True.</summary>
    public async Task MarkPodsReadyAsync(string ns, string labelSelector)
    {
        foreach (var pod in await ActivePodsAsync(ns, labelSelector))
        {
            if (pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
            {
                continue;
            }
            var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            var patch = $$$"""{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"{{{now}}}"}]}}""";
            try
            {
                await Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), pod.Metadata.Name, ns);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // Deleted by a scale-down meanwhile.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _manager.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Client.Dispose();
        _stop.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }
}
