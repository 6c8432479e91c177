using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace MiniKube.E2E.Tests;

/// <summary>
/// Upgrade in place of a joined agent (issue 17 item 8), in k3s' order: the servers first, then
/// the agents. The server already runs the binary under test (<c>--disable-agent</c>, on this
/// machine); the agent, on a second machine of the test's own (<see cref="AgentNetworkNamespace"/>),
/// joins it with the previous release's binary (<see cref="PreviousRelease"/>) and runs
/// <see cref="UpgradeWorkload"/>'s pods. It is stopped as systemd stops it (SIGTERM) and the binary
/// under test starts on the same agent data dir with the same flags. The Node is the same object,
/// Ready and updated by the new kubelet; the pods keep their uids, addresses and containers (the
/// same Docker containers with the same start times, restart counts 0); and the new agent runs on
/// what the previous one kept in its data dir: its credentials, node password and certificates
/// (none asked for again), and its pods' address allocations (a pod started after the upgrade gets
/// a free address, the old ones stay taken).
/// </summary>
[TestFixture]
[Category("E2E")]
[NonParallelizable]
public sealed class AgentUpgradeTests : DataDirFixture
{
    private const string NodeName = "e2e-upgrade-agent";

    private static readonly AgentNetworkNamespace Machine = new("e2e-agup", "e2eauh", "e2eaun", "192.168.253.1", "192.168.253.2");

    /// <summary>
    /// Files a joined agent keeps in DATA_DIR/agent: how it reaches the server (CA and secret), who
    /// it is, and its certificates (the ingress data plane's too: the server runs the add-on).
    /// </summary>
    private static readonly string[] KeptFiles = ["credentials", "node-password", "client-kubelet.crt", "client-kubelet.key", "serving-kubelet.crt", "serving-kubelet.key",
        "client-kube-proxy.crt", "client-kube-proxy.key", "client-ingress.crt", "client-ingress.key"];

    private MkubeProcess? _agent;

