using System.Globalization;
using System.Text.Json;

namespace MiniKube.ApiServer.Bench;

// Issue 17 item 9's figure (scripts/bench soak): the published server with 20 simulated nodes
// (--disable-agent --simulate-nodes 20) churning 50-pod Deployments back to back: create, wait
// until all 50 replicas are available, delete (background propagation, so the next round starts
// while the garbage collector removes the last one's pods). Each minute it prints the server's RSS
// (/proc), GC heap and what the GC committed (/metrics), the bytes it wrote to disk (/proc/PID/io
// write_bytes) and how many of them are the store's spill files, store revision and the rounds
// completed, and at the end a table.

/// <summary>The churn of <c>scripts/bench soak</c>; workers run rounds side by side (default 1).</summary>
internal static class SoakBench
{
    public static async Task RunAsync(string binary, string work, int minutes, int workers, string[] serverFlags)
    {
        string[] flags = ["--disable-agent", "--simulate-nodes", SimulatedNodes.ToString(CultureInfo.InvariantCulture), .. serverFlags];
        var dataDir = Path.Combine(work, "server");
        await using var server = await MkubeServer.StartAsync(binary, dataDir, null, flags);
        await ClusterBench.WaitForReadyNodesAsync(server, SimulatedNodes);
        await ClusterBench.PostAsync(server.Client, new Uri(server.Address, "/api/v1/namespaces"), $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{Namespace}}}"}}""");
        await Task.Delay(TimeSpan.FromSeconds(5)); // the namespace's default ServiceAccount appears

        var spillDir = Path.Combine(dataDir, "server", "db", "spill");
        var samples = new List<Sample> { await SampleAsync(server, spillDir, 0, 0, 0) };
        Console.Error.WriteLine($"server {string.Join(' ', flags)}; {workers} worker(s), {minutes} minute(s)");
        Print(samples[0]);
        long rounds = 0, pods = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        var churn = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            using var client = server.NewClient();
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                var name = $"soak-{w}-{round}";
                if (await RoundAsync(server, client, name, stop.Token))
                {
                    Interlocked.Increment(ref rounds);
                    Interlocked.Add(ref pods, Replicas);
                }
            }
        })).ToList();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var minute = 1; minute <= minutes; minute++)
        {
            var next = TimeSpan.FromMinutes(minute) - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next);
            }
            var sample = await SampleAsync(server, spillDir, minute, Interlocked.Read(ref rounds), Interlocked.Read(ref pods));
            samples.Add(sample);
            Print(sample);
        }
        await Task.WhenAll(churn);

        Console.WriteLine($"| minute of churn ({Replicas}-pod Deployments on {SimulatedNodes} simulated nodes, {workers} worker(s)) | rounds (total) | pods Available (total) | RSS | GC heap / committed | written to disk (total) | spill files now | store revision |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var s in samples)
        {
            Console.WriteLine($"| {s.Minute} | {s.Rounds:N0} | {s.Pods:N0} | {s.RssMb:F0} MB | {s.GcHeapMb:F0} / {s.GcCommittedMb:F0} MB | {s.WrittenMb:F0} MB | {s.SpillMb:F0} MB | {s.Revision:N0} |");
        }
        var steady = samples.Skip(Math.Max(1, samples.Count - 5)).ToList();
        Console.WriteLine($"| steady state (last {steady.Count} minutes): RSS mean / max | | | {steady.Average(s => s.RssMb):F0} / {steady.Max(s => s.RssMb):F0} MB | | goal ≤ 500 MB |");
    }

    /// <summary>One round: create, wait until every replica is available, delete. False when the run ended first.</summary>
    private static async Task<bool> RoundAsync(MkubeServer server, HttpClient client, string name, CancellationToken stop)
    {
        var deployments = new Uri(server.Address, $"/apis/apps/v1/namespaces/{Namespace}/deployments");
        var body = $$$$$"""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"{{{{{name}}}}}"},"spec":{"replicas":{{{{{Replicas}}}}},"selector":{"matchLabels":{"app":"{{{{{name}}}}}"}},"template":{"metadata":{"labels":{"app":"{{{{{name}}}}}"}},"spec":{"containers":[{"name":"c","image":"mkube.local/busybox:1","resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}}}""";
        await ClusterBench.PostAsync(client, deployments, body);
        var available = false;
        try
        {
            while (!(available = await AvailableAsync(client, new Uri(deployments + "/" + name), stop)))
            {
                await Task.Delay(50, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended mid-round: this round does not count, but its Deployment still goes.
        }
        using var response = await client.DeleteAsync(new Uri(deployments + "/" + name), CancellationToken.None);
        if (response.StatusCode is not (System.Net.HttpStatusCode.OK or System.Net.HttpStatusCode.Accepted))
        {
            throw new InvalidOperationException($"DELETE {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
        }
        return available;
    }

    private static async Task<bool> AvailableAsync(HttpClient client, Uri deployment, CancellationToken stop)
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync(deployment, stop));
        return doc.RootElement.TryGetProperty("status", out var status)
            && status.TryGetProperty("availableReplicas", out var available) && available.GetInt32() == Replicas;
    }

    private static async Task<Sample> SampleAsync(MkubeServer server, string spillDir, int minute, long rounds, long pods)
    {
        var metrics = (await server.Client.GetStringAsync(new Uri(server.Address, "/metrics"))).Split('\n');
        double Metric(string name) => metrics.Where(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).FirstOrDefault();
        var spill = Directory.Exists(spillDir) ? new DirectoryInfo(spillDir).EnumerateFiles().Sum(f => f.Length) : 0;
        // A list of one namespace answers with the store's current revision.
        using var list = JsonDocument.Parse(await server.Client.GetStringAsync(new Uri(server.Address, "/api/v1/namespaces?limit=1")));
        var revision = long.Parse(list.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!, CultureInfo.InvariantCulture);
        return new Sample(minute, rounds, pods, server.RssBytes() / 1048576.0, Metric("dotnet_gc_heap_bytes") / 1048576.0, Metric("dotnet_gc_committed_bytes") / 1048576.0,
            DiskBench.WriteBytes(server.ProcessId) / 1048576.0, spill / 1048576.0, revision);
    }

    private static void Print(Sample s) =>
        Console.Error.WriteLine($"  minute {s.Minute,3}: {s.Rounds,6:N0} rounds, {s.Pods,8:N0} pods, RSS {s.RssMb,6:F0} MB, GC heap {s.GcHeapMb,6:F0} MB (committed {s.GcCommittedMb,6:F0} MB), written {s.WrittenMb,7:F0} MB, spill files {s.SpillMb,5:F0} MB, revision {s.Revision:N0}");

    private sealed record Sample(int Minute, long Rounds, long Pods, double RssMb, double GcHeapMb, double GcCommittedMb, double WrittenMb, double SpillMb, long Revision);

    private const int SimulatedNodes = 20;
    private const int Replicas = 50;
    private const string Namespace = "soak";
}
