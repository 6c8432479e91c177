using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace MiniKube.E2E.Tests;

/// <summary>
/// Pods on two nodes (issue 15), with the real kubelet, service proxy, network policy, DNS and
/// kubectl: <c>mkube server</c> on this machine and an <c>mkube agent</c> in a network namespace
/// of the test's own (<c>e2e-xnode</c>) as the second machine, joined by a veth pair as their LAN
/// (192.168.251.1 here, .2 there). Both use this machine's dockerd: the agent wires its pods from
/// its own namespace, so they live on its network. One two-node cluster per backend carries every
/// step (a start costs more than the steps), each of which fails on its own when its feature
/// breaks. A third namespace (<c>e2e-xcli</c>, 192.168.250.2) behind the agent's is a client that
/// is no node. The server runs with a cluster DNS address and domain of its own, which the agent
/// must take from it (pods on the agent resolve a short name through them). TearDown removes the namespaces (and with them the links) and the server's VXLAN device here.
/// </summary>
[TestFixture]
[Category("E2E")]
[NonParallelizable]
public sealed partial class CrossNodeTests : DataDirFixture
{
    private const string Namespace = "e2e-xnode";
    private const string HostEnd = "e2exnh";
    private const string NamespaceEnd = "e2exnn";
    private const string ClientNamespace = "e2e-xcli";
    private const string ClientIp = "192.168.250.2";
    private const string ServerIp = "192.168.251.1";
    private const string AgentIp = "192.168.251.2";
    private const int LoadBalancerPort = 18081;
    private const int BigFileBytes = 8 << 20;

    private static readonly string[] Nodes = ["server", "agent"];

    private Kubectl _kubectl = null!;
    private string[] _agentArgs = [];
    private MkubeProcess? _agent;

    [TearDown]
    public async Task RemoveTheSecondMachine()
    {
        _agent?.Dispose();
        _agent = null;
        // The pair goes with either end; deleted here, not left to the namespace's (asynchronous) cleanup.
        await RunAsync("ip", "link", "del", "dev", HostEnd);
        await RunAsync("ip", "netns", "del", Namespace);
        await RunAsync("ip", "netns", "del", ClientNamespace);
        await RunAsync("ip", "link", "del", "dev", "mkube.1");
    }

