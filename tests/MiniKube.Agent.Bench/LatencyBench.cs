using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Network;
using MiniKube.Agent.NetworkPolicy;
using MiniKube.Testing;

namespace MiniKube.Agent.Bench;

/// <summary>
/// (b) From a NetworkPolicy write to the API server to the kernel enforcing it, with 1,000
/// policies in force: an in-process API server holding the workload, the node's
/// <see cref="NetworkPolicyController"/> as the agent runs it (its own informers over HTTP), and
/// three pods that are real network namespaces. A default-deny policy on the server pod, then
/// an allow for the client, then both removed, several times; each step is timed from the
/// start of the API call until a real TCP connection from the client pod to the server pod
/// (probed every 20 ms) is refused or accepted as the step requires. The policies are the
/// workload's worst case for sets (no two rules share one).
/// </summary>
internal static class LatencyBench
{
    private const int ServerPort = 8080;

    public static async Task<(List<double> Deny, List<double> Allow)> RunAsync(string podPrefix, int rounds = 5)
    {
        await using var pods = new PodNamespaces(podPrefix);
        var client = await pods.AddAsync("client", 1);
        var server = await pods.AddAsync("server", 2);
        var other = await pods.AddAsync("other", 3);
        using var stopServing = new CancellationTokenSource();
        var serving = pods.ServeAsync("server", ServerPort, stopServing.Token);
        var target = new IPEndPoint(server, ServerPort);
        if (!await WaitAsync(() => pods.ConnectsAsync("client", target), TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException("the client pod cannot reach the server pod before any policy");
        }

        await using var api = await TestApiServer.StartAsync();
        using var kube = api.Client();
        var clock = Stopwatch.StartNew();
        await LoadAsync(kube, client, server, other);
        Console.Error.WriteLine($"  API objects written in {clock.Elapsed.TotalSeconds:F0} s");
        var controller = new NetworkPolicyController(kube, HostCommands.Instance, new NetworkPolicyOptions { NodeName = NetpolWorkload.Node, Prefix = "MKL" }, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var running = controller.RunAsync(stop.Token);
        var (deny, allow) = (new List<double>(), new List<double>());
        try
        {
            await controller.FirstSync.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var denyAll = new V1NetworkPolicy { Metadata = new V1ObjectMeta { Name = "bench-deny" }, Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress"] } };
            var allowClient = new V1NetworkPolicy
            {
                Metadata = new V1ObjectMeta { Name = "bench-allow" },
                Spec = new V1NetworkPolicySpec
                {
                    PodSelector = new V1LabelSelector(),
                    Ingress = [new V1NetworkPolicyIngressRule
                    {
                        FromProperty = [new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["role"] = "client" } }, NamespaceSelector = new V1LabelSelector() }],
                        Ports = [new V1NetworkPolicyPort { Port = ServerPort, Protocol = "TCP" }],
                    }],
                },
            };
            for (var round = 0; round < rounds; round++)
            {
                deny.Add(await StepAsync(() => kube.NetworkingV1.CreateNamespacedNetworkPolicyAsync(denyAll, "web"), connects: false));
                allow.Add(await StepAsync(() => kube.NetworkingV1.CreateNamespacedNetworkPolicyAsync(allowClient, "web"), connects: true));
                deny.Add(await StepAsync(() => kube.NetworkingV1.DeleteNamespacedNetworkPolicyAsync("bench-allow", "web"), connects: false));
                allow.Add(await StepAsync(() => kube.NetworkingV1.DeleteNamespacedNetworkPolicyAsync("bench-deny", "web"), connects: true));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(30));
            await controller.TearDownAsync(CancellationToken.None);
            await stopServing.CancelAsync();
            await serving.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        return (deny, allow);

        async Task<double> StepAsync(Func<Task> write, bool connects)
        {
            // A quiet start: the last sync is over and the next may run at once (MinSyncInterval is 1 s).
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            var started = Stopwatch.StartNew();
            await write();
            if (!await WaitAsync(async () => await pods.ConnectsAsync("client", target) == connects, TimeSpan.FromSeconds(20)))
            {
                throw new InvalidOperationException($"the connection was not {(connects ? "allowed" : "denied")} within 20 s");
            }
            var elapsed = started.Elapsed.TotalMilliseconds;
            Console.Error.WriteLine($"  {(connects ? "allowed" : "denied")} after {elapsed:F0} ms");
            return elapsed;
        }
    }

    /// <summary>The workload's namespaces, pods (with their status) and policies, plus the three real pods, written through the API with a few requests in flight.</summary>
    private static async Task LoadAsync(Kubernetes kube, IPAddress client, IPAddress server, IPAddress other)
    {
        await ParallelAsync(NetpolWorkload.AllNamespaces(), n => kube.CoreV1.CreateNamespaceAsync(n));
        List<V1Pod> all =
        [
            .. NetpolWorkload.GeneratedPods(),
            NetpolWorkload.Pod("front", "client", client.ToString(), NetpolWorkload.Node, ("role", "client")),
            NetpolWorkload.Pod("web", "server", server.ToString(), NetpolWorkload.Node, ("app", "server")),
            NetpolWorkload.Pod("misc", "other", other.ToString(), NetpolWorkload.Node, ("role", "other")),
        ];
        await ParallelAsync(all, async pod =>
        {
            var status = pod.Status;
            var created = await kube.CoreV1.CreateNamespacedPodAsync(pod, pod.Namespace());
            var patch = new { status = new { phase = status.Phase, podIP = status.PodIP, podIPs = new[] { new { ip = status.PodIP } } } };
            await kube.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch), created.Name(), pod.Namespace());
        });
        await ParallelAsync(NetpolWorkload.Policies(distinctPeers: true), p => kube.NetworkingV1.CreateNamespacedNetworkPolicyAsync(p, p.Namespace()));
    }

    private static Task ParallelAsync<T>(IEnumerable<T> items, Func<T, Task> write) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (item, _) => await write(item));

    private static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(20);
        }
        return false;
    }
}
