using MiniKube.Testing;
using System.Globalization;
using MiniKube.ApiServer.Bench;

// scripts/bench api: the published mkube server on the embedded store and on a real etcd, in one
// run: start-to-ready, idle RSS, and the API workloads. Prints a Markdown table.
// Usage: MiniKube.ApiServer.Bench WORK_DIR MKUBE_BINARY [watch|crs|rbac|create|pods|cluster|kubelet|ingress|addons|soak|disk]   (after the warm-up only the watch, custom-resource or authorization workloads)
var work = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "mkube-bench-api");
var binary = args.Length > 1 ? args[1] : "artifacts/publish/mkube";
if (Directory.Exists(work))
{
    Directory.Delete(work, recursive: true);
}
Directory.CreateDirectory(work);

// scripts/bench ingress [SECONDS [CONNECTIONS [ROUNDS]]] and scripts/bench addons [SETTLE_SECONDS [ROUNDS]].
if (args.Length > 2 && args[2] is "ingress" or "addons")
{
    int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
    await (args[2] == "ingress" ? IngressBench.RunAsync(binary, work, Arg(3, 10), Arg(4, 32), Arg(5, 2)) : AddonsBench.RunAsync(binary, work, Arg(3, 60), Arg(4, 1)));
    Directory.Delete(work, recursive: true);
    return;
}

// scripts/bench soak [MINUTES [WORKERS [SERVER_FLAGS...]]].
if (args.Length > 2 && args[2] == "soak")
{
    await SoakBench.RunAsync(binary, work,
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 15,
        args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1,
        args.Length > 5 ? args[5..] : []);
    Directory.Delete(work, recursive: true);
    return;
}

// scripts/bench disk [MINUTES [RUNTIME]]: idle write bytes over MINUTES (default 2) and per API write.
if (args.Length > 2 && args[2] == "disk")
{
    var minutes = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 2;
    await DiskBench.RunAsync(binary, work, TimeSpan.FromMinutes(minutes), args.Length > 4 ? args[4] : "docker");
    Directory.Delete(work, recursive: true);
    return;
}

// scripts/bench create [ROUNDS [IDLE_SECONDS [OTHER_BINARY]]]: CPU and allocations per pod create, one build or two side by side.
if (args.Length > 2 && args[2] == "create")
{
    var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 8;
    var idle = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 90;
    await CreateBench.RunAsync(work, args.Length > 5 ? [binary, args[5]] : [binary], rounds, idle);
    Directory.Delete(work, recursive: true);
    return;
}

if (args.Length > 2 && args[2] is "pods" or "cluster" or "kubelet")
{
    await (args[2] switch { "pods" => PodStartBench.RunAsync(binary, work), "kubelet" => KubeletBench.RunAsync(binary, work), _ => ClusterBench.RunAsync(binary, work) });
    Directory.Delete(work, recursive: true);
    return;
}

var only = args.Length > 2 && args[2] is "watch" or "crs" or "rbac" ? args[2] : null;
var embedded = new Dictionary<string, double>();
var etcdBacked = new Dictionary<string, double>();
await MeasureAsync("embedded", embedded, null);
// MKUBE_BENCH_EMBEDDED_ONLY=1 skips the etcd half, e.g. to compare two builds' embedded store back to back.
if (Environment.GetEnvironmentVariable("MKUBE_BENCH_EMBEDDED_ONLY") != "1")
{
    await using var etcd = await EtcdServer.StartAsync();
    await MeasureAsync("etcd", etcdBacked, etcd);
}
Print(embedded, etcdBacked);
Directory.Delete(work, recursive: true);

