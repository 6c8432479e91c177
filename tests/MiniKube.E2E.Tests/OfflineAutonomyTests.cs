using System.Text.RegularExpressions;

namespace MiniKube.E2E.Tests;

/// <summary>
/// Offline autonomy (issue 17 item 7) with the real binary and Docker: <c>mkube server
/// --disable-agent</c> on this machine and one <c>mkube agent</c> in a network namespace of the
/// test's own (<c>e2e-offl</c>, joined by a veth pair: 192.168.252.1 here, .2 there). The agent is
/// cut off from the server by an iptables rule in its namespace (its packets to the server are
/// answered with a TCP reset, so every connection fails as with a server gone), then restored.
/// A short grace period (<c>--node-monitor-grace-period 15s</c>, above the kubelet's 10 s heartbeat) keeps the run to about a minute; the
/// documented guarantee is ten minutes (<c>--node-autonomy-duration</c>, 1 h by default).
/// Three pods show the behaviour: <c>steady</c> is left alone, <c>crash</c>'s container is killed
/// while offline, <c>lost</c>'s container is removed while the agent itself is down offline.
/// </summary>
[TestFixture]
[Category("E2E")]
[NonParallelizable]
public sealed partial class OfflineAutonomyTests : DataDirFixture
{
    private const string ServerIp = "192.168.252.1";
    private const string AgentIp = "192.168.252.2";
    private const string NodeName = "e2e-off-agent";
    private const string Cut = $"OUTPUT -d {ServerIp} -p tcp -j REJECT --reject-with tcp-reset";

    private static readonly string[] Pods = ["steady", "crash", "lost"];

    private static readonly AgentNetworkNamespace Machine = new("e2e-offl", "e2eofh", "e2eofn", ServerIp, AgentIp);

    private MkubeProcess? _agent;

    [TearDown]
    public async Task RemoveTheAgentsMachine()
    {
        _agent?.Dispose();
        _agent = null;
        await Machine.RemoveAsync();
    }

