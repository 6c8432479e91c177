using System.Diagnostics;
using System.Globalization;

namespace MiniKube.Storage.Bench;

/// <summary>The benchmark's workloads, each run the same way against any <see cref="IStore"/>.</summary>
internal static class Workloads
{
    private static readonly byte[] Kib = RandomBytes(1024);

    public static async Task RunAllAsync(
        Dictionary<string, double> results,
        Func<string, Task<IStore>> open,
        Func<string, Task<(double Seconds, long Keys)>> reopen,
        Func<string, (long Bytes, int Pid)> rss,
        Func<string, long> disk)
    {
        await using (var store = await open("main"))
        {
            await SequentialAsync(store, results);
            await ConcurrentAsync(store, results);
            await PointReadsAsync(store, results);
            await RangeAsync(store, results);
            await WatchAsync(store, results);
        }

        await using (var store = await open("restart"))
        {
            await ParallelAsync(64, 100_000, i => store.CreateAsync($"/registry/pods/default/pod-{i:D6}", Kib[..512], 0, default));
        }
        var (seconds, keys) = await reopen("restart");
        results["restart"] = seconds;
        Report("restart with 100,000 keys", $"{seconds:F2} s ({keys} keys)");

        await using (var store = await open("churn"))
        {
            using var sampling = new CancellationTokenSource();
            var peak = SamplePeakAsync(() => disk("churn"), sampling.Token);
            await ChurnAsync(store, results);
            await sampling.CancelAsync();
            results["diskPeak"] = await peak;
            results["rss"] = rss("churn").Bytes;
            results["disk"] = disk("churn");
            Report("after churn", $"disk {results["disk"] / 1048576:F1} MiB (peak {results["diskPeak"] / 1048576:F1} MiB), RSS {results["rss"] / 1048576:F1} MiB");
        }
    }

    private static async Task SequentialAsync(IStore store, Dictionary<string, double> results)
    {
        var latencies = new List<double>();
        for (var i = 0; i < 2000; i++)
        {
            var clock = Stopwatch.StartNew();
            await store.CreateAsync($"/seq/{i}", Kib, 0, default);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        results["seq"] = Median(latencies);
        Report("sequential create median", $"{results["seq"]:F3} ms");
    }

    private static async Task ConcurrentAsync(IStore store, Dictionary<string, double> results)
    {
        var clock = Stopwatch.StartNew();
        await ParallelAsync(64, 25_600, i => store.CreateAsync($"/conc/{i}", Kib, 0, default));
        results["concurrent"] = 25_600 / clock.Elapsed.TotalSeconds;
        Report("concurrent writes", $"{results["concurrent"]:F0}/s");
    }

    private static async Task PointReadsAsync(IStore store, Dictionary<string, double> results)
    {
        long reads = 0;
        var clock = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(3);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(c => Task.Run(async () =>
        {
            for (var i = c; clock.Elapsed < until; i += 16)
            {
                await store.GetAsync($"/seq/{i % 2000}", 0, default);
                Interlocked.Increment(ref reads);
            }
        })));
        results["reads"] = reads / clock.Elapsed.TotalSeconds;
        Report("point reads", $"{results["reads"]:F0}/s");
    }