    [TestCase("vxlan")]
    [TestCase("host-gw")]
    public async Task PodsOnTwoNodes_ReachEachOtherThroughServicesPoliciesPortForwardAndAnAgentRestart_AndADeletedNodeTakesItsRoute(string backend)
    {
        await CreateLanAsync();
        using var server = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", "e2e-xn-server", "--node-ip", ServerIp, "--flannel-backend", backend,
            "--cluster-dns", "10.43.0.53", "--cluster-domain", "edge.local"));
        await server.WaitForLogAsync("components are running", StartTimeout);
        _kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        var port = new Uri(File.ReadLines(KubeconfigPath).First(l => l.TrimStart().StartsWith("server:", StringComparison.Ordinal)).Split("server:")[1].Trim()).Port;
        var token = (await File.ReadAllTextAsync(Path.Combine(DataDir, "server", "token"))).Trim();
        _agentArgs = ["agent", "--server", $"https://{ServerIp}:{port}", "--token", token,
            "--data-dir", Path.Combine(DataDir, "agent-node"), "--node-name", "e2e-xn-agent", "--node-ip", AgentIp, "--kubelet-port", "0", "--flannel-backend", backend];
        await StartAgentAsync();

        var ips = await StartWebPodsAsync();
        await AssertPodsReachEachOtherByIpClusterIpAndNameAsync(ips);
        await AssertNodePortOnEitherNodeReachesBothPodsAsync();
        await AssertNetworkPolicyBlocksAndAllowsAcrossNodesAsync(ips);
        await AssertLoadBalancerShowsAndAnswersOnNodeIpsAsync();
        await AssertPortForwardCarriesRequestsAndLongTransfersAsync();
        await AssertAgentRestartKeepsItsPodAndConnectivityAsync(ips);

        _agent!.Signal(MkubeProcess.SigTerm);
        await _agent.WaitForExitAsync(TimeSpan.FromSeconds(15));
        await _kubectl.OkAsync("delete", "node", "e2e-xn-agent");
        await WaitAsync(async () => (await RunAsync("ip", "-4", "route", "show", "proto", "77")).Trim().Length == 0, "the server's route to the deleted node's podCIDR gone", 30);
    }

    private async Task StartAgentAsync()
    {
        _agent = MkubeBinary.StartInNetworkNamespace(Namespace, _agentArgs);
        await _agent.WaitForLogAsync("components are running", StartTimeout);
        await WaitAsync(async () => Regex.Count((await _kubectl.RunAsync("get", "nodes")).Output, @"e2e-xn-\w+\s+Ready\s") == 2, "both nodes Ready");
    }

    /// <summary>
    /// One web pod per node, serving its name, an 8 MiB random file and a CGI that answers the
    /// SHA-256 of what is posted to it, logging each client's address; a NodePort Service over both. Returns the pods' IPs by node.
    /// </summary>
    private async Task<Dictionary<string, string>> StartWebPodsAsync()
    {
        foreach (var node in Nodes)
        {
            var pod = $$"""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web-{{node}}
                  labels:
                    app: web
                    node: {{node}}
                spec:
                  nodeName: e2e-xn-{{node}}
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: main
                    image: mkube.local/busybox:1
                    imagePullPolicy: Never
                    ports: [{name: http, containerPort: 8080}]
                    command: [sh, -c]
                    args:
                    - |
                      mkdir -p /www/cgi-bin && echo hello from {{node}} > /www/index.html
                      head -c {{BigFileBytes}} /dev/urandom > /www/big
                      printf '#!/bin/sh\necho Content-Type: text/plain\necho\nhead -c $CONTENT_LENGTH | sha256sum\n' > /www/cgi-bin/sum
                      chmod +x /www/cgi-bin/sum
                      exec httpd -f -v -p 8080 -h /www
                """;
            Assert.That((await _kubectl.RunWithAsync(pod, null, "apply", "-f", "-")).ExitCode, Is.Zero);
        }
        const string Service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n";
        Assert.That((await _kubectl.RunWithAsync(Service, null, "apply", "-f", "-")).ExitCode, Is.Zero);
        await WaitAsync(async () => (await _kubectl.RunAsync("get", "pods", "-o", "jsonpath={.items[*].status.phase}")).Output == "Running Running", "both pods Running");
        var ips = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in Nodes)
        {
            ips[node] = await _kubectl.OkAsync("get", "pod", $"web-{node}", "-o", "jsonpath={.status.podIP}");
        }
        return ips;
    }

    private async Task AssertPodsReachEachOtherByIpClusterIpAndNameAsync(Dictionary<string, string> ips)
    {
        var wide = await _kubectl.RunAsync("get", "pods", "-o", "wide");
        var toAgent = await FetchAsync("web-server", $"{ips["agent"]}:8080");
        var toServer = await FetchAsync("web-agent", $"{ips["server"]}:8080");
        var agentLog = await _kubectl.OkAsync("logs", "web-agent");
        var serverLog = await _kubectl.OkAsync("logs", "web-server");
        var answers = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 20 && answers.Count < 4; i++)
        {
            // Through the ClusterIP by DNS name, from a pod on each node: the proxy picks either endpoint.
            foreach (var (from, name) in new[] { ("web-server", "web.default.svc.edge.local"), ("web-agent", "web") })
            {
                answers.Add($"{from} <- {(await FetchAsync(from, name)).Output.Trim()}");
            }
        }

        Assert.That(wide.Output, Does.Contain(ips["server"]).And.Contain(ips["agent"]));
        Assert.That(ips["server"], Does.StartWith("10.42."));
        Assert.That(ips["agent"], Does.StartWith("10.42.").And.Not.StartWith(ips["server"][..ips["server"].LastIndexOf('.')] + "."), "each node's pods come from its own podCIDR");
        Assert.That(toAgent.Output, Is.EqualTo("hello from agent\n"), toAgent.ToString());
        Assert.That(toServer.Output, Is.EqualTo("hello from server\n"), toServer.ToString());
        // httpd -v logs "[::ffff:CLIENT]:PORT: response:200": pod-to-pod traffic across nodes is not masqueraded.
        Assert.That(agentLog, Does.Contain($"[::ffff:{ips["server"]}]:"), "the agent's pod sees the server's pod's own address");
        Assert.That(serverLog, Does.Contain($"[::ffff:{ips["agent"]}]:"), "the server's pod sees the agent's pod's own address");
        Assert.That(answers, Is.SupersetOf(new[] { "web-server <- hello from server", "web-server <- hello from agent", "web-agent <- hello from server", "web-agent <- hello from agent" }));
    }

    /// <summary>The node port on each node's IP, from this machine and from inside the agent's namespace: both pods answer through each.</summary>
    private async Task AssertNodePortOnEitherNodeReachesBothPodsAsync()
    {
        var nodePort = await _kubectl.OkAsync("get", "service", "web", "-o", "jsonpath={.spec.ports[0].nodePort}");
        await AssertBothPodsAnswerOnEachNodeAsync(int.Parse(nodePort, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Policies on the pods of both nodes, enforced where each pod runs, against traffic from the
    /// other node: default deny blocks both ways; a podSelector rule on a named port lets the server's
    /// pod in to the agent's; a namespaceSelector rule, once it matches, lets the agent's pod in to
    /// the server's; removing the allow rules blocks again, removing the default deny restores access.
    /// </summary>
    private async Task AssertNetworkPolicyBlocksAndAllowsAcrossNodesAsync(Dictionary<string, string> ips)
    {
        const string DenyAll = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-all\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n";
        const string FromServerPod = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: agent-from-server-pod
            spec:
              podSelector: {matchLabels: {node: agent}}
              ingress:
              - from: [{podSelector: {matchLabels: {node: server}}}]
                ports: [{port: http}]
            """;
        var fromNamespace = (string ns) => $$"""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: server-from-namespace
            spec:
              podSelector:
                matchLabels:
                  node: server
              ingress:
              - from:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: {{ns}}
            """;
        var serverToAgent = () => CanReachAsync("web-server", ips["agent"]);
        var agentToServer = () => CanReachAsync("web-agent", ips["server"]);

        await ApplyAsync(DenyAll);
        await WaitAsync(async () => !await serverToAgent() && !await agentToServer(), "default deny blocks both ways across nodes", 30);

        await ApplyAsync(FromServerPod);
        await ApplyAsync(fromNamespace("kube-system"));
        await WaitAsync(serverToAgent, "the podSelector rule lets the server's pod in", 30);
        Assert.That(await agentToServer(), Is.False, "a namespaceSelector matching another namespace lets nothing in");

        await ApplyAsync(fromNamespace("default"));
        await WaitAsync(agentToServer, "the namespaceSelector rule, changed to match, lets the agent's pod in", 30);

        await _kubectl.OkAsync("delete", "networkpolicy", "agent-from-server-pod", "server-from-namespace");
        await WaitAsync(async () => !await serverToAgent() && !await agentToServer(), "removing the allow rules blocks again", 30);
        await _kubectl.OkAsync("delete", "networkpolicy", "deny-all");
        await WaitAsync(async () => await serverToAgent() && await agentToServer(), "removing the default deny restores access", 30);
    }

    /// <summary>
    /// A LoadBalancer Service (ServiceLB's role): kubectl shows both node IPs under EXTERNAL-IP, and
    /// its port on each answers from this machine and from inside the agent's namespace, with both
    /// pods, and so does the agent's to a client behind it; with <c>externalTrafficPolicy: Local</c>,
    /// only with the agent's pod, which sees the client's own address, and each node's health-check
    /// node port and kube-proxy /healthz answer healthy.
    /// </summary>
    private async Task AssertLoadBalancerShowsAndAnswersOnNodeIpsAsync()
    {
        var service = $"apiVersion: v1\nkind: Service\nmetadata:\n  name: web-lb\nspec:\n  type: LoadBalancer\n  selector: {{app: web}}\n  ports: [{{port: {LoadBalancerPort}, targetPort: 8080}}]\n";
        await ApplyAsync(service);
        var shown = "";
        await WaitAsync(async () =>
        {
            shown = await _kubectl.OkAsync("get", "service", "web-lb", "--no-headers");
            return shown.Contains($"{ServerIp},{AgentIp}", StringComparison.Ordinal) || shown.Contains($"{AgentIp},{ServerIp}", StringComparison.Ordinal);
        }, "both node IPs under EXTERNAL-IP", 30);
        Assert.That(shown, Does.Match($@"^web-lb\s+LoadBalancer\s+10\.43\.\S+\s+\S*{Regex.Escape(ServerIp)}\S*\s+{LoadBalancerPort}:\d+/TCP"), shown);
        await AssertBothPodsAnswerOnEachNodeAsync(LoadBalancerPort);

        // A node's own traffic to any load-balancer IP is taken by its own proxy (as kube-proxy's), so
        // the agent's handling of outside traffic needs a client that is no node: one behind the agent.
        var url = $"http://{AgentIp}:{LoadBalancerPort}/index.html";
        Assert.That(await CollectAnswersAsync(() => CurlInAsync(ClientNamespace, url)), Is.EquivalentTo(new[] { "hello from server", "hello from agent" }), $"{url} from a client");

        // externalTrafficPolicy: Local: that client gets only the agent's pod, which sees the client's own address.
        await _kubectl.OkAsync("patch", "service", "web-lb", "-p", "{\"spec\":{\"externalTrafficPolicy\":\"Local\"}}");
        var answers = new List<string?>();
        await WaitAsync(async () =>
        {
            answers.Add(await CurlInAsync(ClientNamespace, url));
            return answers.Count >= 8 && answers.TakeLast(8).All(a => a == "hello from agent\n");
        }, $"{url} answered only by the agent's pod (externalTrafficPolicy: Local)", 30);
        var lastClient = (await _kubectl.OkAsync("logs", "web-agent")).TrimEnd().Split('\n')[^1];
        Assert.That(lastClient, Does.StartWith($"[::ffff:{ClientIp}]:"), "the agent's pod sees the client's own address");

        // What a load balancer in front probes: each node's healthCheckNodePort answers 200 (it has a
        // local endpoint), and kube-proxy's own /healthz answers on :10256 with the node eligible.
        var healthPort = await _kubectl.OkAsync("get", "service", "web-lb", "-o", "jsonpath={.spec.healthCheckNodePort}");
        foreach (var nodeIp in new[] { ServerIp, AgentIp })
        {
            string? check = null;
            await WaitAsync(async () => (check = await HostGetAsync($"http://{nodeIp}:{healthPort}/healthz")) is not null, $"{nodeIp}:{healthPort} answers 200", 30);
            Assert.That(check, Does.Contain("\"localEndpoints\": 1").And.Contain("\"serviceProxyHealthy\": true"), check);
            Assert.That(await HostGetAsync($"http://{nodeIp}:10256/healthz"), Does.Contain("\"nodeEligible\": true"), $"kube-proxy's own /healthz on {nodeIp}");
        }
        await _kubectl.OkAsync("delete", "service", "web-lb");
    }

    /// <summary>Port <paramref name="port"/> on each node's IP, from this machine and from inside the agent's namespace, reaches the pods of both nodes.</summary>
    private static async Task AssertBothPodsAnswerOnEachNodeAsync(int port)
    {
        foreach (var nodeIp in new[] { ServerIp, AgentIp })
        {
            var url = $"http://{nodeIp}:{port}/index.html";
            Assert.That(await CollectAnswersAsync(() => HostGetAsync(url)), Is.EquivalentTo(new[] { "hello from server", "hello from agent" }), $"{url} from this machine");
            Assert.That(await CollectAnswersAsync(() => CurlInAsync(Namespace, url)), Is.EquivalentTo(new[] { "hello from server", "hello from agent" }), $"{url} from the agent's namespace");
        }
    }

    /// <summary>
    /// <c>kubectl port-forward</c> on this machine to the pod on each node (the agent's kubelet reached
    /// by the API server over the LAN): an HTTP request, 8 MiB downloaded and 8 MiB uploaded, checked by SHA-256.
    /// </summary>
    private async Task AssertPortForwardCarriesRequestsAndLongTransfersAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        foreach (var node in Nodes)
        {
            var pod = $"web-{node}";
            var onPod = (await _kubectl.OkAsync("exec", pod, "--", "sha256sum", "/www/big")).Split(' ')[0];
            using var forward = _kubectl.Start(false, null, "port-forward", "--address", "127.0.0.1", $"pod/{pod}", ":8080");
            try
            {
                var local = await ForwardedPortAsync(forward);
                var page = await http.GetStringAsync(new Uri($"http://127.0.0.1:{local}/index.html"));
                var downloaded = await http.GetByteArrayAsync(new Uri($"http://127.0.0.1:{local}/big"));
                var upload = RandomNumberGenerator.GetBytes(BigFileBytes);
                using var posted = await http.PostAsync(new Uri($"http://127.0.0.1:{local}/cgi-bin/sum"), new ByteArrayContent(upload));
                var uploadedSum = (await posted.Content.ReadAsStringAsync()).Split(' ')[0];

                Assert.That(page, Is.EqualTo($"hello from {node}\n"), pod);
                Assert.That(downloaded, Has.Length.EqualTo(BigFileBytes), $"{pod}: bytes downloaded");
                Assert.That(Convert.ToHexStringLower(SHA256.HashData(downloaded)), Is.EqualTo(onPod), $"{pod}: the download's SHA-256");
                Assert.That(uploadedSum, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(upload))), $"{pod}: the upload's SHA-256 as the pod read it");
            }
            finally
            {
                forward.Kill();
                await forward.WaitForExitAsync();
            }
        }
    }

    /// <summary>
    /// Stopping the agent leaves its pod running; started again on the same data dir, it keeps
    /// the pod's container and address, and the pods still reach each other across the nodes.
    /// </summary>
    private async Task AssertAgentRestartKeepsItsPodAndConnectivityAsync(Dictionary<string, string> ips)
    {
        const string Identity = "jsonpath={.status.podIP} {.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}";
        var before = await _kubectl.OkAsync("get", "pod", "web-agent", "-o", Identity);
        var containerId = before.Split(' ')[1].Replace("docker://", "", StringComparison.Ordinal);
        _agent!.Signal(MkubeProcess.SigTerm);
        await _agent.WaitForExitAsync(TimeSpan.FromSeconds(15));
        _agent.Dispose();
        await StartAgentAsync();

        await WaitAsync(async () => await CanReachAsync("web-server", ips["agent"]) && await CanReachAsync("web-agent", ips["server"]), "the pods reach each other again after the agent's restart", 60);
        var byName = await FetchAsync("web-agent", "web");
        var after = await _kubectl.OkAsync("get", "pod", "web-agent", "-o", Identity);
        var inPod = await _kubectl.OkAsync("exec", "web-agent", "--", "ip", "-4", "-o", "addr", "show", "dev", "eth0");
        var running = await DockerCli.RunAsync("inspect", "-f", "{{.State.Running}} {{.State.StartedAt}}", containerId);

        Assert.That(after, Is.EqualTo(before), "podIP, container and restart count unchanged");
        Assert.That(before, Does.StartWith(ips["agent"] + " docker://").And.EndWith(" 0"));
        Assert.That(inPod, Does.Contain($" {ips["agent"]}/"), "the pod's eth0 keeps its address");
        Assert.That(running, Does.StartWith("true "), "the pod's container kept running through the restart");
        Assert.That(byName.ExitCode, Is.Zero, byName.ToString());
        Assert.That(byName.Output.Trim(), Is.AnyOf("hello from server", "hello from agent"));
    }

    private async Task ApplyAsync(string manifest)
    {
        var applied = await _kubectl.RunWithAsync(manifest, null, "apply", "-f", "-");
        Assert.That(applied.ExitCode, Is.Zero, applied.ToString());
    }

    /// <summary>
    /// GET <c>http://<paramref name="target"/>/index.html</c> from inside pod <paramref name="from"/>.
    /// timeout, not wget -T: this busybox's wget crashes (exit 139) when given -T.
    /// </summary>
    private Task<KubectlResult> FetchAsync(string from, string target) =>
        _kubectl.RunAsync("exec", from, "--", "timeout", "3", "wget", "-q", "-O", "-", $"http://{target}/index.html");

    /// <summary>Whether pod <paramref name="from"/> gets the page of the pod at <paramref name="ip"/> (a blocked connection is refused or times out).</summary>
    private async Task<bool> CanReachAsync(string from, string ip) =>
        (await FetchAsync(from, $"{ip}:8080")).Output.StartsWith("hello from", StringComparison.Ordinal);

    /// <summary>Asks up to 30 times until two different answers came back (the proxy picks an endpoint at random).</summary>
    private static async Task<HashSet<string>> CollectAnswersAsync(Func<Task<string?>> ask)
    {
        var answers = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 30 && answers.Count < 2; i++)
        {
            if (await ask() is { } answer)
            {
                answers.Add(answer.Trim());
            }
            else
            {
                await Task.Delay(250); // rules not written yet: the proxy syncs about once a second
            }
        }
        return answers;
    }

    private static async Task<string?> HostGetAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            return await http.GetStringAsync(new Uri(url));
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<string?> CurlInAsync(string networkNamespace, string url)
    {
        var (code, output) = await RunWithCodeAsync("nsenter", [$"--net=/run/netns/{networkNamespace}", "curl", "-s", "-m", "3", url]);
        return code == 0 ? output : null;
    }

    /// <summary>The local port kubectl port-forward chose, from its "Forwarding from 127.0.0.1:PORT -> 8080" line.</summary>
    private static async Task<int> ForwardedPortAsync(Process forward)
    {
        _ = forward.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await forward.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ForwardingLine().Match(line) is { Success: true } match)
            {
                // Keep draining, so kubectl never blocks on a full pipe ("Handling connection for 8080").
                _ = forward.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        Assert.Fail("kubectl port-forward ended before forwarding");
        return 0;
    }

    [GeneratedRegex(@"^Forwarding from 127\.0\.0\.1:(\d+) -> 8080")]
    private static partial Regex ForwardingLine();

    /// <summary>
    /// The agent's namespace and the veth pair between it and this machine, with an address at
    /// each end; and a client's namespace (no node) behind the agent's, routed through it.
    /// </summary>
    private static async Task CreateLanAsync()
    {
        await RunCheckedAsync("ip", "netns", "add", Namespace);
        await RunCheckedAsync("ip", "link", "add", HostEnd, "type", "veth", "peer", "name", NamespaceEnd, "netns", Namespace);
        await RunCheckedAsync("ip", "addr", "add", $"{ServerIp}/24", "dev", HostEnd);
        await RunCheckedAsync("ip", "link", "set", "dev", HostEnd, "up");
        await RunCheckedAsync("nsenter", $"--net=/run/netns/{Namespace}", "sh", "-c", $"ip link set lo up && ip addr add {AgentIp}/24 dev {NamespaceEnd} && ip link set dev {NamespaceEnd} up");
        await RunCheckedAsync("ip", "netns", "add", ClientNamespace);
        // e2excg on the agent's side (192.168.250.1, the client's gateway), e2excc on the client's.
        await RunCheckedAsync("ip", "-n", Namespace, "link", "add", "e2excg", "type", "veth", "peer", "name", "e2excc", "netns", ClientNamespace);
        await RunCheckedAsync("nsenter", $"--net=/run/netns/{Namespace}", "sh", "-c", "ip addr add 192.168.250.1/24 dev e2excg && ip link set dev e2excg up");
        await RunCheckedAsync("nsenter", $"--net=/run/netns/{ClientNamespace}", "sh", "-c", $"ip link set lo up && ip addr add {ClientIp}/24 dev e2excc && ip link set dev e2excc up && ip route add default via 192.168.250.1");
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
