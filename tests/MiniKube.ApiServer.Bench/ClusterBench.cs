using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace MiniKube.ApiServer.Bench;

/// <summary>
/// Issue 6's figures, on the published binary:
/// 1. scheduler throughput: 1,000 Node objects without kubelets (as scheduler_perf) and 10,000
///    pods created by 64 clients; pods/s from the first create to the last binding seen through
///    a watch, and the server's RSS holding the 10,000 pods;
/// 2. a 3,000-replica Deployment on 100 simulated nodes: apply → every pod Running as seen
///    through a watch, and each pod's startup (created → Running) p50/p99.
/// </summary>
internal static class ClusterBench
{
    private const int Nodes = 1000;
    private const int Pods = 10_000;
    private const int SimulatedNodes = 100;
    private const int Replicas = 3000;

    public static async Task RunAsync(string binary, string work)
    {
        var results = new Dictionary<string, string>();
        await SchedulerThroughputAsync(binary, Path.Combine(work, "scheduler"), results);
        await DeploymentAsync(binary, Path.Combine(work, "deployment"), results);
        Console.WriteLine("| cluster workload (2-core VM, published binary) | result | goal |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| scheduler throughput, {Nodes:N0} nodes, {Pods:N0} pods | {results["throughput"]} | ≥ 500 pods/s |");
        Console.WriteLine($"| server RSS holding {Pods:N0} bound pods ({Nodes:N0} nodes) | {results["rss 10k"]} | ≤ 600 MB |");
        Console.WriteLine($"| {Replicas:N0}-replica Deployment on {SimulatedNodes} simulated nodes: apply → all Running | {results["deployment total"]} | |");
        Console.WriteLine($"| pod startup (created → Running) p50 / p99 | {results["startup"]} | p99 ≤ 5 s |");
        Console.WriteLine($"| server RSS with {Replicas:N0} running pods and {SimulatedNodes} simulated kubelets | {results["rss deployment"]} | |");
    }

    private static async Task SchedulerThroughputAsync(string binary, string dataDir, Dictionary<string, string> results)
    {
        // No kubelets and no controller manager: the node lifecycle controller would mark these
        // lease-less nodes unreachable, and nothing here needs a controller.
        await using var server = await MkubeServer.StartAsync(binary, dataDir, null, "--disable-agent", "--disable-controller-manager");
        var http = server.Client;
        Console.Error.WriteLine($"creating {Nodes} nodes");
        await ParallelAsync(Nodes, 32, async i =>
        {
            var name = "node-" + i.ToString("D4", CultureInfo.InvariantCulture);
            await PostAsync(http, new Uri(server.Address, "/api/v1/nodes"), $$$$"""{"apiVersion":"v1","kind":"Node","metadata":{"name":"{{{{name}}}}","labels":{"kubernetes.io/hostname":"{{{{name}}}}"}}}""");
            var status = $$$$"""{"status":{"capacity":{"cpu":"32","memory":"64Gi","pods":"110"},"allocatable":{"cpu":"32","memory":"64Gi","pods":"110"},"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","message":"bench","lastHeartbeatTime":"{{{{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}}}}","lastTransitionTime":"{{{{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}}}}"}]}}""";
            using var patch = new StringContent(status, Encoding.UTF8, "application/merge-patch+json");
            (await http.PatchAsync(new Uri(server.Address, $"/api/v1/nodes/{name}/status"), patch)).EnsureSuccessStatusCode();
        });
        await PostAsync(http, new Uri(server.Address, "/api/v1/namespaces"), """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"sched"}}""");
        // No controller manager: the default ServiceAccount pods need is made here.
        await PostAsync(http, new Uri(server.Address, "/api/v1/namespaces/sched/serviceaccounts"), """{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default"}}""");
        await Task.Delay(TimeSpan.FromSeconds(3)); // the scheduler's node informer catches up

        var bound = new ConcurrentDictionary<string, bool>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        using var watchResponse = await http.GetAsync(new Uri(server.Address, "/api/v1/namespaces/sched/pods?watch=true"), HttpCompletionOption.ResponseHeadersRead, stop.Token);
        var reader = new StreamReader(await watchResponse.Content.ReadAsStreamAsync(stop.Token));
        long lastBound = 0;
        var watching = Task.Run(async () =>
        {
            while (bound.Count < Pods && await reader.ReadLineAsync(stop.Token) is { } line)
            {
                using var ev = JsonDocument.Parse(line);
                var pod = ev.RootElement.GetProperty("object");
                if (pod.GetProperty("spec").TryGetProperty("nodeName", out var node) && node.GetString() is { Length: > 0 }
                    && bound.TryAdd(pod.GetProperty("metadata").GetProperty("name").GetString()!, true))
                {
                    lastBound = Stopwatch.GetTimestamp();
                }
            }
        }, stop.Token);

        Console.Error.WriteLine($"creating {Pods} pods");
        var started = Stopwatch.GetTimestamp();
        await ParallelAsync(Pods, 64, i => PostAsync(http, new Uri(server.Address, "/api/v1/namespaces/sched/pods"),
            $$$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p-{{{{i}}}}"},"spec":{"containers":[{"name":"c","image":"mkube.local/busybox:1","resources":{"requests":{"cpu":"100m","memory":"64Mi"}}}]}}"""));
        var created = Stopwatch.GetElapsedTime(started);
        await watching;
        var total = Stopwatch.GetElapsedTime(started, lastBound);
        results["throughput"] = $"{Pods / total.TotalSeconds:F0} pods/s ({Pods:N0} bound in {total.TotalSeconds:F1} s; creating them took {created.TotalSeconds:F1} s)";
        await Task.Delay(TimeSpan.FromSeconds(5));
        results["rss 10k"] = $"{server.RssBytes() / 1048576.0:F0} MB";
        Console.Error.WriteLine($"  {results["throughput"]}, RSS {results["rss 10k"]}");
    }