    private static async Task RangeAsync(IStore store, Dictionary<string, double> results)
    {
        await ParallelAsync(64, 10_000, i => store.CreateAsync($"/range/{i:D5}", Kib[..256], 0, default));
        var times = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var clock = Stopwatch.StartNew();
            var page = await store.RangeAsync(new RangeRequest("/range/"), default);
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (page.Items.Count != 10_000)
            {
                throw new InvalidOperationException($"range returned {page.Items.Count} keys");
            }
        }
        results["range"] = Median(times);
        Report("range 10,000", $"{results["range"]:F2} ms");
    }

    /// <summary>1,000 watchers on one prefix during 10,000 writes; latency from the start of each write to each delivery.</summary>
    private static async Task WatchAsync(IStore store, Dictionary<string, double> results)
    {
        const int Watchers = 1000, Writes = 10_000;
        var started = new long[Writes + 1];
        var baseRevision = await store.GetCurrentRevisionAsync(default);
        var latencies = new List<double>[Watchers];
        var cutOff = 0;
        var watching = Enumerable.Range(0, Watchers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(Writes);
            try
            {
                await foreach (var ev in store.WatchAsync("/watch/", baseRevision + 1, default))
                {
                    var n = ev.Revision - baseRevision;
                    mine.Add(Stopwatch.GetElapsedTime(started[n]).TotalMilliseconds);
                    if (n == Writes)
                    {
                        break;
                    }
                }
            }
            catch (WatchLaggedException)
            {
                Interlocked.Increment(ref cutOff);
            }
        })).ToArray();
        await Task.Delay(2000); // let every watch register before the first write
        for (var i = 1; i <= Writes; i++)
        {
            started[i] = Stopwatch.GetTimestamp();
            await store.CreateAsync($"/watch/{i}", Kib[..128], 0, default);
        }
        await Task.WhenAll(watching).WaitAsync(TimeSpan.FromMinutes(5));
        var all = latencies.SelectMany(l => l).Order().ToList();
        results["watch50"] = all[all.Count / 2];
        results["watch99"] = all[(int)(all.Count * 0.99)];
        results["watchCut"] = cutOff;
        Report("watch", $"p50 {results["watch50"]:F2} ms, p99 {results["watch99"]:F2} ms, {all.Count} deliveries, {cutOff} cut off");
    }

    /// <summary>1,000,000 updates spread over 1,000 keys (1 KiB values), then compaction to the last 10,000 revisions.</summary>
    private static async Task ChurnAsync(IStore store, Dictionary<string, double> results)
    {
        var revisions = new long[1000];
        var clock = Stopwatch.StartNew();
        await ParallelAsync(50, 1_000_000, async i =>
        {
            var key = i % 1000;
            var current = Volatile.Read(ref revisions[key]);
            var result = current == 0
                ? await store.CreateAsync($"/churn/{key}", Kib, 0, default)
                : await store.UpdateAsync($"/churn/{key}", Kib, current, 0, default);
            Volatile.Write(ref revisions[key], result.Succeeded ? result.Revision : result.Current?.ModRevision ?? 0);
            return result;
        });
        var revision = await store.GetCurrentRevisionAsync(default);
        await store.CompactAsync(revision - 10_000, default);
        results["churnRate"] = 1_000_000 / clock.Elapsed.TotalSeconds;
        await Task.Delay(3000); // the embedded store's checkpoint and truncation
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>The largest value <paramref name="measure"/> returned, sampled every 250 ms until cancelled.</summary>
    private static async Task<double> SamplePeakAsync(Func<long> measure, CancellationToken cancellationToken)
    {
        double peak = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                peak = Math.Max(peak, measure());
            }
            catch (IOException)
            {
                // A file vanished mid-count (truncation): take the next sample.
            }
            await Task.Delay(250, CancellationToken.None);
        }
        return peak;
    }

    private static async Task ParallelAsync<T>(int clients, int total, Func<int, Task<T>> operation)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < total; i = Interlocked.Increment(ref next))
            {
                await operation(i);
            }
        })));
    }

    public static double RawFsyncMilliseconds(string path)
    {
        var times = new List<double>();
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            for (var i = 0; i < 500; i++)
            {
                var clock = Stopwatch.StartNew();
                file.Write(Kib);
                file.Flush(flushToDisk: true);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        File.Delete(path);
        return Median(times);
    }

    public static long DirectoryBytes(string path) =>
        Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    public static long ProcessRssBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    public static void PrintTable(double rawFsync, Dictionary<string, double> mine, Dictionary<string, double> etcd)
    {
        string Ratio(string key, bool higherIsBetter) =>
            (higherIsBetter ? mine[key] / etcd[key] : etcd[key] / mine[key]).ToString("F1", CultureInfo.InvariantCulture) + "x";
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        var live = 1000.0 * 1024;
        Console.WriteLine($"raw fsync latency of this disk (1 KiB append + fsync), median: {F(rawFsync, "F3")} ms");
        Console.WriteLine();
        Console.WriteLine("| workload | embedded | etcd 3.4 | embedded vs etcd |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| sequential durable creates, 1 client, 1 KiB (median latency) | {F(mine["seq"], "F3")} ms ({F(mine["seq"] / rawFsync, "F2")}x raw fsync) | {F(etcd["seq"], "F3")} ms ({F(etcd["seq"] / rawFsync, "F2")}x raw fsync) | {Ratio("seq", false)} faster |");
        Console.WriteLine($"| concurrent writes, 64 clients, 1 KiB | {F(mine["concurrent"], "F0")}/s | {F(etcd["concurrent"], "F0")}/s | {Ratio("concurrent", true)} |");
        Console.WriteLine($"| point reads, 16 clients | {F(mine["reads"], "F0")}/s | {F(etcd["reads"], "F0")}/s | {Ratio("reads", true)} |");
        Console.WriteLine($"| range of 10,000 keys (256 B values), median | {F(mine["range"], "F2")} ms | {F(etcd["range"], "F2")} ms | {Ratio("range", false)} faster |");
        Console.WriteLine($"| watch delivery, 1,000 watchers x 10,000 writes, p50 / p99 | {F(mine["watch50"], "F2")} / {F(mine["watch99"], "F2")} ms | {F(etcd["watch50"], "F2")} / {F(etcd["watch99"], "F2")} ms | {Ratio("watch99", false)} (p99) |");
        Console.WriteLine($"| restart with 100,000 keys (512 B values) | {F(mine["restart"], "F2")} s | {F(etcd["restart"], "F2")} s | {Ratio("restart", false)} faster |");
        Console.WriteLine($"| 1,000,000 updates over 1,000 keys (1 KiB), 50 clients | {F(mine["churnRate"], "F0")}/s | {F(etcd["churnRate"], "F0")}/s | {Ratio("churnRate", true)} |");
        Console.WriteLine($"| disk after that churn (live data {F(live / 1048576, "F1")} MiB) | {F(mine["disk"] / 1048576, "F1")} MiB ({F(mine["disk"] / live, "F1")}x live) | {F(etcd["disk"] / 1048576, "F1")} MiB ({F(etcd["disk"] / live, "F1")}x live) | {Ratio("disk", false)} smaller |");
        Console.WriteLine($"| largest disk use sampled during that churn | {F(mine["diskPeak"] / 1048576, "F1")} MiB ({F(mine["diskPeak"] / live, "F1")}x live) | {F(etcd["diskPeak"] / 1048576, "F1")} MiB | {Ratio("diskPeak", false)} smaller |");
        Console.WriteLine($"| RSS after that churn | {F(mine["rss"] / 1048576, "F1")} MiB (whole benchmark process) | {F(etcd["rss"] / 1048576, "F1")} MiB (etcd process) | {Ratio("rss", false)} smaller |");
    }

    private static void Report(string what, string result) => Console.Error.WriteLine($"  {what}: {result}");

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
