namespace MiniKube.E2E.Tests;

/// <summary>
/// <c>mkube agent</c> joining a server with its token: two nodes on one machine (the server's
/// own and the agent's), pods on the agent's node, a restart without the token, and a wrong token.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class AgentJoinTests : DataDirFixture
{
    [Test]
    public async Task Agent_WithToken_JoinsRunsPodsAndRejoinsWithoutIt()
    {
        using var server = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", "e2e-server-node"));
        await server.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        var url = ServerUrl();
        var token = (await File.ReadAllTextAsync(Path.Combine(DataDir, "server", "token"))).Trim();
        var agentDir = Path.Combine(DataDir, "agent-node");
        string[] agentArgs = ["agent", "--server", url, "--data-dir", agentDir, "--node-name", "e2e-agent-node", "--kubelet-port", "0"];

        using (var agent = MkubeBinary.Start(null, [.. agentArgs, "--token", token]))
        {
            await agent.WaitForLogAsync("components are running", StartTimeout);
            await WaitAsync(async () => (await kubectl.RunAsync("get", "nodes")).Output is var nodes
                && nodes.Contains("e2e-server-node", StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(nodes, @"e2e-agent-node\s+Ready"));

            var manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: remote\nspec:\n  nodeName: e2e-agent-node\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: main\n    image: mkube.local/busybox:1\n    imagePullPolicy: Never\n    command: [\"sh\", \"-c\", \"echo hello from $(hostname); sleep 3600\"]\n";
            Assert.That((await kubectl.RunWithAsync(manifest, null, "apply", "-f", "-")).ExitCode, Is.Zero);
            await WaitAsync(async () => (await kubectl.RunAsync("get", "pod", "remote", "-o", "jsonpath={.status.phase}")).Output == "Running");
            await WaitAsync(async () => (await kubectl.RunAsync("logs", "remote")).Output == "hello from remote\n");
            Assert.That(File.GetUnixFileMode(Path.Combine(agentDir, "agent", "credentials")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            agent.Signal(MkubeProcess.SigTerm);
            await agent.WaitForExitAsync(TimeSpan.FromSeconds(15));
            Assert.That(agent.ExitCode, Is.Zero);
        }

        using var again = MkubeBinary.Start(null, agentArgs);
        await again.WaitForLogAsync("components are running", StartTimeout);
        Assert.That((await kubectl.RunAsync("delete", "pod", "remote", "--timeout=60s")).ExitCode, Is.Zero, "the rejoined kubelet finishes the deletion");
    }

    [Test]
    public async Task Agent_WithTokenOfAnotherCluster_FailsWithOneLineAndRegistersNothing()
    {
        using var server = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", "e2e-server-node"));
        await server.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        var wrong = "K10" + new string('0', 64) + "::server:secret";

        using var agent = MkubeBinary.Start(null, "agent", "--server", ServerUrl(), "--token", wrong, "--data-dir", Path.Combine(DataDir, "bad-agent"), "--node-name", "e2e-bad-node", "--kubelet-port", "0");
        await agent.WaitForExitAsync(StartTimeout);

        Assert.That(agent.ExitCode, Is.Not.Zero);
        Assert.That(agent.Stderr, Has.Some.Contains("does not match the join token"));
        Assert.That(agent.Stderr, Has.None.Contains("   at "), "no stack trace");
        Assert.That((await kubectl.RunAsync("get", "nodes")).Output, Does.Not.Contain("e2e-bad-node"));
    }

    private string ServerUrl() =>
        File.ReadLines(KubeconfigPath).First(l => l.TrimStart().StartsWith("server:", StringComparison.Ordinal)).Split("server:")[1].Trim();
}
