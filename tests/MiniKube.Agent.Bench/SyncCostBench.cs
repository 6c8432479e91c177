using System.Diagnostics;
using k8s.Models;
using MiniKube.Agent.Network;
using MiniKube.Agent.NetworkPolicy;

namespace MiniKube.Agent.Bench;

/// <summary>
/// (a) CPU of one rule sync with 1,000 policies, in this process's network namespace (the
/// benchmark's own node namespace): compile + write, with this process's and its children's CPU
/// counted, median of several runs, for a first write, a change of one policy, a periodic resync
/// with nothing changed, a resync that repairs a rule and a set entry deleted by hand, and a
/// sync with nothing changed.
/// </summary>
internal static class SyncCostBench
{
    private const int Runs = 7;

    public static async Task<Dictionary<string, (double Cpu, double Wall)>> RunAsync(bool distinctPeers)
    {
        var names = new PolicyNames("MKA");
        var firewall = new PolicyFirewall(HostCommands.Instance, names);
        var pods = NetpolWorkload.GeneratedPods();
        var namespaces = NetpolWorkload.AllNamespaces();
        var policies = NetpolWorkload.Policies(distinctPeers);
        var results = new Dictionary<string, (double, double)>();
        try
        {
            // Warm-up (JIT), then the measured first write onto an empty node.
            var rules = PolicyCompiler.Compile(State(policies), names);
            Console.Error.WriteLine($"  {policies.Count} policies, {pods.Count} pods: {rules.Chains.Count} chains, {rules.Chains.Sum(c => c.Rules.Count)} rules, {rules.Sets.Count} sets, {rules.Sets.Sum(s => s.Entries.Count)} set entries");
            await SyncAsync(policies, full: true);
            results["first write onto an empty node"] = await MedianAsync(async () =>
            {
                await firewall.TearDownAsync(CancellationToken.None);
                firewall = new PolicyFirewall(HostCommands.Instance, names);
                return true;
            }, () => SyncAsync(policies, full: true), w => w.Chains.Count == rules.Chains.Count && w.Sets.Count == rules.Sets.Count);
            results["first write after an agent restart (rules in place)"] = await MedianAsync(() =>
            {
                firewall = new PolicyFirewall(HostCommands.Instance, names);
                return Task.FromResult(true);
            }, () => SyncAsync(policies, full: true), w => w.Nothing);
            var changed = 0;
            results["one policy changed"] = await MedianAsync(() =>
            {
                // ns-000/pol-00 selects a pod of this node: its chain is rewritten with another port.
                changed++;
                policies[0] = NetpolWorkload.Policy("ns-000", "pol-00", 80 + changed, distinctPeers);
                return SyncAsync(policies, full: false);
            }, w => w.Chains.Count == 1 && w.Sets.Count == 0);
            var flips = 0;
            results["one pod's labels changed (peer sets rewritten)"] = await MedianAsync(() =>
            {
                // ns-000/pod-02 (another node's) changes role: the peer sets that counted it change.
                flips++;
                var pod = pods[2];
                pods[2] = NetpolWorkload.Pod(pod.Namespace(), pod.Name(), pod.Status.PodIP, pod.Spec.NodeName, ("app", "a2"), ("role", $"r{flips % 2}"));
                return SyncAsync(policies, full: false);
            }, w => w.Sets.Count > 0);
            results["nothing changed"] = await MedianAsync(() => SyncAsync(policies, full: false), w => w.Nothing);
            results["periodic resync, nothing changed"] = await MedianAsync(() => SyncAsync(policies, full: true), w => w.Nothing);
            var chain = rules.Chains.First(c => c.Name.Contains("-NPI-", StringComparison.Ordinal) && c.Rules.Count > 0);
            var set = rules.Sets.First(s => s.Entries.Count > 1);
            results["periodic resync repairing a deleted rule and set entry"] = await MedianAsync(async () =>
            {
                await HostCommands.Instance.RunCheckedAsync("iptables", ["-w", "5", "-D", chain.Name, "1"], null, CancellationToken.None);
                await HostCommands.Instance.RunCheckedAsync("ipset", ["del", set.Name, set.Entries[0].Split(' ')[0]], null, CancellationToken.None);
                return true;
            }, () => SyncAsync(policies, full: true), w => w.Chains.SequenceEqual([chain.Name]) && w.Sets.SequenceEqual([set.Name]));
            var listed = await HostCommands.Instance.RunCheckedAsync("iptables", ["-w", "5", "-S", chain.Name], null, CancellationToken.None);
            if (listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length != chain.Rules.Count + 1)
            {
                throw new InvalidOperationException($"the resync did not repair {chain.Name}:\n{listed.Output}");
            }
        }
        finally
        {
            await firewall.TearDownAsync(CancellationToken.None);
        }
        return results;

        PolicyState State(IReadOnlyCollection<V1NetworkPolicy> current) => new(current, pods, namespaces, NetpolWorkload.Node);

        Task<PolicyWrites> SyncAsync(IReadOnlyCollection<V1NetworkPolicy> current, bool full) =>
            firewall.ApplyAsync(PolicyCompiler.Compile(State(current), names), full, CancellationToken.None);
    }

    private static Task<(double Cpu, double Wall)> MedianAsync(Func<Task<PolicyWrites>> sync, Func<PolicyWrites, bool> expected) =>
        MedianAsync(() => Task.FromResult(true), sync, expected);

    /// <summary>Runs <paramref name="before"/> then the measured <paramref name="sync"/> several times; a sync that did not write what was <paramref name="expected"/> stops the benchmark.</summary>
    private static async Task<(double Cpu, double Wall)> MedianAsync(Func<Task<bool>> before, Func<Task<PolicyWrites>> sync, Func<PolicyWrites, bool> expected)
    {
        var runs = new List<(double Cpu, double Wall)>();
        for (var i = 0; i < Runs; i++)
        {
            await before();
            PolicyWrites? writes = null;
            runs.Add(await MeasureAsync(async () => writes = await sync()));
            if (!expected(writes!))
            {
                throw new InvalidOperationException($"a sync wrote what it should not have: sets [{string.Join(",", writes!.Sets)}] chains [{string.Join(",", writes.Chains)}] removed {writes.RemovedSets}/{writes.RemovedChains} hooks {writes.Hooks}");
            }
        }
        var cpu = runs.Select(r => r.Cpu).Order().ToList();
        var wall = runs.Select(r => r.Wall).Order().ToList();
        Console.Error.WriteLine($"  cpu ms: {string.Join(' ', runs.Select(r => r.Cpu.ToString("F0", CultureInfo.InvariantCulture)))}");
        return (cpu[Runs / 2], wall[Runs / 2]);
    }

    private static async Task<(double Cpu, double Wall)> MeasureAsync(Func<Task> sync)
    {
        GC.Collect();
        await Task.Delay(200);
        var cpu = CpuClock.Now();
        var wall = Stopwatch.StartNew();
        await sync();
        return ((CpuClock.Now() - cpu).TotalMilliseconds, wall.Elapsed.TotalMilliseconds);
    }
}
