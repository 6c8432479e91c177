using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace MiniKube.ApiServer.Bench;

/// <summary>
/// Pod start against Docker's floor (issues 5 and 15): the published server with its own Docker
/// node; in each repetition 30 pods bound to it at once (image present), then one pod alone, each
/// timed from just before the first POST to the watch event that shows the last of them Running
/// with its container running; between them, the same containers started straight on Docker
/// (<see cref="DockerFloor"/>): 30 sandbox-plus-container pairs at once, then one. The order of
/// mkube and Docker alternates between repetitions, and each batch starts only once the one
/// before it is cleaned up, so neither is measured while Docker is still removing the other's
/// containers. Medians over the repetitions; also the server's RSS, idle and with 30 pods.
/// </summary>
internal static class PodStartBench
{
    public const int PodCount = 30;
    private const string Node = "bench-node";
    private const string Namespace = "podstart";
    private const string SandboxImage = "mkube.local/pause:1";
    private const string Image = "mkube.local/busybox:1";
    private static readonly string[] Command = ["sleep", "3600"];

    public static async Task RunAsync(string binary, string work)
    {
        var repetitions = int.TryParse(Environment.GetEnvironmentVariable("MKUBE_BENCH_REPETITIONS"), CultureInfo.InvariantCulture, out var r) && r > 0 ? r : 5;
        // MKUBE_BENCH_TRACE=1: the server logs at debug level, which includes each pod's start-up steps (slower; for finding where time goes, not for the ratios).
        string[] flags = Environment.GetEnvironmentVariable("MKUBE_BENCH_TRACE") == "1" ? ["--node-name", Node, "--kubelet-port", "0", "--debug"] : ["--node-name", Node, "--kubelet-port", "0"];
        await using var server = await MkubeServer.StartAsync(binary, Path.Combine(work, "pods"), null, flags);
        using var floor = new DockerFloor();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var http = server.Client;
        await WaitForNodeReadyAsync(server, Node);
        await Task.Delay(TimeSpan.FromSeconds(10));
        var idleRss = server.RssBytes() / 1048576.0;
        using (var ns = new StringContent($"{{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{{\"name\":\"{Namespace}\"}}}}", Encoding.UTF8, "application/json"))
        {
            (await http.PostAsync(new Uri(server.Address, "/api/v1/namespaces"), ns)).EnsureSuccessStatusCode();
        }

        // A warm-up of each (JIT, Docker's image and layer caches), not counted.
        await MkubeBatchAsync(server, 1, "warm", stop.Token);
        await floor.StartPodsAsync(1, SandboxImage, Image, Command, stop.Token);
        await floor.RemoveAllAsync(stop.Token);

        var ours30 = new List<double>();
        var docker30 = new List<double>();
        var ours1 = new List<double>();
        var docker1 = new List<double>();
        var latencies = new List<double>();
        var busyRss = 0.0;
        for (var rep = 0; rep < repetitions; rep++)
        {
            foreach (var count in new[] { PodCount, 1 })
            {
                var (ours, docker) = count == PodCount ? (ours30, docker30) : (ours1, docker1);
                for (var turn = 0; turn < 2; turn++)
                {
                    if ((turn + rep) % 2 == 0)
                    {
                        var batch = await MkubeBatchAsync(server, count, $"r{rep}-n{count}", stop.Token, () => busyRss = Math.Max(busyRss, server.RssBytes() / 1048576.0));
                        ours.Add(batch.Wall.TotalSeconds);
                        if (count == PodCount)
                        {
                            latencies.AddRange(batch.Latencies);
                        }
                    }
                    else
                    {
                        docker.Add((await floor.StartPodsAsync(count, SandboxImage, Image, Command, stop.Token)).TotalSeconds);
                        await floor.RemoveAllAsync(stop.Token);
                    }
                }
            }
            Console.Error.WriteLine($"  repetition {rep + 1}/{repetitions}: 30 pods mkube {ours30[^1]:F2} s, Docker {docker30[^1]:F2} s; one pod mkube {ours1[^1]:F2} s, Docker {docker1[^1]:F2} s");
        }

        Console.WriteLine($"| pod start on the server's Docker node (image present), median of {repetitions} | ours (mkube) | Docker's floor | ratio | goal | met? |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Row($"{PodCount} pods bound at once → all Running", Median(ours30), Median(docker30), 1.1);
        Row("one pod alone → Running", Median(ours1), Median(docker1), 1.2);
        Console.WriteLine();
        Console.WriteLine($"| pod start, {PodCount} pods bound at once, all repetitions | result | goal |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| bound → Running per pod, p50 / p99 | {ApiWorkloads.Percentile(latencies, 50) / 1000:F2} / {ApiWorkloads.Percentile(latencies, 99) / 1000:F2} s | p99 ≤ 3 s |");
        Console.WriteLine($"| each repetition, mkube / Docker (30 pods) | {string.Join(", ", ours30.Zip(docker30, (a, b) => $"{a:F1}/{b:F1}"))} s | |");
        Console.WriteLine($"| each repetition, mkube / Docker (one pod) | {string.Join(", ", ours1.Zip(docker1, (a, b) => $"{a:F2}/{b:F2}"))} s | |");
        Console.WriteLine($"| RSS of mkube server with its kubelet, idle / with 30 pods | {idleRss:F0} / {busyRss:F0} MB | |");
    }

    private static void Row(string what, double ours, double floor, double goal)
    {
        var ratio = ours / floor;
        Console.WriteLine($"| {what} | {ours:F2} s | {floor:F2} s | {ratio:F2}× | ≤ {goal:F1}× | {(ratio <= goal ? "yes" : "**no**")} |");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>
    /// Creates <paramref name="count"/> pods at once and waits until every one is Running; then
    /// deletes them and waits until the kubelet has removed their containers from Docker.
    /// </summary>
    private static async Task<(TimeSpan Wall, List<double> Latencies)> MkubeBatchAsync(MkubeServer server, int count, string prefix, CancellationToken cancellationToken, Action? whileRunning = null)
    {
        var http = server.Client;
        var sentAt = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentDictionary<string, double>();
        var last = 0L;
        using var watchResponse = await http.GetAsync(new Uri(server.Address, $"/api/v1/namespaces/{Namespace}/pods?watch=true"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var reader = new StreamReader(await watchResponse.Content.ReadAsStreamAsync(cancellationToken));
        var watching = Task.Run(async () =>
        {
            while (latencies.Count < count && await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                var now = Stopwatch.GetTimestamp();
                using var ev = JsonDocument.Parse(line);
                var pod = ev.RootElement.GetProperty("object");
                var name = pod.GetProperty("metadata").GetProperty("name").GetString()!;
                if (Running(pod) && sentAt.TryGetValue(name, out var sent) && latencies.TryAdd(name, Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds))
                {
                    last = now;
                }
            }
        }, cancellationToken);
        var first = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            var name = $"{prefix}-{i.ToString(CultureInfo.InvariantCulture)}";
            var body = $"{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"{name}\"}},\"spec\":{{\"nodeName\":\"{Node}\",\"terminationGracePeriodSeconds\":1,\"containers\":[{{\"name\":\"main\",\"image\":\"{Image}\",\"imagePullPolicy\":\"Never\",\"command\":[\"sleep\",\"3600\"]}}]}}}}";
            sentAt[name] = Stopwatch.GetTimestamp();
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(server.Address, $"/api/v1/namespaces/{Namespace}/pods"), content, cancellationToken);
            response.EnsureSuccessStatusCode();
        }, cancellationToken)));
        await watching;
        var wall = Stopwatch.GetElapsedTime(first, last);
        whileRunning?.Invoke();

        // Leave no containers behind, and Docker idle for whatever is measured next.
        using (await http.DeleteAsync(new Uri(server.Address, $"/api/v1/namespaces/{Namespace}/pods"), cancellationToken))
        {
        }
        using var docker = new DockerFloor();
        for (var wait = 0; wait < 600; wait++)
        {
            using var left = await http.GetAsync(new Uri(server.Address, $"/api/v1/namespaces/{Namespace}/pods"), cancellationToken);
            if (!(await left.Content.ReadAsStringAsync(cancellationToken)).Contains($"\"{prefix}-", StringComparison.Ordinal)
                && await docker.CountAsync("io.mkube.pod.namespace", Namespace, cancellationToken) == 0)
            {
                break;
            }
            await Task.Delay(200, cancellationToken);
        }
        return (wall, [.. latencies.Values]);
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