    [TearDown]
    public async Task RemoveTheAgentsMachine()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed && _agent is { } agent)
        {
            TestContext.Progress.WriteLine("the agent's log, last 60 lines:\n" + string.Join('\n', agent.Stderr.TakeLast(60)));
        }
        _agent?.Dispose();
        _agent = null;
        await Machine.RemoveAsync();
    }

    [Test]
    public async Task PreviousReleaseAgent_RestartedOnTheNewBinary_KeepsItsNodePodsContainersAndLocalState()
    {
        var (commit, previousBinary) = await PreviousRelease.BinaryAsync();
        var clock = Stopwatch.StartNew();
        await Machine.CreateAsync();
        using var server = MkubeBinary.Start(null, ServerArgs(DataDir, "--disable-agent", "--node-ip", Machine.ServerIp));
        await server.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        var agentDir = Path.Combine(DataDir, "agent-node");
        var agentArgs = Machine.AgentArgs(ServerUri().Port, await JoinTokenAsync(), agentDir, NodeName);

        // The previous release joins today's server and runs the pods.
        _agent = MkubeBinary.StartBinaryInNetworkNamespace(previousBinary, Machine.Name, agentArgs);
        await _agent.WaitForLogAsync("components are running", DockerNodeStartTimeout);
        await WaitForNodeReadyAsync(kubectl, NodeName);
        await kubectl.ApplyAsync(UpgradeWorkload.Manifest);
        await UpgradeWorkload.RolloutAsync(kubectl);
        var node = await NodeAsync(kubectl);
        var pods = await UpgradeWorkload.PodsAsync(kubectl);
        var containers = await DockerCli.NodeContainersAsync(NodeName);
        var kept = AgentFiles(agentDir);
        Assert.That(Directory.Exists(Path.Combine(agentDir, "agent", "local-state")), Is.False, $"{commit} keeps no local copy of its pods");

        _agent.Signal(MkubeProcess.SigTerm);
        await _agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.That(_agent.ExitCode, Is.Zero, string.Join('\n', _agent.Stderr));
        _agent.Dispose();
        Assert.That(await DockerCli.NodeContainersAsync(NodeName), Is.EqualTo(containers), "the previous release left its pods running when it stopped");

        // The binary under test, on the same data dir with the same flags.
        var upgrade = Stopwatch.StartNew();
        _agent = MkubeBinary.StartInNetworkNamespace(Machine.Name, agentArgs);
        await _agent.WaitForLogAsync("components are running", DockerNodeStartTimeout);
        var running = upgrade.Elapsed;
        // The previous release never wrote the autonomy annotation: it is the new kubelet's registration.
        await WaitAsync(async () => (await NodeAsync(kubectl)).Autonomy == "true", "the new kubelet's registration of the node");
        await WaitForNodeReadyAsync(kubectl, NodeName);
        var localCopies = pods.Select(p => Path.Combine(agentDir, "agent", "local-state", "pods", $"{UpgradeWorkload.Namespace}_{p.Split(' ')[0]}.json")).ToList();
        await WaitAsync(() => Task.FromResult(localCopies.All(File.Exists)), "the new kubelet's local copy of the pods it adopted", 60);
        var adopted = upgrade.Elapsed;
        var keptAfter = AgentFiles(agentDir);
        var greeting = await kubectl.OkAsync("exec", "-n", UpgradeWorkload.Namespace, pods[0].Split(' ')[0], "--", "sh", "-c", "echo $GREETING; cat /etc/credentials/password");
        await UpgradeWorkload.AddAPodAsync(kubectl);
        var nodeAfter = await NodeAsync(kubectl);
        var podsAfter = await UpgradeWorkload.PodsAsync(kubectl);
        var containersAfter = await DockerCli.NodeContainersAsync(NodeName);
        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"agent upgraded from {commit}: the new binary's components running after {running.TotalSeconds:F1} s, its node Ready and pods adopted after {adopted.TotalSeconds:F1} s; whole test {clock.Elapsed.TotalSeconds:F0} s; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));

        var newPod = podsAfter.Except(pods).ToList();
        using var ingressCertificate = kept.TryGetValue("client-ingress.crt", out var ingressPem) ? X509Certificate2.CreateFromPem(ingressPem) : null;
        Assert.Multiple(() =>
        {
            Assert.That(node, Is.EqualTo(new NodeState(node.Uid, node.PodCidr, "True", null)), "the previous release's node: Ready, a podCIDR, no autonomy annotation");
            Assert.That(nodeAfter, Is.EqualTo(node with { Autonomy = "true" }), "the same Node object (uid) with its podCIDR, Ready, annotated by the new kubelet");
            Assert.That(greeting, Is.EqualTo("hello\ns3cret"), "exec into an adopted pod through the new kubelet: its env and secret volume as before");
            Assert.That(pods, Has.Length.EqualTo(2).And.All.Match(UpgradeWorkload.RunningPod));
            Assert.That(podsAfter, Is.SupersetOf(pods), "the adopted pods: same uids, containers and addresses, restart count 0");
            Assert.That(newPod, Has.Count.EqualTo(1).And.All.Match(UpgradeWorkload.RunningPod), "the pod added after the upgrade runs");
            Assert.That(newPod.Select(Address).Intersect(pods.Select(Address)), Is.Empty, "the new pod's address is a free one: the previous release's allocations were read");
            foreach (var (id, state) in containers)
            {
                Assert.That(containersAfter.GetValueOrDefault(id), Is.EqualTo(state), $"container {id} is the same, running since the same start, not restarted");
            }
            Assert.That(containers, Has.Count.EqualTo(4), "two pods, each a sandbox and its main container");
            Assert.That(containersAfter, Has.Count.EqualTo(6), "the third pod's sandbox and container beside the four adopted");
            Assert.That(kept.Keys, Is.SupersetOf(KeptFiles).And.Some.StartsWith("ipam/"), "what the previous release kept to run on");
            Assert.That(ingressCertificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false), Is.EqualTo("system:mkube:ingress:" + NodeName),
                "today's server gave the previous release's agent the per-node ingress user, which the new agent keeps");
            foreach (var (file, content) in kept)
            {
                Assert.That(keptAfter.GetValueOrDefault(file), Is.EqualTo(content), $"{file}, as the previous release left it, is what the new one runs with");
            }
        });
    }

    /// <summary>What the test compares of the Node: its identity, pod range and readiness, and the annotation only the new kubelet writes.</summary>
    private sealed record NodeState(string Uid, string PodCidr, string Ready, string? Autonomy);

    private static async Task<NodeState> NodeAsync(Kubectl kubectl)
    {
        var fields = (await kubectl.OkAsync("get", "node", NodeName, "-o",
            "jsonpath={.metadata.uid}|{.spec.podCIDR}|{.status.conditions[?(@.type==\"Ready\")].status}|{.metadata.annotations.node\\.mkube\\.io/autonomy}")).Split('|');
        return new NodeState(fields[0], fields[1], fields[2], fields[3].Length == 0 ? null : fields[3]);
    }

    /// <summary>A pod's address, the last field of its line.</summary>
    private static string Address(string podLine) => podLine[(podLine.LastIndexOf(' ') + 1)..];

    /// <summary>
    /// What an agent keeps to run on, by path under DATA_DIR/agent: the files directly in it (the
    /// join credentials, node password, certificates and keys; not the running agent's lock) and
    /// its pods' address allocations (ipam/).
    /// </summary>
    private static Dictionary<string, string> AgentFiles(string agentDataDir)
    {
        var agent = Path.Combine(agentDataDir, "agent");
        return Directory.EnumerateFiles(agent).Where(file => Path.GetFileName(file) != "mkube.lock")
            .Concat(Directory.EnumerateFiles(Path.Combine(agent, "ipam"), "*", SearchOption.AllDirectories))
            .ToDictionary(file => Path.GetRelativePath(agent, file), File.ReadAllText, StringComparer.Ordinal);
    }
}
