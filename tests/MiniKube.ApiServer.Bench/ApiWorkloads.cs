using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace MiniKube.ApiServer.Bench;

/// <summary>
/// The issue's API workloads over HTTPS/HTTP2 with the admin certificate: concurrent creates and
/// GETs, a LIST of 10,000 pods, and watch delivery to 500 watchers (with the number of store
/// watches open meanwhile). Each result goes into the dictionary under a fixed name so the two
/// backends print side by side.
/// </summary>
internal static class ApiWorkloads
{
    public const int Clients = 64;
    public const int Pods = 10_000;

    /// <summary>Seconds of creates and GETs before anything is measured, so the JIT has optimized the hot paths.</summary>
    public const int WarmupSeconds = 20;
    public const int Watchers = 500;
    public const int WatchWrites = 200;

    /// <summary>Writes of the uncounted first watch round.</summary>
    public const int WatchWarmupWrites = 100;

    /// <summary>Writes per second while watchers watch.</summary>
    public const int WatchWriteRate = 100;

    /// <summary>Watchers share connections in groups of 25, as if 20 client processes were watching.</summary>
    public const int WatchClients = 20;

    /// <param name="only">After the warm-up, only this workload ("watch" or "crs", to compare builds quickly); null: all.</param>
    public static async Task RunAsync(MkubeServer server, IDictionary<string, double> results, string? only = null)
    {
        var http = server.Client;
        await PrepareAsync(server);
        await WarmUpAsync(server);
        if (only == "watch")
        {
            await WatchWarmedAsync(server, results);
            return;
        }
        if (only == "crs")
        {
            await CustomResourceWorkloads.RunAsync(server, results);
            return;
        }
        if (only == "rbac")
        {
            await RbacWorkloads.RunAsync(server, results);
            return;
        }

        // Creates: 64 clients, 10,000 pods.
        var podsUri = new Uri(server.Address, "/api/v1/namespaces/bench/pods");
        var next = -1;
        var serverCpu = server.CpuTime();
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (createRate, createLatencies) = await RunClientsAsync(Clients, async latencies =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Pods)
            {
                var started = Stopwatch.GetTimestamp();
                await SendAsync(http, HttpMethod.Post, podsUri, Pod(i), HttpStatusCode.Created);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
        results["create/s"] = createRate;
        results["create server cpu us"] = (server.CpuTime() - serverCpu).TotalMicroseconds / Pods;
        results["create client cpu us"] = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalMicroseconds / Pods;
        results["create p50"] = Percentile(createLatencies, 50);
        results["create p99"] = Percentile(createLatencies, 99);
        Console.Error.WriteLine($"  create: {createRate:F0}/s; CPU per create: server {results["create server cpu us"]:F0} us, benchmark client {results["create client cpu us"]:F0} us");

        // GETs: 64 clients for 10 s on random pods.
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
        var (getRate, getLatencies) = await RunClientsAsync(Clients, async latencies =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                var started = Stopwatch.GetTimestamp();
                await SendAsync(http, HttpMethod.Get, new Uri(podsUri + "/p-" + Random.Shared.Next(Pods).ToString(CultureInfo.InvariantCulture)), null, HttpStatusCode.OK);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
        results["get/s"] = getRate;
        results["get p50"] = Percentile(getLatencies, 50);
        results["get p99"] = Percentile(getLatencies, 99);
        Console.Error.WriteLine($"  get: {getRate:F0}/s");

        // LIST of all 10,000 pods, whole body read; median of 5 after one warm-up.
        var lists = new List<double>();
        for (var run = 0; run < 6; run++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(podsUri);
            var body = await response.Content.ReadAsByteArrayAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (run == 0)
            {
                using var doc = JsonDocument.Parse(body);
                var count = doc.RootElement.GetProperty("items").GetArrayLength();
                if (count != Pods)
                {
                    throw new InvalidOperationException($"LIST returned {count} pods, expected {Pods}");
                }
                continue;
            }
            lists.Add(elapsed);
        }
        results["list 10k"] = Percentile(lists, 50);
        Console.Error.WriteLine($"  list: {results["list 10k"]:F0} ms");

        await ApplyVersusUpdateAsync(server, results);
        await CustomResourceWorkloads.RunAsync(server, results);
        await RbacWorkloads.RunAsync(server, results);

        await WatchWarmedAsync(server, results);
        await Task.Delay(TimeSpan.FromSeconds(5));
        results["rss after load MB"] = server.RssBytes() / 1048576.0;
    }

    /// <summary>The namespaces the workloads write in, each with the default ServiceAccount that pods need.</summary>
    internal static async Task PrepareAsync(MkubeServer server)
    {
        foreach (var ns in new[] { "bench", "watch", "warmup" })
        {
            await SendAsync(server.Client, HttpMethod.Post, new Uri(server.Address, "/api/v1/namespaces"), $"{{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{{\"name\":\"{ns}\"}}}}", HttpStatusCode.Created);
            // No controller manager runs: the default ServiceAccount that pods need (ServiceAccount admission) is made here.
            await SendAsync(server.Client, HttpMethod.Post, new Uri(server.Address, $"/api/v1/namespaces/{ns}/serviceaccounts"), "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"default\"}}", HttpStatusCode.Created);
        }
    }

    /// <summary>
    /// Warm-up, not measured: a server that has run for a while has compiled its hot paths (the
    /// binary is not ReadyToRun-compiled, to keep it small); the figures are steady state.
    /// </summary>
    internal static async Task WarmUpAsync(MkubeServer server)
    {
        var http = server.Client;
        var warmupUri = new Uri(server.Address, "/api/v1/namespaces/warmup/pods");
        var warm = -1;
        var warmUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency * WarmupSeconds;
        await RunClientsAsync(Clients, async _ =>
        {
            int i;
            while (Stopwatch.GetTimestamp() < warmUntil && (i = Interlocked.Increment(ref warm)) >= 0)
            {
                await SendAsync(http, HttpMethod.Post, warmupUri, Pod(i), HttpStatusCode.Created);
                await SendAsync(http, HttpMethod.Get, new Uri(warmupUri + "/p-" + i.ToString(CultureInfo.InvariantCulture)), null, HttpStatusCode.OK);
            }
        });
    }

    /// <summary>
    /// Watch delivery once the watch path is warm, as the other workloads are measured after 20 s
    /// of warm-up load: a first round of <see cref="WatchWarmupWrites"/> events to the same 500
    /// watchers is not counted (in that first second the server's fan-out still runs code the JIT
    /// has not optimized yet).
    /// </summary>
    private static async Task WatchWarmedAsync(MkubeServer server, IDictionary<string, double> results)
    {
        var warmup = new Dictionary<string, double>();
        await WatchAsync(server, warmup, "warm-", WatchWarmupWrites);
        await WatchAsync(server, results, "w-", WatchWrites);
        // Before the first 500 watchers came (the measured round finds the resource's cache already open).
        results["store watches before"] = warmup["store watches before"];
    }

    private static async Task WatchAsync(MkubeServer server, IDictionary<string, double> results, string namePrefix, int writeCount)
    {
        var http = server.Client;
        var collection = new Uri(server.Address, "/api/v1/namespaces/watch/configmaps");
        using var listed = await http.GetAsync(collection);
        using var listDoc = JsonDocument.Parse(await listed.Content.ReadAsStringAsync());
        var rv = listDoc.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        results["store watches before"] = await StoreWatchesAsync(server);
        var sentAt = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource();
        var connected = 0;
        var delivered = 0;
        var clients = Enumerable.Range(0, WatchClients).Select(_ => server.NewClient()).ToArray();
        var watchers = Enumerable.Range(0, Watchers).Select(w => Task.Run(async () =>
        {
            using var response = await clients[w % WatchClients].GetAsync(new Uri($"{collection}?watch=true&resourceVersion={rv}"), HttpCompletionOption.ResponseHeadersRead, stop.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            Interlocked.Increment(ref connected);
            var seen = 0;
            while (seen < writeCount && await reader.ReadLineAsync(stop.Token) is { } line)
            {
                var now = Stopwatch.GetTimestamp();
                var name = NameOf(line);
                if (sentAt.TryGetValue(name, out var sent))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                }
                seen++;
                Interlocked.Increment(ref delivered);
            }
        })).ToList();
        while (Volatile.Read(ref connected) < Watchers)
        {
            await Task.Delay(10);
        }
        await Task.Delay(500);
        // The watch cache's promise: one store watch per resource, whatever the number of API watchers.
        results["store watches"] = await StoreWatchesAsync(server);
        // One write every 10 ms (100 writes/s, 50,000 deliveries/s), each timed from just before
        // its POST to its arrival at each watcher.
        var writes = new List<Task>();
        var serverCpu = server.CpuTime();
        var pace = Stopwatch.StartNew();
        for (var i = 0; i < writeCount; i++)
        {
            var due = TimeSpan.FromMilliseconds(i * 1000.0 / WatchWriteRate);
            if (due > pace.Elapsed)
            {
                await Task.Delay(due - pace.Elapsed);
            }
            var name = namePrefix + i.ToString(CultureInfo.InvariantCulture);
            sentAt[name] = Stopwatch.GetTimestamp();
            writes.Add(SendAsync(http, HttpMethod.Post, collection, $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\"}},\"data\":{{\"k\":\"v\"}}}}", HttpStatusCode.Created));
        }
        await Task.WhenAll(writes);
        var all = Task.WhenAll(watchers);
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))) != all)
        {
            await stop.CancelAsync();
            Console.Error.WriteLine($"  watch: only {delivered} of {Watchers * writeCount} events arrived within 60 s");
        }
        results["watch server cpu us"] = (server.CpuTime() - serverCpu).TotalMicroseconds / Math.Max(1, Volatile.Read(ref delivered));
        foreach (var client in clients)
        {
            client.Dispose();
        }
        var sorted = latencies.ToList();
        results["watch p50"] = Percentile(sorted, 50);
        results["watch p99"] = Percentile(sorted, 99);
        results["watch delivered"] = delivered;
        Console.Error.WriteLine($"  watch ({writeCount} writes named {namePrefix}*): p50 {results["watch p50"]:F1} ms, p99 {results["watch p99"]:F1} ms, {delivered} events, mkube CPU per delivered event {results["watch server cpu us"]:F1} us, {results["store watches"]} store watches open");
    }

    /// <summary>The server's mkube_store_watches gauge (NaN when it has none).</summary>
    private static Task<double> StoreWatchesAsync(MkubeServer server) => MetricAsync(server, "mkube_store_watches ");

    /// <summary>The value of the server's /metrics line that starts with <paramref name="sample"/> (name and labels, then a space); NaN when there is none.</summary>
    internal static async Task<double> MetricAsync(MkubeServer server, string sample)
    {
        var metrics = await server.Client.GetStringAsync(new Uri(server.Address, "/metrics"));
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(sample, StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line[sample.Length..], CultureInfo.InvariantCulture);
    }

    private static string NameOf(string line)
    {
        const string marker = "\"name\":\"";
        var at = line.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return line[at..line.IndexOf('"', at)];
    }

    internal static async Task<(double Rate, List<double> Latencies)> RunClientsAsync(int clients, Func<ConcurrentBag<double>, Task> client)
    {
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(() => client(latencies))));
        var elapsed = clock.Elapsed.TotalSeconds;
        return (latencies.Count / elapsed, latencies.ToList());
    }

    /// <summary>
    /// Server-side apply against a plain update of the same Deployment, one client, alternating
    /// (issue 13: apply p99 ≤ 2× update p99): each write changes one annotation, so both record
    /// ownership of a changed field.
    /// </summary>
    private static async Task ApplyVersusUpdateAsync(MkubeServer server, IDictionary<string, double> results)
    {
        const int Writes = 500;
        var http = server.Client;
        var collection = new Uri(server.Address, "/apis/apps/v1/namespaces/bench/deployments");
        var item = new Uri(collection + "/web");
        await SendAsync(http, HttpMethod.Post, collection, Deployment("0"), HttpStatusCode.Created);
        var applyUri = new Uri(item + "?fieldManager=bench-apply&force=true");
        var updates = new List<double>();
        var applies = new List<double>();
        for (var i = 0; i < Writes * 2; i++)
        {
            var value = i.ToString(CultureInfo.InvariantCulture);
            var started = Stopwatch.GetTimestamp();
            if (i % 2 == 0)
            {
                await SendAsync(http, HttpMethod.Put, item, Deployment(value), HttpStatusCode.OK);
                updates.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            else
            {
                await SendAsync(http, HttpMethod.Patch, applyUri, Deployment(value), HttpStatusCode.OK, "application/apply-patch+yaml");
                applies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        // The first tenth warms both paths up and is not counted.
        updates.RemoveRange(0, Writes / 10);
        applies.RemoveRange(0, Writes / 10);
        results["update p50"] = Percentile(updates, 50);
        results["update p99"] = Percentile(updates, 99);
        results["apply p50"] = Percentile(applies, 50);
        results["apply p99"] = Percentile(applies, 99);
        Console.Error.WriteLine($"  deployment update p50/p99 {results["update p50"]:F2}/{results["update p99"]:F2} ms, server-side apply {results["apply p50"]:F2}/{results["apply p99"]:F2} ms");
    }

    private static string Deployment(string revision) =>
        $"{{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{{\"name\":\"web\",\"annotations\":{{\"bench/revision\":\"{revision}\"}}}},\"spec\":{{\"replicas\":3,\"selector\":{{\"matchLabels\":{{\"app\":\"web\"}}}},\"template\":{{\"metadata\":{{\"labels\":{{\"app\":\"web\"}}}},\"spec\":{{\"containers\":[{{\"name\":\"web\",\"image\":\"mkube.local/busybox:1\",\"command\":[\"sleep\",\"3600\"],\"ports\":[{{\"containerPort\":80}}],\"env\":[{{\"name\":\"A\",\"value\":\"1\"}}],\"resources\":{{\"requests\":{{\"cpu\":\"10m\",\"memory\":\"16Mi\"}}}}}}]}}}}}}}}";

    internal static async Task SendAsync(HttpClient http, HttpMethod method, Uri uri, string? body, HttpStatusCode expected, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }
        using var response = await http.SendAsync(request);
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{method} {uri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        await response.Content.CopyToAsync(Stream.Null);
    }

    internal static string Pod(int i) => Pod("p-" + i.ToString(CultureInfo.InvariantCulture));

    /// <summary>The pod every create workload posts: one container with requests, a label.</summary>
    internal static string Pod(string name) =>
        $"{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"{name}\",\"labels\":{{\"app\":\"bench\"}}}},\"spec\":{{\"containers\":[{{\"name\":\"main\",\"image\":\"mkube.local/busybox:1\",\"command\":[\"sleep\",\"3600\"],\"resources\":{{\"requests\":{{\"cpu\":\"10m\",\"memory\":\"16Mi\"}}}}}}]}}}}";

    public static double Percentile(List<double> values, int percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        values.Sort();
        return values[Math.Min(values.Count - 1, (int)Math.Ceiling(percentile / 100.0 * values.Count) - 1)];
    }
}
