using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace MiniKube.ApiServer.Health;

/// <summary>
/// /metrics in Prometheus text format: request counts and latency histograms per verb,
/// resource and code (named as kube-apiserver's apiserver_request_total and
/// apiserver_request_duration_seconds), in-flight watches, the watches open on the store (ours:
/// mkube_store_watches, one per cached resource whatever the number of API watchers), and the
/// process's memory and CPU.
/// </summary>
public sealed class ApiMetrics(Func<long>? storeWatches = null)
{
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly ConcurrentDictionary<(string Verb, string Resource, int Code), long> _requests = new();
    private readonly ConcurrentDictionary<(string Verb, string Resource), Histogram> _durations = new();
    private long _watches;

    private sealed class Histogram
    {
        public readonly long[] Counts = new long[Buckets.Length];
        public long Total;
        public double Sum;
        public readonly Lock Gate = new();
    }

    public void WatchStarted() => Interlocked.Increment(ref _watches);

    public void WatchEnded() => Interlocked.Decrement(ref _watches);

    public void Record(string verb, string resource, int code, TimeSpan elapsed)
    {
        _requests.AddOrUpdate((verb, resource, code), 1, (_, n) => n + 1);
        if (verb == "WATCH")
        {
            return;
        }
        var histogram = _durations.GetOrAdd((verb, resource), _ => new Histogram());
        var seconds = elapsed.TotalSeconds;
        lock (histogram.Gate)
        {
            for (var i = 0; i < Buckets.Length; i++)
            {
                if (seconds <= Buckets[i])
                {
                    histogram.Counts[i]++;
                }
            }
            histogram.Total++;
            histogram.Sum += seconds;
        }
    }

    public string Render()
    {
        var text = new StringBuilder();
        text.Append("# HELP apiserver_request_total Counter of apiserver requests broken out by verb, resource and HTTP response code.\n");
        text.Append("# TYPE apiserver_request_total counter\n");
        foreach (var ((verb, resource, code), count) in _requests.OrderBy(r => r.Key))
        {
            text.Append(CultureInfo.InvariantCulture, $"apiserver_request_total{{code=\"{code}\",resource=\"{resource}\",verb=\"{verb}\"}} {count}\n");
        }
        text.Append("# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each verb and resource.\n");
        text.Append("# TYPE apiserver_request_duration_seconds histogram\n");
        foreach (var ((verb, resource), histogram) in _durations.OrderBy(d => d.Key))
        {
            lock (histogram.Gate)
            {
                var labels = $"resource=\"{resource}\",verb=\"{verb}\"";
                for (var i = 0; i < Buckets.Length; i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"apiserver_request_duration_seconds_bucket{{{labels},le=\"{Buckets[i]}\"}} {histogram.Counts[i]}\n");
                }
                text.Append(CultureInfo.InvariantCulture, $"apiserver_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {histogram.Total}\n");
                text.Append(CultureInfo.InvariantCulture, $"apiserver_request_duration_seconds_sum{{{labels}}} {histogram.Sum}\n");
                text.Append(CultureInfo.InvariantCulture, $"apiserver_request_duration_seconds_count{{{labels}}} {histogram.Total}\n");
            }
        }
        text.Append("# HELP apiserver_longrunning_requests Number of open watch requests.\n# TYPE apiserver_longrunning_requests gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"apiserver_longrunning_requests{{verb=\"WATCH\"}} {Interlocked.Read(ref _watches)}\n");
        if (storeWatches is not null)
        {
            text.Append("# HELP mkube_store_watches Number of watches open on the store (the watch cache holds one per resource).\n# TYPE mkube_store_watches gauge\n");
            text.Append(CultureInfo.InvariantCulture, $"mkube_store_watches {storeWatches()}\n");
        }
        using var process = Process.GetCurrentProcess();
        text.Append("# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"process_resident_memory_bytes {process.WorkingSet64}\n");
        text.Append("# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n# TYPE process_cpu_seconds_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"process_cpu_seconds_total {process.TotalProcessorTime.TotalSeconds}\n");
        text.Append("# HELP dotnet_gc_heap_bytes Bytes in the managed heap.\n# TYPE dotnet_gc_heap_bytes gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"dotnet_gc_heap_bytes {GC.GetTotalMemory(false)}\n");
        // What the GC holds from the OS (dotnet.gc.last_collection.memory.committed_size): with the
        // heap, it tells how much of the resident memory is the managed heap's.
        text.Append("# HELP dotnet_gc_committed_bytes Memory the GC has committed from the OS, as of the last collection.\n# TYPE dotnet_gc_committed_bytes gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"dotnet_gc_committed_bytes {GC.GetGCMemoryInfo().TotalCommittedBytes}\n");
        // The runtime's own figures under OpenTelemetry's names (dotnet.gc.collections, dotnet.gc.pause.time):
        // a slow stretch of requests can then be told apart from a collection that paused them.
        text.Append("# HELP dotnet_gc_collections_total Garbage collections since the process started, by the oldest generation collected.\n# TYPE dotnet_gc_collections_total counter\n");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            // CollectionCount(g) counts collections of g or older; the difference is those that stopped at g.
            var stoppedHere = GC.CollectionCount(generation) - (generation < GC.MaxGeneration ? GC.CollectionCount(generation + 1) : 0);
            text.Append(CultureInfo.InvariantCulture, $"dotnet_gc_collections_total{{gc_heap_generation=\"gen{generation}\"}} {stoppedHere}\n");
        }
        // dotnet.gc.heap.total_allocated: bytes allocated per request is a cost that, unlike CPU
        // time, does not swing with the machine's load (scripts/bench create reports it per create).
        text.Append("# HELP dotnet_gc_heap_total_allocated_bytes_total Bytes allocated on the managed heap since the process started.\n# TYPE dotnet_gc_heap_total_allocated_bytes_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"dotnet_gc_heap_total_allocated_bytes_total {GC.GetTotalAllocatedBytes(precise: false)}\n");
        text.Append("# HELP dotnet_gc_pause_time_seconds_total Time the runtime paused the process for garbage collections.\n# TYPE dotnet_gc_pause_time_seconds_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"dotnet_gc_pause_time_seconds_total {GC.GetTotalPauseDuration().TotalSeconds}\n");
        return text.ToString();
    }
}
