using MiniKube.Agent.Bench;

// scripts/bench netpol: the network policy controller with 1,000 policies, run inside a network
// namespace of the benchmark's own (the script makes it and enters it). Prints a Markdown table.
var cost = await SyncCostBench.RunAsync();
Console.WriteLine("| what | measured | goal | met? |");
Console.WriteLine("|---|---|---|---|");
foreach (var (what, (cpu, wall)) in cost)
{
    Console.WriteLine(FormattableString.Invariant($"| CPU of one sync: {what} (wall {wall:F0} ms) | {cpu:F0} ms | ≤ 200 ms | {(cpu <= 200 ? "yes" : "no")} |"));
}
