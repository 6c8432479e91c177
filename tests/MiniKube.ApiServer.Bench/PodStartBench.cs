using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace MiniKube.ApiServer.Bench;

/// <summary>
/// Issue 5's pod start latency: 30 pods bound to the server's own node (image present), created
/// at once; each one's latency runs from just before its POST to the watch event that first shows
/// it Running with its container running. Also the server's RSS while idle with its kubelet.
/// On a small VM the floor is Docker's: it sets up each sandbox's network one at a time.
/// </summary>
internal static class PodStartBench
{
    public const int PodCount = 30;

    public static async Task RunAsync(string binary, string work)
    {
        var node = "bench-node";
        await using var server = await MkubeServer.StartAsync(binary, Path.Combine(work, "pods"), null, "--node-name", node, "--kubelet-port", "0");
        var http = server.Client;
        await WaitForNodeReadyAsync(server, node);
        await Task.Delay(TimeSpan.FromSeconds(10));
        var idleRss = server.RssBytes() / 1048576.0;
        using (var ns = new StringContent("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"podstart\"}}", Encoding.UTF8, "application/json"))
        {
            (await http.PostAsync(new Uri(server.Address, "/api/v1/namespaces"), ns)).EnsureSuccessStatusCode();
        }
        var sentAt = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentDictionary<string, double>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var watchResponse = await http.GetAsync(new Uri(server.Address, "/api/v1/namespaces/podstart/pods?watch=true"), HttpCompletionOption.ResponseHeadersRead, stop.Token);
        var reader = new StreamReader(await watchResponse.Content.ReadAsStreamAsync(stop.Token));
        var watching = Task.Run(async () =>
        {
            while (latencies.Count < PodCount && await reader.ReadLineAsync(stop.Token) is { } line)
            {
                var now = Stopwatch.GetTimestamp();
                using var ev = JsonDocument.Parse(line);
                var pod = ev.RootElement.GetProperty("object");
                var name = pod.GetProperty("metadata").GetProperty("name").GetString()!;
                if (Running(pod) && sentAt.TryGetValue(name, out var sent))
                {
                    latencies.TryAdd(name, Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                }
            }
        }, stop.Token);
        await Task.WhenAll(Enumerable.Range(0, PodCount).Select(i => Task.Run(async () =>
        {
            var name = "start-" + i.ToString(CultureInfo.InvariantCulture);
            var body = $"{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"{name}\"}},\"spec\":{{\"nodeName\":\"{node}\",\"terminationGracePeriodSeconds\":1,\"containers\":[{{\"name\":\"main\",\"image\":\"mkube.local/busybox:1\",\"imagePullPolicy\":\"Never\",\"command\":[\"sleep\",\"3600\"]}}]}}}}";
            sentAt[name] = Stopwatch.GetTimestamp();
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(server.Address, "/api/v1/namespaces/podstart/pods"), content);
            response.EnsureSuccessStatusCode();
        })));
        await watching;
        var sorted = latencies.Values.ToList();
        var busyRss = server.RssBytes() / 1048576.0;
        // Leave no containers behind: wait until the kubelet has stopped every pod.
        await http.DeleteAsync(new Uri(server.Address, "/api/v1/namespaces/podstart"));
        for (var wait = 0; wait < 120; wait++)
        {
            using var left = await http.GetAsync(new Uri(server.Address, "/api/v1/namespaces/podstart/pods"));
            if (!(await left.Content.ReadAsStringAsync()).Contains("\"start-", StringComparison.Ordinal))
            {
                break;
            }
            await Task.Delay(500);
        }
        Console.WriteLine("| pod start, 30 pods bound at once to one node (image present) | result | goal |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| bound → Running, p50 / p99 | {ApiWorkloads.Percentile(sorted, 50) / 1000:F2} / {ApiWorkloads.Percentile(sorted, 99) / 1000:F2} s | p99 ≤ 3 s |");
        Console.WriteLine($"| RSS of mkube server with its kubelet, idle / with 30 pods | {idleRss:F0} / {busyRss:F0} MB | agent alone ≤ 60 MB (no standalone agent yet) |");
    }

    private static bool Running(JsonElement pod) =>
        pod.TryGetProperty("status", out var status)
        && status.TryGetProperty("phase", out var phase) && phase.GetString() == "Running"
        && status.TryGetProperty("containerStatuses", out var containers)
        && containers.EnumerateArray().All(c => c.TryGetProperty("state", out var state) && state.TryGetProperty("running", out _));

    private static async Task WaitForNodeReadyAsync(MkubeServer server, string node)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await server.Client.GetAsync(new Uri(server.Address, $"/api/v1/nodes/{node}"));
            if (response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsStringAsync()).Contains("\"KubeletReady\"", StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(200);
        }
        throw new InvalidOperationException($"node {node} did not become Ready");
    }
}