async Task MeasureAsync(string label, Dictionary<string, double> results, EtcdServer? etcd)
{
    Console.Error.WriteLine($"{label}:");
    var dataDir = Path.Combine(work, label);
    var endpoint = etcd?.Endpoint.ToString();
    // First start makes the certificates; the second is the ordinary start of an existing node.
    // The API server alone, as issue 4 measures it: no kubelet, scheduler or controllers.
    string[] alone = ["--disable-agent", "--disable-scheduler", "--disable-controller-manager"];
    await using (var first = await MkubeServer.StartAsync(binary, dataDir, endpoint, alone))
    {
        results["ready first"] = first.ReadyAfter.TotalSeconds;
    }
    await using var server = await MkubeServer.StartAsync(binary, dataDir, endpoint, alone);
    results["ready"] = server.ReadyAfter.TotalSeconds;
    await Task.Delay(TimeSpan.FromSeconds(10));
    results["rss idle MB"] = server.RssBytes() / 1048576.0;
    if (etcd is not null)
    {
        results["etcd rss idle MB"] = MkubeServer.ProcessRssBytes(etcd.ProcessId) / 1048576.0;
    }
    Console.Error.WriteLine($"  ready {results["ready"]:F2} s, idle RSS {results["rss idle MB"]:F0} MB");
    await ApiWorkloads.RunAsync(server, results, only);
}

