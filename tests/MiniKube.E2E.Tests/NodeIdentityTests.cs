namespace MiniKube.E2E.Tests;

/// <summary>
/// A joined agent's identity (issue 14's third "Done when"): <c>mkube agent</c> joins with the
/// agent token and gets its own certificate, <c>system:node:&lt;name&gt;</c>. Its pod on Docker
/// reads the Secret and ConfigMap it mounts; with that same certificate the real kubectl is
/// refused a list of Secrets, a Secret of a pod on another node, a pod of its own making and
/// a change to another Node. The agent token alone reads nothing.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class NodeIdentityTests : DataDirFixture
{
    private const string ServerNode = "e2e-server-node";
    private const string AgentNode = "e2e-agent-node";

    [Test]
    public async Task JoinedAgent_ReadsWhatItsPodsNeed_AndIsRefusedTheRest()
    {
        using var server = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", ServerNode, "--agent-token", "e2e-agent-secret-0123456789"));
        await server.WaitForLogAsync("components are running", StartTimeout);
        var admin = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        var agentToken = (await File.ReadAllTextAsync(Path.Combine(DataDir, "server", "agent-token"))).Trim();
        Assert.That(agentToken, Does.Contain("::node:e2e-agent-secret-0123456789"));
        var agentDir = Path.Combine(DataDir, "agent-node");
        using var agent = MkubeBinary.Start(null, "agent", "--server", ServerUrl(), "--data-dir", agentDir, "--node-name", AgentNode, "--kubelet-port", "0", "--token", agentToken);
        await agent.WaitForLogAsync("components are running", StartTimeout);
        await WaitAsync(async () => System.Text.RegularExpressions.Regex.IsMatch((await admin.RunAsync("get", "nodes")).Output, AgentNode + @"\s+Ready"), "the agent's node is Ready");

        await admin.OkAsync("create", "secret", "generic", "edge-secret", "--from-literal=key=edge-value");
        await admin.OkAsync("create", "secret", "generic", "main-secret", "--from-literal=key=main-value");
        await admin.OkAsync("create", "configmap", "edge-config", "--from-literal=greeting=hello-edge");
        await admin.RunWithAsync(Pod("edge-reader", AgentNode, "edge-secret", "edge-config"), null, "apply", "-f", "-");
        await admin.RunWithAsync(Pod("main-reader", ServerNode, "main-secret", "edge-config"), null, "apply", "-f", "-");
        await WaitAsync(async () => (await admin.RunAsync("logs", "edge-reader")).Output.Contains("edge-value hello-edge", StringComparison.Ordinal), "the agent's pod reads its Secret and ConfigMap");

        var node = new Kubectl(await WriteKubeconfigAsync("node",
            $"client-certificate: {Path.Combine(agentDir, "agent", "client-kubelet.crt")}\n    client-key: {Path.Combine(agentDir, "agent", "client-kubelet.key")}"), Path.Combine(DataDir, "node-cache"));
        var whoami = await node.RunAsync("auth", "whoami");
        Assert.That(whoami.Output, Does.Match(@"Username\s+system:node:" + AgentNode).And.Contain("system:nodes"), whoami.ToString());

        var own = await node.RunAsync("get", "secret", "edge-secret", "-o", "jsonpath={.data.key}");
        Assert.That((own.ExitCode, own.Output), Is.EqualTo((0, "ZWRnZS12YWx1ZQ==")), own.ToString());

        var list = await node.RunAsync("get", "secrets");
        Assert.That(list.ExitCode, Is.Not.Zero);
        Assert.That(list.Error, Does.Contain($"User \"system:node:{AgentNode}\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\""), list.ToString());

        var other = await node.RunAsync("get", "secret", "main-secret");
        Assert.That(other.ExitCode, Is.Not.Zero);
        Assert.That(other.Error, Does.Contain($"secrets \"main-secret\" is forbidden: User \"system:node:{AgentNode}\" cannot get resource \"secrets\""), other.ToString());
        Assert.That(other.Error, Does.Contain($"no relationship found between node '{AgentNode}' and this object"), other.ToString());

        var create = await node.RunAsync("run", "sneaky", "--image=mkube.local/busybox:1", $"--overrides={{\"spec\":{{\"nodeName\":\"{AgentNode}\"}}}}");
        Assert.That(create.ExitCode, Is.Not.Zero);
        Assert.That(create.Error, Does.Contain("Forbidden").And.Contain("mirror pods"), create.ToString());

        var readOtherNode = await node.RunAsync("label", "node", ServerNode, "stolen=yes");
        Assert.That(readOtherNode.ExitCode, Is.Not.Zero);
        Assert.That(readOtherNode.Error, Does.Contain($"node '{AgentNode}' cannot read '{ServerNode}', only its own Node object"), readOtherNode.ToString());
        // kubectl label and patch read the Node first; a PUT of the admin's copy reaches NodeRestriction.
        var changed = Path.Combine(DataDir, "other-node.json");
        await File.WriteAllTextAsync(changed, (await admin.OkAsync("get", "node", ServerNode, "-o", "json")).Replace("\"labels\": {", "\"labels\": {\"stolen\": \"yes\",", StringComparison.Ordinal));
        var otherNode = await node.RunAsync("replace", "--raw", "/api/v1/nodes/" + ServerNode, "-f", changed);
        Assert.That(otherNode.ExitCode, Is.Not.Zero);
        Assert.That(otherNode.Error, Does.Contain($"node \"{AgentNode}\" is not allowed to modify node \"{ServerNode}\""), otherNode.ToString());

        var ownNode = await node.RunAsync("label", "node", AgentNode, "node-restriction.kubernetes.io/zone=x");
        Assert.That(ownNode.ExitCode, Is.Not.Zero, "restricted labels stay the admin's");
        Assert.That(ownNode.Error, Does.Contain("node-restriction.kubernetes.io/"), ownNode.ToString());

        var bootstrap = new Kubectl(await WriteKubeconfigAsync("bootstrap", "token: " + agentToken.Split("::node:")[1]), Path.Combine(DataDir, "bootstrap-cache"));
        var tokenOnly = await bootstrap.RunAsync("get", "pods");
        Assert.That(tokenOnly.ExitCode, Is.Not.Zero);
        Assert.That(tokenOnly.Error, Does.Contain("User \"system:bootstrap:mkube-agent\" cannot list resource \"pods\""), tokenOnly.ToString());
    }

    private static string Pod(string name, string nodeName, string secret, string configMap) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
        spec:
          nodeName: {{nodeName}}
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: mkube.local/busybox:1
            imagePullPolicy: Never
            command: ["sh", "-c", "echo $(cat /secret/key) $GREETING; sleep 3600"]
            env:
            - name: GREETING
              valueFrom:
                configMapKeyRef: {name: {{configMap}}, key: greeting}
            volumeMounts:
            - {name: secret, mountPath: /secret}
          volumes:
          - name: secret
            secret: {secretName: {{secret}}}
        """;

    // A kubeconfig for the real kubectl with the given user credentials (YAML lines under "user:").
    private async Task<string> WriteKubeconfigAsync(string name, string credentials)
    {
        var path = Path.Combine(DataDir, name + ".kubeconfig");
        await File.WriteAllTextAsync(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: mkube
              cluster:
                server: {ServerUrl()}
                certificate-authority: {Path.Combine(DataDir, "server", "tls", "server-ca.crt")}
            users:
            - name: {name}
              user:
                {credentials}
            contexts:
            - name: {name}
              context:
                cluster: mkube
                user: {name}
                namespace: default
            current-context: {name}
            """);
        return path;
    }

    private string ServerUrl() =>
        File.ReadLines(KubeconfigPath).First(l => l.TrimStart().StartsWith("server:", StringComparison.Ordinal)).Split("server:")[1].Trim();
}
