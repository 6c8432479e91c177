using System.Globalization;

namespace MiniKube.ApiServer.Bench;

/// <summary>
/// Issue 16's memory figure (<c>scripts/bench addons</c>): the published server's RSS with the
/// three add-ons on (ingress, metrics, dashboard) against the same server with
/// <c>--disable ingress,metrics,dashboard</c>, each started fresh in its own data dir and left
/// idle to settle, in the order A B B A per round (on, off, off, on), so drift in the machine's
/// load touches both alike. Each server runs its own node on the simulated runtime, so the metrics
/// add-on has a kubelet to scrape; the ingress listens on free ports.
/// </summary>
internal static class AddonsBench
{
    public static async Task RunAsync(string binary, string work, int settleSeconds, int rounds)
    {
        var on = new List<Sample>();
        var off = new List<Sample>();
        var run = 0;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var addons in new[] { true, false, false, true })
            {
                var sample = await MeasureAsync(binary, Path.Combine(work, "run-" + (run++).ToString(CultureInfo.InvariantCulture)), addons, settleSeconds);
                (addons ? on : off).Add(sample);
                Console.Error.WriteLine($"  add-ons {(addons ? "on " : "off")}: RSS {sample.RssMb:F1} MB, Pss {sample.PssMb:F1} MB, anonymous {sample.AnonymousMb:F1} MB");
            }
        }
        var extra = on.Average(s => s.RssMb) - off.Average(s => s.RssMb);
        Console.WriteLine($"| idle server after {settleSeconds} s, {rounds * 4} starts (on off off on) | ingress, metrics, dashboard on | --disable ingress,metrics,dashboard | extra | goal |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| RSS (mean) | {on.Average(s => s.RssMb):F1} MB | {off.Average(s => s.RssMb):F1} MB | {extra:F1} MB {(extra <= 25 ? "(met)" : "(missed)")} | ≤ 25 MB |");
        Console.WriteLine($"| RSS per start | {Each(on, s => s.RssMb)} | {Each(off, s => s.RssMb)} | | |");
        Console.WriteLine($"| of which anonymous (GC heap, native heaps, stacks) | {on.Average(s => s.AnonymousMb):F1} MB | {off.Average(s => s.AnonymousMb):F1} MB | {on.Average(s => s.AnonymousMb) - off.Average(s => s.AnonymousMb):F1} MB | |");
        Console.WriteLine($"| of which file pages (the binary's code, shared) / JIT double mapping (RssShmem) | {on.Average(s => s.FileMb):F1} / {on.Average(s => s.ShmemMb):F1} MB | {off.Average(s => s.FileMb):F1} / {off.Average(s => s.ShmemMb):F1} MB | {on.Average(s => s.FileMb) - off.Average(s => s.FileMb):F1} / {on.Average(s => s.ShmemMb) - off.Average(s => s.ShmemMb):F1} MB | |");
        Console.WriteLine($"| Pss (mean) | {on.Average(s => s.PssMb):F1} MB | {off.Average(s => s.PssMb):F1} MB | {on.Average(s => s.PssMb) - off.Average(s => s.PssMb):F1} MB | |");
        Console.WriteLine($"| threads (mean) | {on.Average(s => s.Threads):F0} | {off.Average(s => s.Threads):F0} | | |");
    }

    private static async Task<Sample> MeasureAsync(string binary, string dataDir, bool addons, int settleSeconds)
    {
        string[] flags =
        [
            "--runtime", "simulated", "--kubelet-port", "0",
            "--ingress-http-port", MkubeServer.FreePort().ToString(CultureInfo.InvariantCulture),
            "--ingress-https-port", MkubeServer.FreePort().ToString(CultureInfo.InvariantCulture),
            .. addons ? Array.Empty<string>() : ["--disable", "ingress,metrics,dashboard"],
        ];
        await using var server = await MkubeServer.StartAsync(binary, dataDir, null, flags);
        await Task.Delay(TimeSpan.FromSeconds(settleSeconds));
        var status = File.ReadAllLines($"/proc/{server.ProcessId}/status");
        var rollup = File.ReadAllLines($"/proc/{server.ProcessId}/smaps_rollup");
        return new Sample(Kb(status, "VmRSS") / 1024.0, Kb(rollup, "Pss") / 1024.0, Kb(status, "RssAnon") / 1024.0, Kb(status, "RssFile") / 1024.0, Kb(status, "RssShmem") / 1024.0, Kb(status, "Threads"));
    }

    private static long Kb(string[] lines, string key) =>
        long.Parse(lines.First(l => l.StartsWith(key + ":", StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    private static string Each(List<Sample> samples, Func<Sample, double> value) =>
        string.Join(" / ", samples.Select(s => value(s).ToString("F0", CultureInfo.InvariantCulture))) + " MB";

    private sealed record Sample(double RssMb, double PssMb, double AnonymousMb, double FileMb, double ShmemMb, long Threads);
}
