using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace MiniKube.ApiServer.Bench;

/// <summary>
/// What authorization costs a write (issue 14): pod creates by an admin (system:masters, allowed
/// before RBAC is asked) and by "bench-editor", bound to the edit ClusterRole in the namespace,
/// in alternating rounds (A B B A A B B A) after one unmeasured round as each, then (likewise) again once 10,000 RoleBindings for other users exist, since the
/// authorizer must decide in the bindings of the subject, not of the cluster.
/// </summary>
internal static class RbacWorkloads
{
    private const int Rounds = 8;
    private const int PodsPerRound = 1250;
    private const int OtherBindings = 10_000;

    public static async Task RunAsync(MkubeServer server, IDictionary<string, double> results)
    {
        var admin = server.Client;
        using var editor = server.ClientAs("bench-editor", "bench-team");
        await ApiWorkloads.SendAsync(admin, HttpMethod.Post, new Uri(server.Address, "/apis/rbac.authorization.k8s.io/v1/namespaces/bench/rolebindings"),
            "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"bench-editor\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"edit\"},\"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"bench-editor\"}]}",
            HttpStatusCode.Created);
        await WaitUntilAllowedAsync(server, editor);

        var next = 0;
        var (adminRate, editorRate) = await AlternateAsync(server, admin, editor, () => next++, results, "");
        results["admin create/s"] = adminRate;
        results["rbac create/s"] = editorRate;
        Console.Error.WriteLine($"  creates: admin {adminRate:F0}/s, RBAC-bound user {editorRate:F0}/s ({editorRate / adminRate:F2}x); mkube CPU per create {results["admin create server cpu us"]:F0} vs {results["rbac create server cpu us"]:F0} µs");

        var bindings = new Uri(server.Address, "/apis/rbac.authorization.k8s.io/v1/namespaces/rbac-crowd/rolebindings");
        await ApiWorkloads.SendAsync(admin, HttpMethod.Post, new Uri(server.Address, "/api/v1/namespaces"), "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"rbac-crowd\"}}", HttpStatusCode.Created);
        var made = -1;
        await ApiWorkloads.RunClientsAsync(32, async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref made)) < OtherBindings)
            {
                var name = "user-" + i.ToString(CultureInfo.InvariantCulture);
                await ApiWorkloads.SendAsync(admin, HttpMethod.Post, bindings,
                    $"{{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"RoleBinding\",\"metadata\":{{\"name\":\"{name}\"}},\"roleRef\":{{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"view\"}},\"subjects\":[{{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"{name}\"}}]}}",
                    HttpStatusCode.Created);
            }
        });
        var (adminCrowded, editorCrowded) = await AlternateAsync(server, admin, editor, () => next++, results, " 10k bindings");
        results["admin create/s 10k bindings"] = adminCrowded;
        results["rbac create/s 10k bindings"] = editorCrowded;
        Console.Error.WriteLine($"  with {OtherBindings} more RoleBindings: admin {adminCrowded:F0}/s, RBAC-bound user {editorCrowded:F0}/s ({editorCrowded / adminCrowded:F2}x); mkube CPU per create {results["admin create server cpu us 10k bindings"]:F0} vs {results["rbac create server cpu us 10k bindings"]:F0} µs");
    }

    // Rounds alternate between the two identities in the order A B B A A B B A, so drift (the store
    // growing by 20,000 pods, compaction, GC, the machine) hits both alike: with A B A B … every
    // RBAC round would run after its admin round, and a server that slows as it fills would be
    // charged to RBAC. mkube's CPU time is summed per identity too, since on a shared machine the
    // CPU a create costs is steadier than the rate.
    private static async Task<(double Admin, double Editor)> AlternateAsync(MkubeServer server, HttpClient admin, HttpClient editor, Func<int> nextRound, IDictionary<string, double> results, string suffix)
    {
        // What comes before each measurement (the 20 s warm-up, the 10,000 bindings) runs as the
        // admin only, the RBAC user's connection idle. Per-round figures showed the RBAC user's
        // first round after that costing up to twice an admin round on the same server, a cost of
        // the idle identity's return that A B B A does not cancel. So one unmeasured round as each identity first.
        foreach (var http in new[] { editor, admin })
        {
            await RoundAsync(server, http, "rbac-" + nextRound().ToString(CultureInfo.InvariantCulture) + "-");
        }
        double adminCreates = 0, adminSeconds = 0, adminCpu = 0, editorCreates = 0, editorSeconds = 0, editorCpu = 0;
        for (var round = 0; round < Rounds * 2; round++)
        {
            var asEditor = (round % 4) is 1 or 2;
            var prefix = "rbac-" + nextRound().ToString(CultureInfo.InvariantCulture) + "-";
            var (gen2, paused) = (await ApiWorkloads.MetricAsync(server, GenTwo), await ApiWorkloads.MetricAsync(server, Paused));
            var (seconds, micros) = await RoundAsync(server, asEditor ? editor : admin, prefix);
            // Each round on its own too: a transient (a collection, a checkpoint, late JIT) shows as one round's outlier,
            // and the server's GC figures say whether a collection was it.
            (gen2, paused) = (await ApiWorkloads.MetricAsync(server, GenTwo) - gen2, await ApiWorkloads.MetricAsync(server, Paused) - paused);
            Console.Error.WriteLine($"    round {round} {(asEditor ? "RBAC " : "admin")}: {PodsPerRound / seconds:F0}/s, mkube CPU per create {micros / PodsPerRound:F0} µs, {gen2:F0} gen2 collections, GC paused {paused * 1000:F0} ms");
            if (asEditor)
            {
                (editorCreates, editorSeconds, editorCpu) = (editorCreates + PodsPerRound, editorSeconds + seconds, editorCpu + micros);
            }
            else
            {
                (adminCreates, adminSeconds, adminCpu) = (adminCreates + PodsPerRound, adminSeconds + seconds, adminCpu + micros);
            }
        }
        results["admin create server cpu us" + suffix] = adminCpu / adminCreates;
        results["rbac create server cpu us" + suffix] = editorCpu / editorCreates;
        return (adminCreates / adminSeconds, editorCreates / editorSeconds);
    }

    private const string GenTwo = "dotnet_gc_collections_total{gc_heap_generation=\"gen2\"} ";
    private const string Paused = "dotnet_gc_pause_time_seconds_total ";

    // One round: PodsPerRound creates by 64 clients as one identity; its seconds and mkube's CPU µs.
    private static async Task<(double Seconds, double Micros)> RoundAsync(MkubeServer server, HttpClient http, string prefix)
    {
        var podsUri = new Uri(server.Address, "/api/v1/namespaces/bench/pods");
        var index = -1;
        var cpu = server.CpuTime();
        var clock = Stopwatch.StartNew();
        await ApiWorkloads.RunClientsAsync(64, async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref index)) < PodsPerRound)
            {
                await ApiWorkloads.SendAsync(http, HttpMethod.Post, podsUri, Pod(prefix + i.ToString(CultureInfo.InvariantCulture)), HttpStatusCode.Created);
            }
        });
        return (clock.Elapsed.TotalSeconds, (server.CpuTime() - cpu).TotalMicroseconds);
    }

    // The binding reaches the authorizer's index with the write; this only guards the first round.
    private static async Task WaitUntilAllowedAsync(MkubeServer server, HttpClient editor)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await editor.GetAsync(new Uri(server.Address, "/api/v1/namespaces/bench/pods?limit=1"));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"the RBAC-bound user is still refused: {(int)response.StatusCode}");
            }
            await Task.Delay(100);
        }
    }

    private static string Pod(string name) =>
        $"{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"{name}\"}},\"spec\":{{\"containers\":[{{\"name\":\"c\",\"image\":\"mkube.local/busybox:1\"}}]}}}}";
}
