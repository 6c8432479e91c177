using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace MiniKube.ApiServer.Bench;

/// <summary>
/// What one pod create costs the server (<c>scripts/bench create</c>): the API workload's creates
/// (64 clients, HTTPS/HTTP2, the embedded store, the API server alone) in rounds, each reporting
/// mkube's CPU time and the bytes it allocated per create, and then the first rounds after the
/// server sat idle. Given a second build, both servers run side by side, warmed alike, in rounds
/// ordered A B B A A B B A …, so the machine's load and the stores' growth fall on both: on a
/// shared machine the CPU and the allocations per create are steadier than the rate.
/// </summary>
internal static class CreateBench
{
    private const int PodsPerRound = 2500;

    private const string Allocated = "dotnet_gc_heap_total_allocated_bytes_total ";
    private const string GenZero = "dotnet_gc_collections_total{gc_heap_generation=\"gen0\"} ";
    private const string GenTwo = "dotnet_gc_collections_total{gc_heap_generation=\"gen2\"} ";

    private sealed record Round(double Rate, double CpuMicros, double AllocatedBytes);

    public static async Task RunAsync(string work, IReadOnlyList<string> binaries, int rounds, int idleSeconds)
    {
        var servers = new List<MkubeServer>();
        try
        {
            foreach (var (binary, i) in binaries.Select((b, i) => (b, i)))
            {
                // The API server alone, as `scripts/bench api` measures it: no kubelet, scheduler or controllers.
                var server = await MkubeServer.StartAsync(binary, Path.Combine(work, Label(i)), null, "--disable-agent", "--disable-scheduler", "--disable-controller-manager");
                servers.Add(server);
                Console.Error.WriteLine($"{Label(i)}: {binary}, pid {server.ProcessId}");
            }
            foreach (var server in servers)
            {
                await ApiWorkloads.PrepareAsync(server);
                await ApiWorkloads.WarmUpAsync(server);
            }
            var measured = servers.Select(_ => new List<Round>()).ToList();
            var next = 0;
            for (var round = 0; round < rounds; round++)
            {
                // A B B A with two builds, so neither always goes first after the other.
                var i = servers.Count == 2 && (round % 4) is 1 or 2 ? 1 : 0;
                measured[i].Add(await RoundAsync(servers[i], Label(i), $"round {round}", next++));
            }
            for (var i = 0; i < servers.Count; i++)
            {
                var all = measured[i];
                Console.WriteLine($"{Label(i)} ({binaries[i]}), median of {all.Count} rounds of {PodsPerRound}: {Median(all, r => r.Rate):F0} creates/s, " +
                    $"mkube CPU per create {Median(all, r => r.CpuMicros):F0} µs, allocated per create {Median(all, r => r.AllocatedBytes) / 1024:F1} KiB");
            }
            if (idleSeconds <= 0)
            {
                return;
            }
            // The first round after the server sat idle, twice, in both orders when there are two.
            for (var probe = 0; probe < 2; probe++)
            {
                Console.Error.WriteLine($"idle {idleSeconds} s");
                await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
                var order = Enumerable.Range(0, servers.Count).ToList();
                if (probe == 1)
                {
                    order.Reverse();
                }
                foreach (var i in order)
                {
                    var first = await RoundAsync(servers[i], Label(i), $"after {idleSeconds} s idle", next++);
                    var second = await RoundAsync(servers[i], Label(i), "the round after", next++);
                    Console.WriteLine($"{Label(i)} after {idleSeconds} s idle: first round {first.CpuMicros:F0} µs and {first.AllocatedBytes / 1024:F1} KiB per create, the next {second.CpuMicros:F0} µs and {second.AllocatedBytes / 1024:F1} KiB");
                }
            }
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static string Label(int index) => index == 0 ? "A" : "B";

    // PodsPerRound creates by 64 clients; the server's CPU, allocations and collections over them.
    private static async Task<Round> RoundAsync(MkubeServer server, string label, string name, int number)
    {
        var podsUri = new Uri(server.Address, "/api/v1/namespaces/bench/pods");
        var prefix = "c" + number.ToString(CultureInfo.InvariantCulture) + "-";
        var (allocated, gen0, gen2) = (await ApiWorkloads.MetricAsync(server, Allocated), await ApiWorkloads.MetricAsync(server, GenZero), await ApiWorkloads.MetricAsync(server, GenTwo));
        var index = -1;
        var before = server.Usage();
        var clock = Stopwatch.StartNew();
        await ApiWorkloads.RunClientsAsync(ApiWorkloads.Clients, async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref index)) < PodsPerRound)
            {
                await ApiWorkloads.SendAsync(server.Client, HttpMethod.Post, podsUri, ApiWorkloads.Pod(prefix + i.ToString(CultureInfo.InvariantCulture)), HttpStatusCode.Created);
            }
        });
        var seconds = clock.Elapsed.TotalSeconds;
        var after = server.Usage();
        var micros = (after.Cpu - before.Cpu).TotalMicroseconds / PodsPerRound;
        var systemMicros = (after.System - before.System).TotalMicroseconds / PodsPerRound;
        // NaN for a build whose /metrics has no allocation counter.
        var bytes = (await ApiWorkloads.MetricAsync(server, Allocated) - allocated) / PodsPerRound;
        (gen0, gen2) = (await ApiWorkloads.MetricAsync(server, GenZero) - gen0, await ApiWorkloads.MetricAsync(server, GenTwo) - gen2);
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        // Major faults read pages back from disk (the binary's code, after the kernel reclaimed it from an idle process).
        Console.Error.WriteLine($"  {label} {name}: {PodsPerRound / seconds:F0}/s, mkube CPU per create {micros:F0} µs (system {systemMicros:F0}), allocated {bytes / 1024:F1} KiB per create, " +
            $"gen0 {gen0:F0} gen2 {gen2:F0}, page faults {after.MinorFaults - before.MinorFaults} minor {after.MajorFaults - before.MajorFaults} major, load {load}");
        return new Round(PodsPerRound / seconds, micros, bytes);
    }

    private static double Median(List<Round> rounds, Func<Round, double> value)
    {
        var sorted = rounds.Select(value).Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