    private static async Task DeploymentAsync(string binary, string dataDir, Dictionary<string, string> results)
    {
        await using var server = await MkubeServer.StartAsync(binary, dataDir, null, "--disable-agent", "--simulate-nodes", SimulatedNodes.ToString(CultureInfo.InvariantCulture));
        var http = server.Client;
        await WaitForReadyNodesAsync(server, SimulatedNodes);
        await PostAsync(http, new Uri(server.Address, "/api/v1/namespaces"), """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"big"}}""");

        var createdAt = new ConcurrentDictionary<string, DateTimeOffset>();
        var startup = new ConcurrentDictionary<string, double>();
        long lastRunning = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        using var watchResponse = await http.GetAsync(new Uri(server.Address, "/api/v1/namespaces/big/pods?watch=true"), HttpCompletionOption.ResponseHeadersRead, stop.Token);
        var reader = new StreamReader(await watchResponse.Content.ReadAsStreamAsync(stop.Token));
        var watching = Task.Run(async () =>
        {
            while (startup.Count < Replicas && await reader.ReadLineAsync(stop.Token) is { } line)
            {
                var now = DateTimeOffset.UtcNow;
                using var ev = JsonDocument.Parse(line);
                var pod = ev.RootElement.GetProperty("object");
                var name = pod.GetProperty("metadata").GetProperty("name").GetString()!;
                createdAt.TryAdd(name, now); // first sight of the pod: its ADDED event
                if (pod.TryGetProperty("status", out var status) && status.TryGetProperty("phase", out var phase) && phase.GetString() == "Running"
                    && startup.TryAdd(name, (now - createdAt[name]).TotalMilliseconds))
                {
                    lastRunning = Stopwatch.GetTimestamp();
                }
            }
        }, stop.Token);

        var applied = Stopwatch.GetTimestamp();
        await PostAsync(http, new Uri(server.Address, "/apis/apps/v1/namespaces/big/deployments"),
            $$$$$"""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"big"},"spec":{"replicas":{{{{{Replicas}}}}},"selector":{"matchLabels":{"app":"big"}},"template":{"metadata":{"labels":{"app":"big"}},"spec":{"containers":[{"name":"c","image":"mkube.local/busybox:1","resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}}}""");
        try
        {
            await watching;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"  gave up: {startup.Count} of {Replicas} pods Running after 15 minutes");
        }
        var total = Stopwatch.GetElapsedTime(applied, lastRunning);
        var sorted = startup.Values.ToList();
        results["deployment total"] = startup.Count == Replicas ? $"{total.TotalSeconds:F1} s" : $"incomplete: {startup.Count} Running";
        results["startup"] = $"{ApiWorkloads.Percentile(sorted, 50) / 1000:F2} / {ApiWorkloads.Percentile(sorted, 99) / 1000:F2} s";
        results["rss deployment"] = $"{server.RssBytes() / 1048576.0:F0} MB";
        Console.Error.WriteLine($"  deployment {results["deployment total"]}, startup {results["startup"]}, RSS {results["rss deployment"]}");
    }

    internal static async Task WaitForReadyNodesAsync(MkubeServer server, int count)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var nodes = await server.Client.GetStringAsync(new Uri(server.Address, "/api/v1/nodes"));
            if (CountOccurrences(nodes, "\"KubeletReady\"") >= count)
            {
                return;
            }
            await Task.Delay(500);
        }
        throw new InvalidOperationException($"{count} simulated nodes did not become Ready");
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    internal static async Task PostAsync(HttpClient http, Uri uri, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(uri, content);
        if (response.StatusCode != HttpStatusCode.Created && response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"POST {uri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task ParallelAsync(int count, int workers, Func<int, Task> work)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await work(i);
            }
        })));
    }
}