    [Test]
    public async Task Agent_CutOffFromTheServer_KeepsRestartsAndRecreatesItsPods_AndIsReadyAgainWithTheSamePods()
    {
        await Machine.CreateAsync();
        using var server = MkubeBinary.Start(null, ServerArgs(DataDir, "--disable-agent", "--node-ip", ServerIp, "--node-monitor-grace-period", "15s",
            "--disable", "ingress,metrics,dashboard,dns,local-storage,servicelb"));
        await server.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        var agentDir = Path.Combine(DataDir, "agent-node");
        var agentArgs = Machine.AgentArgs(ServerUri().Port, await JoinTokenAsync(), agentDir, NodeName, "--flannel-backend", "host-gw", "--disable-kube-proxy", "--disable-network-policy");
        _agent = MkubeBinary.StartInNetworkNamespace(Machine.Name, agentArgs);
        await _agent.WaitForLogAsync("components are running", DockerNodeStartTimeout);
        await WaitAsync(async () => NodeStatus().IsMatch((await kubectl.RunAsync("get", "node", NodeName)).Output), "the agent's node Ready", 60);
        Assert.That(await kubectl.OkAsync("get", "node", NodeName, "-o", "jsonpath={.metadata.annotations.node\\.mkube\\.io/autonomy}"), Is.EqualTo("true"));

        await StartPodsAsync(kubectl);
        var uids = await kubectl.OkAsync("get", "pods", "-o", "jsonpath={.items[*].metadata.uid}");
        var steady = await MainContainerAsync("steady");
        var lost = await MainContainerAsync("lost");
        await WaitAsync(() => Task.FromResult(Pods.All(p => File.Exists(Path.Combine(agentDir, "agent", "local-state", "pods", $"default_{p}.json")))), "the local copy of the agent's pods", 30);

        // Offline: the server marks the node NotReady and taints it, as upstream; the pods run on.
        await Machine.ExecAsync($"iptables -I {Cut}");
        var crashed = await MainContainerAsync("crash");
        await DockerCli.RunAsync("kill", crashed.Id);
        var restartedOffline = await WaitForMainContainerAsync("crash", c => c.Id != crashed.Id && c.Running, "the killed container restarted while offline (10 s back-off)");
        await WaitAsync(async () => (await kubectl.RunAsync("get", "node", NodeName)).Output.Contains(" NotReady", StringComparison.Ordinal), "the node NotReady once its heartbeats stop", 40);
        var taints = await kubectl.OkAsync("get", "node", NodeName, "-o", "jsonpath={.spec.taints[*].key}");

        // The agent itself restarts while offline; meanwhile one pod's container is removed.
        _agent.Signal(MkubeProcess.SigTerm);
        await _agent.WaitForExitAsync(TimeSpan.FromSeconds(20));
        _agent.Dispose();
        await DockerCli.RunAsync("rm", "-f", lost.Id);
        _agent = MkubeBinary.StartInNetworkNamespace(Machine.Name, agentArgs);
        await _agent.WaitForLogAsync("pods from the local copy", StartTimeout);
        var recreated = await WaitForMainContainerAsync("lost", c => c.Id != lost.Id && c.Running, "the removed container recreated from the local copy while offline");
        var greeting = await DockerCli.RunAsync("exec", recreated.Id, "sh", "-c", "echo $GREETING; cat /etc/settings/greeting");
        var offline = await ContainerIdsAsync();

        // The server returns: Ready again, the same pods, nothing recreated.
        var stillNotReady = (await kubectl.RunAsync("get", "node", NodeName)).Output;
        await Machine.ExecAsync($"iptables -D {Cut}");
        await WaitAsync(async () => NodeStatus().IsMatch((await kubectl.RunAsync("get", "node", NodeName)).Output), "the node Ready again once the server is back", 60);
        await WaitAsync(async () => (await kubectl.RunAsync("get", "pod", "crash", "-o", "jsonpath={.status.containerStatuses[0].containerID}")).Output.EndsWith(restartedOffline.Id, StringComparison.Ordinal)
            && (await kubectl.RunAsync("get", "pod", "lost", "-o", "jsonpath={.status.containerStatuses[0].containerID}")).Output.EndsWith(recreated.Id, StringComparison.Ordinal),
            "the pods' status shows the containers started offline", 60);
        var after = await kubectl.OkAsync("get", "pods", "-o", "jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].containerID}{\"\\n\"}{end}");
        var afterUids = await kubectl.OkAsync("get", "pods", "-o", "jsonpath={.items[*].metadata.uid}");
        var nodeTaints = await kubectl.OkAsync("get", "node", NodeName, "-o", "jsonpath={.spec.taints[*].key}");

        Assert.That(taints, Does.Contain("node.kubernetes.io/unreachable"), "tainted unreachable while offline, as upstream");
        Assert.That(stillNotReady, Does.Contain(" NotReady"));
        Assert.That(greeting.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "hello", "hello" }), "env and volume from the ConfigMap's local copy");
        Assert.That(afterUids, Is.EqualTo(uids), "no pod was evicted or recreated");
        Assert.That(await ContainerIdsAsync(), Is.EqualTo(offline), "no container recreated when the server came back");
        Assert.That(offline["steady"], Is.EqualTo(steady.Id), "the untouched pod kept its container through the outage and the agent's restart");
        Assert.That(after, Does.Contain($"steady Running 0 docker://{steady.Id}"));
        Assert.That(after, Does.Contain($"crash Running 1 docker://{restartedOffline.Id}"));
        Assert.That(after, Does.Contain($"lost Running 0 docker://{recreated.Id}").Or.Contain($"lost Running 1 docker://{recreated.Id}"));
        Assert.That(nodeTaints, Does.Not.Contain("unreachable"));
    }

    private static async Task StartPodsAsync(Kubectl kubectl)
    {
        var manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  greeting: hello\n" + string.Concat(Pods.Select(name => $$"""
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: {{name}}
            spec:
              nodeName: {{NodeName}}
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: mkube.local/busybox:1
                imagePullPolicy: Never
                command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]
                env:
                - name: GREETING
                  valueFrom:
                    configMapKeyRef: {name: settings, key: greeting}
                volumeMounts: [{name: settings, mountPath: /etc/settings}]
              volumes:
              - name: settings
                configMap: {name: settings}

            """));
        await kubectl.ApplyAsync(manifest);
        await WaitAsync(async () => (await kubectl.RunAsync("get", "pods", "-o", "jsonpath={.items[*].status.phase}")).Output == "Running Running Running", "the three pods Running", 60);
    }

    private sealed record Container(string Id, bool Running);

    /// <summary>The newest main container of pod <paramref name="pod"/> as Docker lists it (full ID).</summary>
    private static async Task<Container> MainContainerAsync(string pod) =>
        (await MainContainersAsync(pod)).FirstOrDefault() ?? throw new AssertionException($"no container of pod {pod}");

    private static async Task<List<Container>> MainContainersAsync(string pod)
    {
        var listed = await DockerCli.RunAsync("ps", "-a", "--no-trunc", "--filter", $"label=io.mkube.managed={NodeName}", "--filter", $"label=io.mkube.pod.name={pod}", "--filter", "label=io.mkube.container.name=main",
            "--format", "{{.ID}} {{.State}}");
        return [.. listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')).Select(parts => new Container(parts[0], parts[1] == "running"))];
    }

    private static async Task<Container> WaitForMainContainerAsync(string pod, Func<Container, bool> condition, string what)
    {
        Container? found = null;
        await WaitAsync(async () => (found = (await MainContainersAsync(pod)).FirstOrDefault(condition)) is not null, what, 45);
        return found!;
    }

    /// <summary>The running main container of each pod, by pod name.</summary>
    private static async Task<Dictionary<string, string>> ContainerIdsAsync()
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pod in Pods)
        {
            ids[pod] = (await MainContainersAsync(pod)).FirstOrDefault(c => c.Running)?.Id ?? "";
        }
        return ids;
    }

    [GeneratedRegex($@"{NodeName}\s+Ready\s")]
    private static partial Regex NodeStatus();
}
