using System.Diagnostics;

namespace MiniKube.E2E.Tests;

/// <summary>
/// Pods on two nodes reaching each other (issue 15 §3), with the real kubelet, service proxy,
/// DNS and kubectl: <c>mkube server</c> on this machine and an <c>mkube agent</c> in a network
/// namespace of the test's own (<c>e2e-xnode</c>) as the second machine, joined by a veth pair
/// as their LAN (192.168.251.1 here, .2 there). Both use this machine's dockerd: the agent wires
/// its pods from its own namespace, so they live on its network. TearDown removes the namespace
/// (and with it the LAN) and the server's VXLAN device here.
/// </summary>
[TestFixture]
[Category("E2E")]
[NonParallelizable]
public sealed class CrossNodeTests : DataDirFixture
{
    private const string Namespace = "e2e-xnode";
    private const string HostEnd = "e2exnh";
    private const string NamespaceEnd = "e2exnn";

    [TearDown]
    public async Task RemoveTheSecondMachine()
    {
        // The pair goes with either end; deleted here, not left to the namespace's (asynchronous) cleanup.
        await RunAsync("ip", "link", "del", "dev", HostEnd);
        await RunAsync("ip", "netns", "del", Namespace);
        await RunAsync("ip", "link", "del", "dev", "mkube.1");
    }

    [TestCase("vxlan")]
    [TestCase("host-gw")]
    public async Task PodsOnTwoNodes_ReachEachOtherByIpServiceAndName_AndADeletedNodeTakesItsRoute(string backend)
    {
        await CreateLanAsync();
        using var server = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", "e2e-xn-server", "--node-ip", "192.168.251.1", "--flannel-backend", backend));
        await server.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        var port = new Uri(File.ReadLines(KubeconfigPath).First(l => l.TrimStart().StartsWith("server:", StringComparison.Ordinal)).Split("server:")[1].Trim()).Port;
        var token = (await File.ReadAllTextAsync(Path.Combine(DataDir, "server", "token"))).Trim();
        using var agent = MkubeBinary.StartInNetworkNamespace(Namespace, "agent", "--server", $"https://192.168.251.1:{port}", "--token", token,
            "--data-dir", Path.Combine(DataDir, "agent-node"), "--node-name", "e2e-xn-agent", "--node-ip", "192.168.251.2", "--kubelet-port", "0", "--flannel-backend", backend);
        await agent.WaitForLogAsync("components are running", StartTimeout);
        await WaitAsync(async () => System.Text.RegularExpressions.Regex.Count((await kubectl.RunAsync("get", "nodes")).Output, @"e2e-xn-\w+\s+Ready") == 2, "both nodes Ready");

        foreach (var node in new[] { "server", "agent" })
        {
            var pod = $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-{node}\n  labels: {{app: web}}\nspec:\n  nodeName: e2e-xn-{node}\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: main\n    image: mkube.local/busybox:1\n    imagePullPolicy: Never\n    command: [\"sh\", \"-c\", \"mkdir -p /www && echo hello from {node} > /www/index.html && httpd -f -p 8080 -h /www\"]\n";
            Assert.That((await kubectl.RunWithAsync(pod, null, "apply", "-f", "-")).ExitCode, Is.Zero);
        }
        var service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n";
        Assert.That((await kubectl.RunWithAsync(service, null, "apply", "-f", "-")).ExitCode, Is.Zero);
        await WaitAsync(async () => (await kubectl.RunAsync("get", "pods", "-o", "jsonpath={.items[*].status.phase}")).Output == "Running Running", "both pods Running");
        var wide = await kubectl.RunAsync("get", "pods", "-o", "wide");
        var serverIp = (await kubectl.RunAsync("get", "pod", "web-server", "-o", "jsonpath={.status.podIP}")).Output;
        var agentIp = (await kubectl.RunAsync("get", "pod", "web-agent", "-o", "jsonpath={.status.podIP}")).Output;

        var toAgent = await kubectl.RunAsync("exec", "web-server", "--", "wget", "-q", "-O", "-", $"http://{agentIp}:8080/index.html");
        var toServer = await kubectl.RunAsync("exec", "web-agent", "--", "wget", "-q", "-O", "-", $"http://{serverIp}:8080/index.html");
        var answers = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 20 && answers.Count < 4; i++)
        {
            // Through the ClusterIP by DNS name, from a pod on each node: the proxy picks either endpoint.
            foreach (var (from, name) in new[] { ("web-server", "web.default.svc.cluster.local"), ("web-agent", "web") })
            {
                var answer = await kubectl.RunAsync("exec", from, "--", "wget", "-q", "-O", "-", $"http://{name}/index.html");
                answers.Add($"{from} <- {answer.Output.Trim()}");
            }
        }

        Assert.That(wide.Output, Does.Contain(serverIp).And.Contain(agentIp));
        Assert.That(serverIp, Does.StartWith("10.42."));
        Assert.That(agentIp, Does.StartWith("10.42.").And.Not.StartWith(serverIp[..serverIp.LastIndexOf('.')] + "."), "each node's pods come from its own podCIDR");
        Assert.That(toAgent.Output, Is.EqualTo("hello from agent\n"), toAgent.ToString());
        Assert.That(toServer.Output, Is.EqualTo("hello from server\n"), toServer.ToString());
        Assert.That(answers, Is.SupersetOf(new[] { "web-server <- hello from server", "web-server <- hello from agent", "web-agent <- hello from server", "web-agent <- hello from agent" }));

        agent.Signal(MkubeProcess.SigTerm);
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(15));
        Assert.That((await kubectl.RunAsync("delete", "node", "e2e-xn-agent")).ExitCode, Is.Zero);
        await WaitAsync(async () => (await RunAsync("ip", "-4", "route", "show", "proto", "77")).Trim().Length == 0, "the server's route to the deleted node's podCIDR gone", 30);
    }

    /// <summary>The namespace and the veth pair between it and this machine, with an address at each end.</summary>
    private static async Task CreateLanAsync()
    {
        await RunCheckedAsync("ip", "netns", "add", Namespace);
        await RunCheckedAsync("ip", "link", "add", HostEnd, "type", "veth", "peer", "name", NamespaceEnd, "netns", Namespace);
        await RunCheckedAsync("ip", "addr", "add", "192.168.251.1/24", "dev", HostEnd);
        await RunCheckedAsync("ip", "link", "set", "dev", HostEnd, "up");
        await RunCheckedAsync("nsenter", $"--net=/run/netns/{Namespace}", "sh", "-c", $"ip link set lo up && ip addr add 192.168.251.2/24 dev {NamespaceEnd} && ip link set dev {NamespaceEnd} up");
    }

    private static async Task RunCheckedAsync(string tool, params string[] args)
    {
        var (code, output) = await RunWithCodeAsync(tool, args);
        Assert.That(code, Is.Zero, $"{tool} {string.Join(' ', args)}: {output}");
    }

    private static async Task<string> RunAsync(string tool, params string[] args) => (await RunWithCodeAsync(tool, args)).Output;

    private static async Task<(int Code, string Output)> RunWithCodeAsync(string tool, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
