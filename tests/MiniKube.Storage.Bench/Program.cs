using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage;
using MiniKube.Storage.Embedded;

// scripts/bench store: the issue's workloads against the embedded store, and the disk's raw
// fsync latency measured in the same run as the yardstick for durable writes. Prints a
// Markdown table. Usage: MiniKube.Storage.Bench WORK_DIR
var work = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "mkube-bench");
if (Directory.Exists(work))
{
    Directory.Delete(work, recursive: true);
}
Directory.CreateDirectory(work);
var rows = new List<(string Workload, string Result)>();
void Row(string workload, string result)
{
    rows.Add((workload, result));
    Console.Error.WriteLine($"{workload}: {result}");
}
static string F(double value, string format = "F1") => value.ToString(format, CultureInfo.InvariantCulture);
var kib = new byte[1024];
Random.Shared.NextBytes(kib);
var n = 0;
Task<EmbeddedStore> Open(string name) =>
    EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = Path.Combine(work, name) }, NullLogger.Instance, default);

// 0. Raw fsync latency of this disk: 1 KiB append + fsync.
var fsync = new List<double>();
await using (var file = new FileStream(Path.Combine(work, "fsync.probe"), FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
{
    for (var i = 0; i < 500; i++)
    {
        var sw = Stopwatch.StartNew();
        file.Write(kib);
        file.Flush(flushToDisk: true);
        fsync.Add(sw.Elapsed.TotalMilliseconds);
    }
}
var rawFsync = Median(fsync);
Row("raw fsync latency (1 KiB append + fsync), median", $"{F(rawFsync, "F3")} ms");

await using (var store = await Open("seq"))
{
    // 1. Sequential durable creates, one client.
    var latencies = new List<double>();
    var total = Stopwatch.StartNew();
    for (var i = 0; i < 2000; i++)
    {
        var sw = Stopwatch.StartNew();
        await store.CreateAsync($"/seq/{i}", kib, 0, default);
        latencies.Add(sw.Elapsed.TotalMilliseconds);
    }
    Row("sequential durable creates (1 client, 1 KiB), median latency", $"{F(Median(latencies), "F3")} ms = {F(Median(latencies) / rawFsync, "F2")}x raw fsync; {F(2000 / total.Elapsed.TotalSeconds, "F0")} writes/s");

    // 2. Concurrent writes: 64 clients, 1 KiB values.
    total.Restart();
    const int PerClient = 400;
    await Task.WhenAll(Enumerable.Range(0, 64).Select(c => Task.Run(async () =>
    {
        for (var i = 0; i < PerClient; i++)
        {
            await store.CreateAsync($"/conc/{c}/{i}", kib, 0, default);
        }
    })));
    Row("concurrent writes (64 clients, 1 KiB)", $"{F(64 * PerClient / total.Elapsed.TotalSeconds, "F0")} writes/s");

    // 3. Point reads.
    total.Restart();
    for (var i = 0; i < 200_000; i++)
    {
        await store.GetAsync($"/seq/{i % 2000}", 0, default);
    }
    Row("point reads (1 client)", $"{F(200_000 / total.Elapsed.TotalSeconds, "F0")} reads/s");

    // 4. A prefix range of 10,000 keys.
    for (var i = 0; i < 10_000; i++)
    {
        await store.CreateAsync($"/range/{i:D5}", kib[..256], 0, default);
    }
    var ranges = new List<double>();
    for (var i = 0; i < 20; i++)
    {
        var sw = Stopwatch.StartNew();
        var result = await store.RangeAsync(new RangeRequest("/range/"), default);
        ranges.Add(sw.Elapsed.TotalMilliseconds);
        n += result.Items.Count;
    }
    Row("range of 10,000 keys (256 B values), median", $"{F(Median(ranges), "F2")} ms");

    // 5. 1,000 watchers on one prefix during 10,000 writes: delivery latency from write start.
    var started = new long[10_001];
    var baseRevision = await store.GetCurrentRevisionAsync(default);
    var delivery = new List<double>[1000];
    using var stop = new CancellationTokenSource();
    var watchers = Enumerable.Range(0, 1000).Select(w => Task.Run(async () =>
    {
        var mine = delivery[w] = new List<double>(10_000);
        try
        {
            await foreach (var ev in store.WatchAsync("/watch/", baseRevision + 1, stop.Token))
            {
                mine.Add(Stopwatch.GetElapsedTime(started[ev.Revision - baseRevision]).TotalMilliseconds);
                if (ev.Revision - baseRevision == 10_000)
                {
                    break;
                }
            }
        }
        catch (WatchLaggedException)
        {
            mine.Add(double.PositiveInfinity);
        }
    })).ToArray();
    await Task.Delay(500);
    for (var i = 1; i <= 10_000; i++)
    {
        started[i] = Stopwatch.GetTimestamp();
        await store.CreateAsync($"/watch/{i}", kib[..128], 0, default);
    }
    await Task.WhenAll(watchers).WaitAsync(TimeSpan.FromMinutes(2));
    var all = delivery.SelectMany(d => d).Order().ToList();
    Row("watch delivery, 1,000 watchers x 10,000 writes", $"p50 {F(all[all.Count / 2], "F2")} ms, p99 {F(all[(int)(all.Count * 0.99)], "F2")} ms ({all.Count} deliveries, {all.Count(double.IsPositiveInfinity)} cut off)");
}

// 6. Restart time with 100,000 keys.
await using (var store = await Open("restart"))
{
    await Task.WhenAll(Enumerable.Range(0, 64).Select(c => Task.Run(async () =>
    {
        for (var i = c; i < 100_000; i += 64)
        {
            await store.CreateAsync($"/registry/pods/default/pod-{i:D6}", kib[..512], 0, default);
        }
    })));
}
var restart = Stopwatch.StartNew();
await using (var store = await Open("restart"))
{
    Row("restart with 100,000 keys (512 B values)", $"{F(restart.Elapsed.TotalSeconds, "F2")} s to open ({await store.CountAsync("/", default)} keys)");
}

// 7. RSS and disk after 1,000,000 updates spread over 1,000 keys.
await using (var store = await Open("churn"))
{
    var revisions = new long[1000];
    await Task.WhenAll(Enumerable.Range(0, 50).Select(c => Task.Run(async () =>
    {
        for (var i = c; i < 1_000_000; i += 50)
        {
            var key = i % 1000;
            var result = revisions[key] == 0
                ? await store.CreateAsync($"/churn/{key}", kib, 0, default)
                : await store.UpdateAsync($"/churn/{key}", kib, revisions[key], 0, default);
            if (result.Succeeded)
            {
                revisions[key] = result.Revision;
            }
            else
            {
                revisions[key] = result.Current?.ModRevision ?? 0;
            }
        }
    })));
    // Let automatic compaction and the last checkpoint run.
    var current = await store.GetCurrentRevisionAsync(default);
    await store.CompactAsync(current - 10_000, default);
    await Task.Delay(2000);
    GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    var rss = Process.GetCurrentProcess().WorkingSet64;
    var disk = Directory.EnumerateFiles(Path.Combine(work, "churn"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
    var live = 1000L * (1024 + 16);
    Row("after 1,000,000 updates over 1,000 keys (1 KiB)", $"disk {F(disk / 1048576.0)} MiB = {F((double)disk / live)}x live data ({F(live / 1048576.0)} MiB); bench process RSS {F(rss / 1048576.0)} MiB; revision {current}");
}

Console.WriteLine("| workload | embedded store |");
Console.WriteLine("|---|---|");
foreach (var (workload, result) in rows)
{
    Console.WriteLine($"| {workload} | {result} |");
}
GC.KeepAlive(n);
Directory.Delete(work, recursive: true);

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}
