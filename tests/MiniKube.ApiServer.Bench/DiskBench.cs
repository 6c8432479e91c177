using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Bench;

/// <summary>
/// Issue 17's disk writes: what mkube writes to disk, from /proc/PID/io write_bytes (bytes the
/// process sent to the block layer, page-cache writes included), in two cases. Per API write: a
/// server alone, one client creating then updating ConfigMaps of 1 KB one at a time (no group
/// commit to share). Idle: a server without its own node and one mkube agent (Docker runtime, or
/// the simulated one) with 30 running pods, over a window after they settled. Meanwhile every
/// API write is counted by resource (watches on the kinds an idle node writes), so the bytes
/// can be put down to their sources. Printed beside k3s' published 6–10 kB/s idle.
/// </summary>
internal static class DiskBench
{
    private const int ApiWrites = 500;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    private static readonly string[] Watched =
    [
        "/apis/coordination.k8s.io/v1/leases", "/api/v1/nodes", "/api/v1/pods", "/api/v1/events", "/apis/events.k8s.io/v1/events",
        "/api/v1/endpoints", "/apis/discovery.k8s.io/v1/endpointslices", "/api/v1/configmaps", "/api/v1/services", "/apis/apps/v1/replicasets",
        "/apis/apps/v1/deployments", "/apis/apps/v1/daemonsets", "/api/v1/secrets", "/api/v1/serviceaccounts", "/api/v1/namespaces",
    ];

    public static async Task RunAsync(string binary, string work, TimeSpan window, string runtime)
    {
        var (perCreate, perUpdate) = await PerApiWriteAsync(binary, Path.Combine(work, "api"));
        Console.Error.WriteLine($"  per API write: create {perCreate:F0} B, update {perUpdate:F0} B");

        await using var server = await MkubeServer.StartAsync(binary, Path.Combine(work, "server"), null, "--disable-agent");
        var token = (await File.ReadAllTextAsync(Path.Combine(work, "server", "server", "token"))).Trim();
        using var agent = StartAgent(binary, server.Address, token, Path.Combine(work, "agent"), runtime);
        try
        {
            await KubeletBench.WaitForNodeReadyAsync(server);
            await KubeletBench.CreatePodsAsync(server);
            await KubeletBench.WaitForRunningAsync(server);
            Console.Error.WriteLine($"  {KubeletBench.PodCount} pods running ({runtime}); idle {Settle.TotalSeconds:F0} s, then measuring for {window.TotalMinutes:F0} min");
            await Task.Delay(Settle);
            using var stop = new CancellationTokenSource();
            var counts = new ConcurrentDictionary<string, (long Writes, long Bytes)>(StringComparer.Ordinal);
            var watches = Watched.Select(path => CountWritesAsync(server, path, counts, stop.Token)).ToList();
            var serverStart = WriteBytes(server.ProcessId);
            var agentStart = WriteBytes(agent.Id);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < window)
            {
                await Task.Delay(TimeSpan.FromMinutes(1) < window - clock.Elapsed ? TimeSpan.FromMinutes(1) : window - clock.Elapsed);
                Console.Error.WriteLine($"  {clock.Elapsed.TotalMinutes:F1} min: server {(WriteBytes(server.ProcessId) - serverStart) / clock.Elapsed.TotalSeconds:F0} B/s, agent {(WriteBytes(agent.Id) - agentStart) / clock.Elapsed.TotalSeconds:F0} B/s");
            }
            var seconds = clock.Elapsed.TotalSeconds;
            var serverRate = (WriteBytes(server.ProcessId) - serverStart) / seconds;
            var agentRate = (WriteBytes(agent.Id) - agentStart) / seconds;
            await stop.CancelAsync();
            await Task.WhenAll(watches).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            Console.WriteLine($"| disk writes (/proc/PID/io write_bytes) | mkube | k3s (published) | goal |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine($"| idle, {KubeletBench.PodCount} running pods ({runtime} runtime), averaged over {seconds / 60:F0} min: server + agent | {(serverRate + agentRate) / 1000:F2} kB/s (server {serverRate / 1000:F2}, agent {agentRate / 1000:F2}) | 6–10 kB/s | ≤ 1 kB/s |");
            Console.WriteLine($"| per API write (ConfigMap of 1 KB, one client, one at a time): create / update | {perCreate / 1000:F1} / {perUpdate / 1000:F1} kB | | |");
            Console.WriteLine();
            Console.WriteLine($"| API writes during the idle window, by source | writes/min | object bytes/s |");
            Console.WriteLine("|---|---|---|");
            foreach (var (source, (writes, bytes)) in counts.OrderByDescending(c => c.Value.Bytes))
            {
                Console.WriteLine($"| {source} | {writes * 60 / seconds:F1} | {bytes / seconds:F0} |");
            }
        }
        finally
        {
            await KubeletBench.DeletePodsAsync(server);
            if (!agent.HasExited)
            {
                agent.Kill();
                await agent.WaitForExitAsync();
            }
        }
    }

