using MiniKube.Agent.Bench;

// scripts/bench netpol: the network policy controller with 1,000 policies, run inside a network
// namespace of the benchmark's own (the script makes it and enters it). Prints a Markdown table.
// Usage: MiniKube.Agent.Bench POD_PREFIX   (pods are network namespaces POD_PREFIX-client, -server, -other)
var podPrefix = args.Length > 0 ? args[0] : $"mkb-{Environment.ProcessId}";
Console.Error.WriteLine("CPU per sync, peers repeating:");
var shared = await SyncCostBench.RunAsync(distinctPeers: false);
Console.Error.WriteLine("CPU per sync, every policy's peers distinct:");
var distinct = await SyncCostBench.RunAsync(distinctPeers: true);
Console.Error.WriteLine("policy change to enforcement:");
var (deny, allow) = await LatencyBench.RunAsync(podPrefix);
Console.WriteLine("| what (1,000 policies, 2,000 pods, 112 on the node) | measured | goal | met? |");
Console.WriteLine("|---|---|---|---|");
foreach (var (workload, cost) in new[] { ("peers repeating", shared), ("peers distinct", distinct) })
{
    foreach (var (what, (cpu, wall)) in cost)
    {
        Console.WriteLine(FormattableString.Invariant($"| CPU of one sync, {workload}: {what} (median of 7; wall {wall:F0} ms) | {cpu:F0} ms | ≤ 200 ms | {(cpu <= 200 ? "yes" : "no")} |"));
    }
}
foreach (var (what, times) in new[] { ("denied", deny), ("allowed", allow) })
{
    var sorted = times.Order().ToList();
    var (median, max) = (sorted[sorted.Count / 2], sorted[^1]);
    Console.WriteLine(FormattableString.Invariant($"| API write → new TCP connection {what} (peers distinct; {times.Count} changes): median / max | {median:F0} / {max:F0} ms | ≤ 2,000 ms | {(max <= 2000 ? "yes" : "no")} |"));
}
