using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Bench;

/// <summary>
/// <c>scripts/bench snapshot</c>: the issue's figure "a snapshot of 100,000 objects takes ≤ 2 s while
/// creates continue, and slows them by ≤ 20 % during the snapshot". Loads OBJECTS keys of 1 KiB
/// (a typical object's size) into an embedded store, then per round runs concurrent creators,
/// measures their rate for a while (each creator deletes what it created, so the store stays at OBJECTS keys), takes a snapshot while they go on, and compares their rate
/// during the snapshot with the rate just before. This is the store's own figure, below the API
/// server (whose per-request work would dilute the slowdown), through the same call
/// <c>mkube snapshot save</c> makes in a running server.
/// </summary>
internal static class SnapshotBench
{
    private const int Creators = 32;
    private const int Rounds = 3;
    private static readonly TimeSpan Baseline = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(string work, int objects)
    {
        var value = new byte[1024];
        Random.Shared.NextBytes(value);
        await using var store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = Path.Combine(work, "db") }, NullLogger.Instance, default);
        var load = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < objects; i = Interlocked.Increment(ref next))
            {
                await store.CreateAsync($"/registry/configmaps/bench/object-{i:D7}", value, 0, default);
            }
        })));
        Console.Error.WriteLine($"loaded {objects:N0} objects of 1 KiB in {load.Elapsed.TotalSeconds:F1} s");

        var results = new List<(double Seconds, double Before, double During, long Keys, long Bytes)>();
        for (var round = 1; round <= Rounds; round++)
        {
            long created = 0;
            using var stop = new CancellationTokenSource();
            var creators = Enumerable.Range(0, Creators).Select(c => Task.Run(async () =>
            {
                // Each create's object is deleted again, so the snapshot stays at OBJECTS keys however fast they go.
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var key = $"/registry/configmaps/churn/r{round}-c{c}-{n:D7}";
                    await store.CreateAsync(key, value, 0, default);
                    Interlocked.Increment(ref created);
                    await store.DeleteAsync(key, 0, default);
                }
            })).ToList();
            await Task.Delay(TimeSpan.FromSeconds(1)); // warm up
            var (before, _) = await RateAsync(() => Interlocked.Read(ref created), () => Task.Delay(Baseline));
            var file = Path.Combine(work, $"snapshot-{round}");
            Storage.Snapshots.SnapshotResult saved = null!;
            var (during, took) = await RateAsync(() => Interlocked.Read(ref created), async () => saved = await store.SaveSnapshotAsync(file, default));
            await stop.CancelAsync();
            await Task.WhenAll(creators);
            var bytes = new FileInfo(file).Length;
            File.Delete(file);
            results.Add((took.TotalSeconds, before, during, saved.Keys, bytes));
            Console.Error.WriteLine($"round {round}: snapshot of {saved.Keys:N0} keys ({bytes / 1e6:F0} MB) in {took.TotalSeconds:F2} s; creates {before:F0}/s before, {during:F0}/s during ({Slowdown(before, during):F1} % slower)");
        }

        var median = results.OrderBy(r => r.Seconds).ElementAt(Rounds / 2);
        var slowdowns = results.Select(r => Slowdown(r.Before, r.During)).Order().ToList();
        Console.WriteLine("| figure | goal | measured (median of 3) |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| snapshot of {objects:N0} objects while {Creators} creators run | ≤ 2 s | {median.Seconds:F2} s ({median.Keys:N0} keys, {median.Bytes / 1e6:F0} MB) |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| create rate during the snapshot vs before | ≤ 20 % slower | {slowdowns[Rounds / 2]:F1} % slower (rounds: {string.Join(", ", results.Select(r => $"{r.Before:F0}→{r.During:F0}/s"))}) |"));
    }

    private static double Slowdown(double before, double during) => before <= 0 ? 0 : (before - during) / before * 100;

    /// <summary>Creates per second while <paramref name="work"/> runs, and how long it ran.</summary>
    private static async Task<(double Rate, TimeSpan Took)> RateAsync(Func<long> count, Func<Task> work)
    {
        var start = count();
        var clock = Stopwatch.StartNew();
        await work();
        var took = clock.Elapsed;
        return ((count() - start) / took.TotalSeconds, took);
    }
}