    /// <summary>Bytes written per ConfigMap create and per update, on a server alone.</summary>
    private static async Task<(double Create, double Update)> PerApiWriteAsync(string binary, string dataDir)
    {
        await using var server = await MkubeServer.StartAsync(binary, dataDir, null, "--disable-agent", "--disable-scheduler", "--disable-controller-manager");
        await Task.Delay(TimeSpan.FromSeconds(5));
        var data = new string('x', 1000);
        var uri = new Uri(server.Address, "/api/v1/namespaces/default/configmaps");
        var before = WriteBytes(server.ProcessId);
        for (var i = 0; i < ApiWrites; i++)
        {
            using var body = new StringContent($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"disk-{{{i}}}"},"data":{"a":"{{{data}}}"}}""", Encoding.UTF8, "application/json");
            (await server.Client.PostAsync(uri, body)).EnsureSuccessStatusCode();
        }
        var created = WriteBytes(server.ProcessId);
        for (var i = 0; i < ApiWrites; i++)
        {
            using var body = new StringContent($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"disk-{{{i}}}"},"data":{"a":"{{{data}}}","b":"1"}}""", Encoding.UTF8, "application/json");
            (await server.Client.PutAsync(new Uri(uri + "/disk-" + i.ToString(CultureInfo.InvariantCulture)), body)).EnsureSuccessStatusCode();
        }
        var updated = WriteBytes(server.ProcessId);
        return ((created - before) / (double)ApiWrites, (updated - created) / (double)ApiWrites);
    }

    /// <summary>Counts the writes a watch on <paramref name="path"/> delivers, by resource (and by name for Leases).</summary>
    private static async Task CountWritesAsync(MkubeServer server, string path, ConcurrentDictionary<string, (long, long)> counts, CancellationToken cancellationToken)
    {
        using var client = server.NewClient();
        try
        {
            var list = JsonNode.Parse(await client.GetStringAsync(new Uri(server.Address, path), cancellationToken))!;
            var from = (string)list["metadata"]!["resourceVersion"]!;
            using var response = await client.GetAsync(new Uri(server.Address, $"{path}?watch=1&resourceVersion={from}"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            var resource = path[(path.LastIndexOf('/') + 1)..];
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                var ev = JsonNode.Parse(line)!;
                var source = resource == "leases" ? $"lease {(string?)ev["object"]?["metadata"]?["namespace"]}/{(string?)ev["object"]?["metadata"]?["name"]}" : $"{resource} ({(string?)ev["type"]})";
                var bytes = Encoding.UTF8.GetByteCount(ev["object"]?.ToJsonString() ?? "");
                counts.AddOrUpdate(source, (1, bytes), (_, c) => (c.Item1 + 1, c.Item2 + bytes));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"  watch {path}: {e.Message}");
        }
    }

    private static Process StartAgent(string binary, Uri server, string token, string dataDir, string runtime) =>
        KubeletBench.StartDiscardingOutput(binary,
        [
            "agent", "--server", server.ToString(), "--token", token, "--data-dir", dataDir, "--node-name", KubeletBench.Node,
            "--kubelet-port", "0", "--runtime", runtime, "--disable-kube-proxy",
        ]);

    /// <summary>write_bytes of /proc/PID/io: bytes this process caused to be written to storage.</summary>
    internal static long WriteBytes(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/io").First(l => l.StartsWith("write_bytes:", StringComparison.Ordinal))["write_bytes:".Length..].Trim(), CultureInfo.InvariantCulture);
}