static void Print(Dictionary<string, double> embedded, Dictionary<string, double> etcd)
{
    string F(Dictionary<string, double> r, string key, string format) => r.TryGetValue(key, out var v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
    string Ratio(string key, bool higherIsBetter) =>
        embedded.TryGetValue(key, out var a) && etcd.TryGetValue(key, out var b) && a > 0 && b > 0
            ? (higherIsBetter ? a / b : b / a).ToString("F1", CultureInfo.InvariantCulture) + "x"
            : "–";
    Console.WriteLine("| workload (64 clients, HTTPS/HTTP2, after 20 s of warm-up load) | embedded store | etcd 3.4 | embedded vs etcd | goal |");
    Console.WriteLine("|---|---|---|---|---|");
    Console.WriteLine($"| pod creates | {F(embedded, "create/s", "F0")}/s | {F(etcd, "create/s", "F0")}/s | {Ratio("create/s", true)} | ≥ 3,000/s, ≥ 2x etcd |");
    Console.WriteLine($"| CPU per create: mkube / benchmark client | {F(embedded, "create server cpu us", "F0")} / {F(embedded, "create client cpu us", "F0")} µs | {F(etcd, "create server cpu us", "F0")} / {F(etcd, "create client cpu us", "F0")} µs (+ etcd) | | |");
    Console.WriteLine($"| create latency p50 / p99 | {F(embedded, "create p50", "F1")} / {F(embedded, "create p99", "F1")} ms | {F(etcd, "create p50", "F1")} / {F(etcd, "create p99", "F1")} ms | | |");
    Console.WriteLine($"| pod GETs | {F(embedded, "get/s", "F0")}/s | {F(etcd, "get/s", "F0")}/s | {Ratio("get/s", true)} | ≥ 2x etcd |");
    Console.WriteLine($"| GET latency p50 / p99 | {F(embedded, "get p50", "F2")} / {F(embedded, "get p99", "F2")} ms | {F(etcd, "get p50", "F2")} / {F(etcd, "get p99", "F2")} ms | | p99 ≤ 10 ms |");
    Console.WriteLine($"| LIST of 10,000 pods (median) | {F(embedded, "list 10k", "F0")} ms | {F(etcd, "list 10k", "F0")} ms | {Ratio("list 10k", false)} | ≤ 300 ms |");
    Console.WriteLine($"| watch delivery, 500 watchers (20 clients), 200 writes at 100/s after a warm-up round of 100, p50 / p99 | {F(embedded, "watch p50", "F1")} / {F(embedded, "watch p99", "F1")} ms | {F(etcd, "watch p50", "F1")} / {F(etcd, "watch p99", "F1")} ms | | p99 ≤ 100 ms, etcd ≤ 30 ms |");
    Console.WriteLine($"| Deployment: PUT vs server-side apply (one client, alternating), p50 / p99 | {F(embedded, "update p50", "F2")} / {F(embedded, "update p99", "F2")} vs {F(embedded, "apply p50", "F2")} / {F(embedded, "apply p99", "F2")} ms | {F(etcd, "update p50", "F2")} / {F(etcd, "update p99", "F2")} vs {F(etcd, "apply p50", "F2")} / {F(etcd, "apply p99", "F2")} ms | | apply p99 ≤ 2x update p99 |");
    Console.WriteLine($"| ConfigMap vs custom-object creates (same 1 KB data; 4 alternating rounds of 2,500) | {F(embedded, "cm create/s", "F0")} vs {F(embedded, "cr create/s", "F0")}/s | {F(etcd, "cm create/s", "F0")} vs {F(etcd, "cr create/s", "F0")}/s | | custom ≥ 0.9x ConfigMap |");
    Console.WriteLine($"| CPU per create: ConfigMap vs custom object | {F(embedded, "cm create server cpu us", "F0")} vs {F(embedded, "cr create server cpu us", "F0")} µs | {F(etcd, "cm create server cpu us", "F0")} vs {F(etcd, "cr create server cpu us", "F0")} µs | | |");
    Console.WriteLine($"| ConfigMap vs custom-object GETs | {F(embedded, "cm get/s", "F0")} vs {F(embedded, "cr get/s", "F0")}/s | {F(etcd, "cm get/s", "F0")} vs {F(etcd, "cr get/s", "F0")}/s | | |");
    Console.WriteLine($"| CRD of {F(embedded, "crd size KB", "F0")} KB: server-side apply to Established and served | {F(embedded, "crd established ms", "F0")} ms | {F(etcd, "crd established ms", "F0")} ms | | < 1 s |");
    Console.WriteLine($"| pod creates: admin vs a user bound to `edit` by RBAC (8 rounds of 1,250 each, in the order A B B A A B B A …, after one unmeasured round each, in both phases) | {F(embedded, "admin create/s", "F0")} vs {F(embedded, "rbac create/s", "F0")}/s | {F(etcd, "admin create/s", "F0")} vs {F(etcd, "rbac create/s", "F0")}/s | | RBAC ≥ 0.95x admin |");
    Console.WriteLine($"| the same with 10,000 more RoleBindings (other users) | {F(embedded, "admin create/s 10k bindings", "F0")} vs {F(embedded, "rbac create/s 10k bindings", "F0")}/s | {F(etcd, "admin create/s 10k bindings", "F0")} vs {F(etcd, "rbac create/s 10k bindings", "F0")}/s | | decisions in the subject's bindings only |");
    Console.WriteLine($"| mkube CPU per create: admin vs RBAC-bound user (without / with the 10,000 RoleBindings) | {F(embedded, "admin create server cpu us", "F0")} vs {F(embedded, "rbac create server cpu us", "F0")} / {F(embedded, "admin create server cpu us 10k bindings", "F0")} vs {F(embedded, "rbac create server cpu us 10k bindings", "F0")} µs | {F(etcd, "admin create server cpu us", "F0")} vs {F(etcd, "rbac create server cpu us", "F0")} / {F(etcd, "admin create server cpu us 10k bindings", "F0")} vs {F(etcd, "rbac create server cpu us 10k bindings", "F0")} µs | | |");
    Console.WriteLine($"| mkube CPU per delivered watch event | {F(embedded, "watch server cpu us", "F1")} µs | {F(etcd, "watch server cpu us", "F1")} µs | | |");
    Console.WriteLine($"| store watches open meanwhile (mkube_store_watches; before the 500 watchers) | {F(embedded, "store watches", "F0")} ({F(embedded, "store watches before", "F0")}) | {F(etcd, "store watches", "F0")} ({F(etcd, "store watches before", "F0")}) | | one per resource, whatever the number of watchers |");
    Console.WriteLine($"| start to ready (first start / restart) | {F(embedded, "ready first", "F2")} / {F(embedded, "ready", "F2")} s | {F(etcd, "ready first", "F2")} / {F(etcd, "ready", "F2")} s | | ≤ 2 s |");
    Console.WriteLine($"| idle RSS of mkube | {F(embedded, "rss idle MB", "F0")} MB | {F(etcd, "rss idle MB", "F0")} MB (+ etcd {F(etcd, "etcd rss idle MB", "F0")} MB) | | ≤ 150 MB |");
    Console.WriteLine($"| RSS of mkube after the workloads | {F(embedded, "rss after load MB", "F0")} MB | {F(etcd, "rss after load MB", "F0")} MB | | |");
}
