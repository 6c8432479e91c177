using System.Globalization;
using k8s;
using Microsoft.Extensions.Logging;
using MiniKube.Agent.Kubelet;
using MiniKube.Agent.Runtime.Simulated;

namespace MiniKube.Hosting;

/// <summary>What <c>--simulate-nodes</c> asks for.</summary>
/// <param name="Count">How many simulated nodes; 0 adds none.</param>
/// <param name="NamePrefix">Node names are <c>PREFIX-sim-000</c>, <c>PREFIX-sim-001</c>, …: the process's own node name.</param>
internal sealed record SimulatedNodesSettings(int Count, string NamePrefix, string DataDir, string? NodeIp)
{
    /// <summary>How long a simulated container takes to start (<c>--simulated-start-delay</c>).</summary>
    public TimeSpan StartDelay { get; init; }

    /// <summary>
    /// The nodes' names, zero-padded to at least three digits so they sort in order in
    /// <c>kubectl get nodes</c>.
    /// </summary>
    public IReadOnlyList<string> NodeNames()
    {
        var width = Math.Max(3, (Count - 1).ToString(CultureInfo.InvariantCulture).Length);
        return [.. Enumerable.Range(0, Count).Select(i => $"{NamePrefix}-sim-{i.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0')}")];
    }
}

/// <summary>
/// Many simulated nodes in this process, KWOK's role: one real <see cref="Kubelet"/> per node
/// (its own Node, Lease, pod informer and kubelet API port), each on its own
/// <see cref="SimulatedRuntime"/>, so pods pass through the same lifecycle and status as on a
/// real node. Each is its own node to the API server (<c>system:node:NAME</c>, its own client and
/// certificate), so the Node authorizer and NodeRestriction govern them as real kubelets; they
/// share one pool of pod IPs. Ready once every node is registered; a kubelet that fails fails the
/// component, and so the process (ARCHITECTURE.md §3.7).
/// </summary>
internal sealed partial class SimulatedNodesComponent(SimulatedNodesSettings settings, IClusterAccess cluster, TimeProvider time, ILoggerFactory loggers, ILogger<SimulatedNodesComponent> logger) : IComponent
{
    public string Name => "simulated-nodes";

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        var names = settings.NodeNames();
        var clients = (await cluster.SimulatedKubeletConfigurationsAsync(names, stoppingToken)).Select(c => new Kubernetes(c)).ToList();
        var addresses = new SimulatedPodAddresses(SimulatedPodAddresses.FleetSubnet);
        var nodeIp = settings.NodeIp ?? LocalAgentComponent.DetectNodeIp();
        var kubelets = names.Select((name, i) => new Kubelet(clients[i], new SimulatedRuntime(time, addresses) { StartDelay = settings.StartDelay }, new KubeletOptions
        {
            NodeName = name,
            NodeIp = nodeIp,
            PodsDirectory = Path.Combine(settings.DataDir, "agent", "simulated", name, "pods"),
            ClientCa = cluster.ClusterCa,
            // Several nodes on one machine: each kubelet API on a port the OS picks, reported in its Node.
            ServerPort = 0,
            Time = time,
        }, loggers)).ToList();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        // Task.Run: a kubelet does its setup synchronously up to its first await; this spreads it over the pool.
        var running = kubelets.Select(k => Task.Run(() => k.RunAsync(stop.Token), CancellationToken.None)).ToList();
        try
        {
            var firstEnded = Task.WhenAny(running);
            var registered = Task.WhenAll(kubelets.Select(k => k.Ready.Task));
            if (await Task.WhenAny(registered, firstEnded) == registered)
            {
                LogRegistered(settings.Count, settings.NamePrefix);
                ready.Set();
            }
            await await firstEnded; // a kubelet's failure, or the stop
        }
        finally
        {
            // Every kubelet ends before its client is disposed.
            await stop.CancelAsync();
            await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            clients.ForEach(c => c.Dispose());
        }
    }

    [LoggerMessage(EventId = LogEvents.Host + 260, Level = LogLevel.Information, Message = "{Count} simulated nodes registered ({Prefix}-sim-…)")]
    private partial void LogRegistered(int count, string prefix);
}
