using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Bench;

/// <summary>
/// <c>scripts/bench snapshot</c>: the issue's figure "a snapshot of 100,000 objects takes ≤ 2 s while
/// creates continue, and slows them by ≤ 20 % during the snapshot". Loads OBJECTS keys of 1 KiB
/// (a typical object's size) into an embedded store, then per round runs concurrent creators,
/// measures their rate for a while (each creator deletes what it created, so the store stays at
/// OBJECTS keys), takes a snapshot while they go on, and compares their rate during the snapshot
/// with the rate just before. This is the store's own figure, below the API server (whose
/// per-request work would dilute the slowdown), through the same call <c>mkube snapshot save</c>
/// makes in a running server.
/// <para>
/// The store's own checkpoints (the same size as a snapshot) run whenever its log outgrows the
/// last one, here every few seconds of churn: a round says when one overlapped its snapshot, and
/// the rounds only start once the checkpoints of the initial load are done. Each round also prints
/// the creates per 100 ms around the snapshot and the GCs during it, to show where a slowdown is.
/// </para>
/// </summary>
internal static class SnapshotBench
{
    private const int Creators = 32;
    private static readonly TimeSpan Baseline = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Bucket = TimeSpan.FromMilliseconds(100);

    public static async Task RunAsync(string work, int objects, int rounds, string snapshots)
    {
        var value = new byte[1024];
        Random.Shared.NextBytes(value);
        var dbDir = Path.Combine(work, "db");
        using var waits = new LockWaits();
        await using var store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = dbDir }, NullLogger.Instance, default);
        var checkpoints = new CheckpointWatch(Path.Combine(dbDir, "checkpoints"));
        var load = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < objects; i = Interlocked.Increment(ref next))
            {
                await store.CreateAsync($"/registry/configmaps/bench/object-{i:D7}", value, 0, default);
            }
        })));
        while (checkpoints.Running)
        {
            await Task.Delay(50);
        }
        Console.Error.WriteLine($"loaded {objects:N0} objects of 1 KiB in {load.Elapsed.TotalSeconds:F1} s");

        var results = new List<(double Seconds, double Before, double During, long Keys, long Bytes)>();
        for (var round = 1; round <= rounds; round++)
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
            using var timeline = new Timeline(() => Interlocked.Read(ref created), checkpoints);
            var costBefore = Costs.Now();
            var gcBaseline = GcCounts.Now();
            var (before, _) = await RateAsync(() => Interlocked.Read(ref created), () => Task.Delay(Baseline));
            var file = Path.Combine(snapshots, $"snapshot-{round}");
            Storage.Snapshots.SnapshotResult saved = null!;
            var gcBefore = GcCounts.Now();
            var costStart = Costs.Now();
            var snapshotCpuStart = timeline.SnapshotCpu;
            var start = timeline.Elapsed;
            var (during, took) = await RateAsync(() => Interlocked.Read(ref created), async () => saved = await store.SaveSnapshotAsync(file, default));
            var end = timeline.Elapsed;
            var costEnd = Costs.Now();
            var gc = GcCounts.Now() - gcBefore;
            var gcBeforeWindow = gcBefore - gcBaseline;
            await Task.Delay(Bucket * 3);
            var snapshotCpu = timeline.SnapshotCpu - snapshotCpuStart; // its thread's last sample is in by now
            await stop.CancelAsync();
            await Task.WhenAll(creators);
            var bytes = new FileInfo(file).Length;
            File.Delete(file);
            results.Add((took.TotalSeconds, before, during, saved.Keys, bytes));
            var overlap = timeline.CheckpointBetween(start, end) ? "; a checkpoint ran during it" : "";
            Console.Error.WriteLine($"round {round}: snapshot of {saved.Keys:N0} keys ({bytes / 1e6:F0} MB) in {took.TotalSeconds:F2} s; creates {before:F0}/s before, {during:F0}/s during ({Slowdown(before, during):F1} % slower){overlap}");
            Console.Error.WriteLine($"  GCs before it ({Baseline.TotalSeconds:F0} s): {gcBeforeWindow}; during it: {gc}");
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  per second before / during: GC pause {gcBeforeWindow.Paused.TotalMilliseconds / Baseline.TotalSeconds:F1} / {gc.Paused.TotalMilliseconds / took.TotalSeconds:F1} ms, allocated {gcBeforeWindow.Allocated / Baseline.TotalSeconds / 1e6:F1} / {gc.Allocated / took.TotalSeconds / 1e6:F1} MB, lock waits {waits.Between(costBefore.At, costStart.At) / Baseline.TotalSeconds:F1} / {waits.Between(costStart.At, costEnd.At) / took.TotalSeconds:F1} ms"));
            Console.Error.WriteLine($"  snapshot thread CPU: {snapshotCpu}; process: {costStart - costBefore} before, {costEnd - costStart} during");
            Console.Error.WriteLine($"  creates per 100 ms (| snapshot, * a checkpoint running): {timeline.Describe(start - (Bucket * 5), start, end, end + (Bucket * 3))}");
        }

        // The snapshot's own costs, with nothing else running: what it allocates and collects is its alone.
        {
            await Task.Delay(Bucket * 5);
            var gcBefore = GcCounts.Now();
            var file = Path.Combine(snapshots, "snapshot-alone");
            var clock = Stopwatch.StartNew();
            var saved = await store.SaveSnapshotAsync(file, default);
            var took = clock.Elapsed;
            var gc = GcCounts.Now() - gcBefore;
            File.Delete(file);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"alone: snapshot of {saved.Keys:N0} keys in {took.TotalSeconds:F2} s; allocated {gc.Allocated / 1e6:F1} MB; GCs {gc}"));
        }

        var median = results.OrderBy(r => r.Seconds).ElementAt(rounds / 2);
        var slowdowns = results.Select(r => Slowdown(r.Before, r.During)).Order().ToList();
        Console.WriteLine($"| figure | goal | measured (median of {rounds}) |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| snapshot of {objects:N0} objects while {Creators} creators run | ≤ 2 s | {median.Seconds:F2} s ({median.Keys:N0} keys, {median.Bytes / 1e6:F0} MB; rounds {string.Join(", ", results.Select(r => r.Seconds.ToString("F2", CultureInfo.InvariantCulture)))} s) |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| create rate during the snapshot vs before | ≤ 20 % slower | {slowdowns[rounds / 2]:F1} % slower (rounds: {string.Join(", ", results.Select(r => $"{r.Before:F0}→{r.During:F0}/s"))}) |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| load average at the end | | {File.ReadAllText("/proc/loadavg").Split(' ')[0]} |"));
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

    /// <summary>Whether the store is writing a checkpoint: its temp file exists.</summary>
    private sealed class CheckpointWatch(string directory)
    {
        public bool Running => Directory.Exists(directory) && Directory.EnumerateFiles(directory, "*.tmp").Any();
    }

    /// <summary>
    /// Samples the create count and whether a checkpoint runs every few milliseconds, on a thread
    /// of its own (a sleeping thread-pool thread would take one from the creators).
    /// </summary>
    private sealed class Timeline : IDisposable
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<(TimeSpan At, long Count, bool Checkpoint)> _samples = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private readonly NamedThreads _snapshots = new("store snapshot"); // EmbeddedStore.SnapshotThreadName

        public Timeline(Func<long> count, CheckpointWatch checkpoints)
        {
            _thread = new Thread(() =>
            {
                for (var n = 0; !_stop.IsCancellationRequested; n++)
                {
                    var sample = (_clock.Elapsed, count(), checkpoints.Running);
                    lock (_samples)
                    {
                        _samples.Add(sample);
                        _snapshots.Sample();
                    }
                    Thread.Sleep(5);
                }
            }) { IsBackground = true, Name = "bench timeline" };
            _thread.Start();
        }

        public TimeSpan Elapsed => _clock.Elapsed;

        /// <summary>The CPU time the store's snapshot threads have used so far.</summary>
        public ThreadCpu SnapshotCpu
        {
            get
            {
                lock (_samples)
                {
                    return _snapshots.Total;
                }
            }
        }

        public bool CheckpointBetween(TimeSpan from, TimeSpan to)
        {
            lock (_samples)
            {
                return _samples.Any(s => s.At >= from && s.At <= to && s.Checkpoint);
            }
        }

        /// <summary>Creates per bucket from <paramref name="from"/> to <paramref name="to"/>, with the snapshot's start and end marked.</summary>
        public string Describe(TimeSpan from, TimeSpan start, TimeSpan end, TimeSpan to)
        {
            List<(TimeSpan At, long Count, bool Checkpoint)> samples;
            lock (_samples)
            {
                samples = [.. _samples];
            }
            long CountAt(TimeSpan t) => samples.LastOrDefault(s => s.At <= t, samples[0]).Count;
            var text = new StringBuilder();
            for (var t = from; t < to; t += Bucket)
            {
                if (t <= start && start < t + Bucket)
                {
                    text.Append(" |");
                }
                var checkpoint = samples.Any(s => s.At >= t && s.At < t + Bucket && s.Checkpoint) ? "*" : "";
                text.Append(CultureInfo.InvariantCulture, $" {CountAt(t + Bucket) - CountAt(t)}{checkpoint}");
                if (t <= end && end < t + Bucket)
                {
                    text.Append(" |");
                }
            }
            return text.ToString().TrimStart();
        }

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            _stop.Dispose();
        }
    }

    /// <summary>
    /// The process's CPU time (all threads, from /proc/self/stat) and the store lock's contentions
    /// (<see cref="Monitor.LockContentionCount"/> counts System.Threading.Lock's) at one moment; a
    /// difference of two reads describes the window between them.
    /// </summary>
    private readonly record struct Costs(TimeSpan At, TimeSpan Cpu, long Contentions)
    {
        private static readonly Stopwatch Clock = Stopwatch.StartNew();

        public static TimeSpan Elapsed => Clock.Elapsed;

        public static Costs Now() => new(Clock.Elapsed, ThreadCpu.Read("/proc/self/stat").Total, Monitor.LockContentionCount);

        public static Costs operator -(Costs a, Costs b) => new(a.At - b.At, a.Cpu - b.Cpu, a.Contentions - b.Contentions);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Cpu.TotalSeconds / At.TotalSeconds:F2} cores, {Contentions / At.TotalSeconds:F0} lock contentions/s");
    }

    /// <summary>User and system CPU time of a thread or process, from its stat file in /proc (clock ticks of 10 ms).</summary>
    private readonly record struct ThreadCpu(TimeSpan User, TimeSpan System)
    {
        public TimeSpan Total => User + System;

        public static ThreadCpu Read(string statFile)
        {
            var stat = File.ReadAllText(statFile);
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // the name in parentheses may hold spaces
            return new(Ticks(fields[11]), Ticks(fields[12])); // utime and stime are fields 14 and 15 of the line
        }

        public static ThreadCpu operator -(ThreadCpu a, ThreadCpu b) => new(a.User - b.User, a.System - b.System);

        public static ThreadCpu operator +(ThreadCpu a, ThreadCpu b) => new(a.User + b.User, a.System + b.System);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Total.TotalSeconds:F2} s (user {User.TotalSeconds:F2}, system {System.TotalSeconds:F2})");

        private static TimeSpan Ticks(string field) => TimeSpan.FromMilliseconds(long.Parse(field, CultureInfo.InvariantCulture) * 10); // USER_HZ is 100 on Linux
    }

    /// <summary>
    /// The CPU time of every thread the store named for its snapshots, each as last sampled (a
    /// thread's figures vanish from /proc when it ends, so it is sampled while it runs).
    /// </summary>
    private sealed class NamedThreads(string name)
    {
        private readonly Dictionary<string, ThreadCpu> _named = [];
        // Threads that were there before any snapshot: a new thread takes its name only once it runs.
        private readonly HashSet<string> _others = [.. Directory.EnumerateDirectories("/proc/self/task")];

        public ThreadCpu Total => _named.Values.Aggregate(default(ThreadCpu), (a, b) => a + b);

        public void Sample()
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    if (_others.Contains(task))
                    {
                        continue;
                    }
                    if (_named.ContainsKey(task) || File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name)
                    {
                        _named[task] = ThreadCpu.Read(Path.Combine(task, "stat"));
                    }
                }
                catch (IOException)
                {
                    // The thread ended between the listing and the read: its last sample stands.
                }
            }
        }
    }

    /// <summary>Collections per generation, the time the GC paused the process and the bytes allocated.</summary>
    private readonly record struct GcCounts(int Gen0, int Gen1, int Gen2, TimeSpan Paused, long Allocated)
    {
        public static GcCounts Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(precise: true));

        public static GcCounts operator -(GcCounts a, GcCounts b) => new(a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.Paused - b.Paused, a.Allocated - b.Allocated);

        public override string ToString() => $"gen0 {Gen0}, gen1 {Gen1}, gen2 {Gen2}; paused {Paused.TotalMilliseconds:F0} ms";
    }

    /// <summary>
    /// The time threads waited for contended locks (the runtime's ContentionStop events, which
    /// System.Threading.Lock raises too), by when each wait ended, on the clock of <see cref="Costs"/>.
    /// Events arrive late and in batches, so a window is summed once it is over.
    /// </summary>
    private sealed class LockWaits : EventListener
    {
        private const EventKeywords Contention = (EventKeywords)0x4000;
        private readonly List<(TimeSpan At, double Milliseconds)> _waits = [];

        /// <summary>Milliseconds waited in waits that ended between <paramref name="from"/> and <paramref name="to"/>.</summary>
        public double Between(TimeSpan from, TimeSpan to)
        {
            Thread.Sleep(1500); // the runtime delivers its events about once a second
            lock (_waits)
            {
                return _waits.Where(w => w.At >= from && w.At < to).Sum(w => w.Milliseconds);
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Informational, Contention);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("ContentionStop", StringComparison.Ordinal) != true || eventData.PayloadNames?.IndexOf("DurationNs") is not (>= 0 and var at))
            {
                return;
            }
            var ago = DateTime.UtcNow - eventData.TimeStamp.ToUniversalTime();
            lock (_waits)
            {
                _waits.Add((Costs.Elapsed - ago, Convert.ToDouble(eventData.Payload![at], CultureInfo.InvariantCulture) / 1e6));
            }
        }
    }
}
