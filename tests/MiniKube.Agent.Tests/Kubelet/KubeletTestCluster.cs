using MiniKube.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Kubelet;
using MiniKube.Agent.Runtime;
using MiniKube.Agent.Runtime.Simulated;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>
/// One test's cluster for the kubelet integration tests: an in-process API server in its own temp
/// dir, an admin client for it, and a kubelet for node <see cref="NodeName"/> on the simulated
/// runtime, started when the test asks (static pod tests write manifests first). Disposing stops
/// the kubelet before the API server and deletes the directory. Waits poll the API in the
/// "default" namespace for at most 20 s.
/// </summary>
internal sealed class KubeletTestCluster : IAsyncDisposable
{
    public const string NodeName = "node1";

    /// <summary>A documentation address (RFC 5737): nothing dials it, which is all most tests need.</summary>
    public const string UnreachableNodeIp = "192.0.2.10";

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    private CancellationTokenSource _stop = new();
    private Task? _kubelet;

    private KubeletTestCluster(TestApiServer server)
    {
        Server = server;
        Client = server.Client();
    }

    public TestApiServer Server { get; }

    public Kubernetes Client { get; }

    /// <summary>The simulated runtime; a port-forward to any pod's port P reaches P on loopback, where a test may listen.</summary>
    public SimulatedRuntime Runtime { get; } = new(TimeProvider.System) { PortForwardAddress = System.Net.IPAddress.Loopback };

    /// <summary>Starts the API server only; call <see cref="StartKubeletAsync"/> to add the node.</summary>
    public static async Task<KubeletTestCluster> StartAsync(TestApiServerExtras? extras = null) => new(await TestApiServer.StartAsync(extras: extras));

    /// <summary>Runs the kubelet until disposal, by default against <see cref="Client"/> and until it is ready.</summary>
    /// <param name="nodeIp">Loopback when the API server must reach the kubelet (exec, attach).</param>
    /// <param name="staticPodsDirectory">Where static pod manifests are read, rescanned every 200 ms (null: none).</param>
    /// <param name="client">Another client, e.g. one for an API server that is not there.</param>
    /// <param name="logs">Where the kubelet logs (default: nowhere).</param>
    /// <param name="waitUntilReady">False where the kubelet cannot register.</param>
    /// <param name="runtime">Another runtime, e.g. one wrapping <see cref="Runtime"/> to count calls.</param>
    /// <param name="localStateDirectory">Where the kubelet keeps its local copy for offline starts (null: none).</param>
    public async Task StartKubeletAsync(string nodeIp = UnreachableNodeIp, string? staticPodsDirectory = null, IKubernetes? client = null, ILoggerFactory? logs = null, bool waitUntilReady = true, IContainerRuntime? runtime = null, string? localStateDirectory = null)
    {
        var kubelet = new MiniKube.Agent.Kubelet.Kubelet(client ?? Client, runtime ?? Runtime, new KubeletOptions
        {
            NodeName = NodeName,
            NodeIp = nodeIp,
            PodsDirectory = Path.Combine(Server.Directory, "pods"),
            LocalStateDirectory = localStateDirectory,
            StaticPodsDirectory = staticPodsDirectory,
            StaticPodsRescanInterval = TimeSpan.FromMilliseconds(200),
            RelistInterval = TimeSpan.FromMilliseconds(200),
            ClientCa = Server.Pki.Ca,
            ServerPort = 0,
        }, logs ?? NullLoggerFactory.Instance);
        _kubelet = kubelet.RunAsync(_stop.Token);
        if (waitUntilReady)
        {
            await kubelet.Ready.Task.WaitAsync(WaitLimit);
        }
    }

    /// <summary>Stops the kubelet (its pods' containers stay in <see cref="Runtime"/>, as Docker's outlive an agent); another may be started.</summary>
    public async Task StopKubeletAsync()
    {
        await _stop.CancelAsync();
        if (_kubelet is not null)
        {
            await _kubelet.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
        _stop = new CancellationTokenSource();
        _kubelet = null;
    }

    /// <summary>A client of the API server through another loopback port (a relay in front of it).</summary>
    public Kubernetes ClientThrough(int port)
    {
        var config = k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(Server.KubeconfigPath);
        config.Host = new UriBuilder(config.Host) { Port = port }.Uri.ToString();
        return new Kubernetes(config);
    }

    /// <summary>Creates a one-container pod bound to <see cref="NodeName"/> in "default" and waits until it runs.</summary>
    public async Task<V1Pod> RunPodAsync(string name, IDictionary<string, string>? labels = null)
    {
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels },
            Spec = new V1PodSpec { NodeName = NodeName, Containers = [new V1Container { Name = "main", Image = "mkube.local/busybox:1" }] },
        }, "default");
        return await WaitForPodAsync(name, p => p.Status?.Phase == "Running");
    }

    /// <summary>The pod once it meets the condition; a pod not there yet is waited for too.</summary>
    public async Task<V1Pod> WaitForPodAsync(string name, Func<V1Pod, bool> condition)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        V1Pod? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await ReadPodOrNullAsync(name);
            if (last is not null && condition(last))
            {
                return last;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"pod {name} never got there; last seen: {(last is null ? "none" : KubernetesJson.Serialize(last))}");
        return null!;
    }

    public Task WaitUntilGoneAsync(string name) =>
        WaitUntilAsync(async () => await ReadPodOrNullAsync(name) is null, $"pod {name} was not deleted by the kubelet");

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail(failure);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_kubelet is not null)
        {
            await _kubelet.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
        Client.Dispose();
        await Server.DisposeAsync();
        Server.DeleteDirectory();
    }

    private async Task<V1Pod?> ReadPodOrNullAsync(string name)
    {
        try
        {
            return await Client.CoreV1.ReadNamespacedPodAsync(name, "default");
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode == 404)
        {
            return null;
        }
    }
}
