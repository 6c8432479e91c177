namespace MiniKube.E2E.Tests;

/// <summary>
/// A second machine for an <c>mkube agent</c> on this one: network namespace <see cref="Name"/>,
/// joined to this machine by a veth pair as their LAN (<see cref="HostEnd"/> here with
/// <see cref="ServerIp"/>/24, <see cref="NamespaceEnd"/> there with <see cref="AgentIp"/>/24).
/// The agent runs in it with <see cref="MkubeBinary.StartInNetworkNamespace"/> and wires its
/// pods from there, so they live on its network; this machine's dockerd runs their containers.
/// </summary>
internal sealed record AgentNetworkNamespace(string Name, string HostEnd, string NamespaceEnd, string ServerIp, string AgentIp)
{
    public Task CreateAsync() =>
        Shell.CheckedAsync($"ip netns add {Name} && ip link add {HostEnd} type veth peer name {NamespaceEnd} netns {Name}"
            + $" && ip addr add {ServerIp}/24 dev {HostEnd} && ip link set dev {HostEnd} up"
            + $" && ip -n {Name} link set lo up && ip -n {Name} addr add {AgentIp}/24 dev {NamespaceEnd} && ip -n {Name} link set dev {NamespaceEnd} up");

    /// <summary>
    /// <c>mkube agent</c>'s arguments to join the server at <see cref="ServerIp"/>:<paramref name="serverPort"/> with
    /// <paramref name="token"/> as node <paramref name="nodeName"/> on <see cref="AgentIp"/>, its kubelet API on a free port.
    /// </summary>
    public string[] AgentArgs(int serverPort, string token, string dataDir, string nodeName, params string[] more) =>
        ["agent", "--server", $"https://{ServerIp}:{serverPort}", "--token", token, "--data-dir", dataDir, "--node-name", nodeName,
            "--node-ip", AgentIp, "--kubelet-port", "0", .. more];

    /// <summary>Runs <paramref name="command"/> inside the namespace and fails the test unless it succeeds.</summary>
    public Task ExecAsync(string command) => Shell.CheckedAsync($"ip netns exec {Name} {command}");

    /// <summary>
    /// Deletes the pair (here, not left to the namespace's asynchronous cleanup) and the namespace
    /// with whatever the agent made in it; what is already gone is no error.
    /// </summary>
    public Task RemoveAsync() => Shell.RunAsync($"ip link del dev {HostEnd}; ip netns del {Name}");
}
