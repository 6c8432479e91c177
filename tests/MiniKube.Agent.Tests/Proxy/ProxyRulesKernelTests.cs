using System.Diagnostics;
using MiniKube.Agent.Network;
using MiniKube.Agent.Proxy;
using static MiniKube.Agent.Tests.Proxy.ProxyObjects;

namespace MiniKube.Agent.Tests.Proxy;

/// <summary>
/// The proxy's rules for a LoadBalancer Service on the real kernel (needs root, iproute2, iptables,
/// busybox). Three or four network namespaces this test makes: a "node" holding the rules, a
/// "client" on the node's LAN link (the node's address there, 192.0.2.1, is the Service's ingress
/// IP) and one or two "pods" on links of their own, answering HTTP with the address the request
/// came from (busybox httpd CGI's REMOTE_ADDR). Every namespace carries a name unique to the test
/// and is deleted in TearDown, which takes its links and rules with it.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class ProxyRulesKernelTests
{
    private const string IngressIp = "192.0.2.1";
    private const string ClientIp = "192.0.2.2";

    private readonly List<Process> _processes = [];
    private readonly List<string> _namespaces = [];
    private string _id = "";
    private string _directory = "";

    [SetUp]
    public void Name()
    {
        _id = Guid.NewGuid().ToString("N")[..5];
        _directory = Directory.CreateTempSubdirectory("mkube-lb-").FullName;
    }

    [TearDown]
    public async Task RemoveEverything()
    {
        // Deleting a namespace takes its links and rules with it; its servers are stopped first so nothing holds it.
        try
        {
            await Task.WhenAll(_processes.Select(StopAsync));
        }
        finally
        {
            await Task.WhenAll(_namespaces.Select(name => RunAsync("ip", "netns", "del", name)));
            Directory.Delete(_directory, recursive: true);
            // One fixture instance runs every test.
            _processes.Clear();
            _namespaces.Clear();
        }
    }

    private static async Task StopAsync(Process process)
    {
        using (process)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            await process.WaitForExitAsync();
        }
    }

    [Test]
    public async Task ClusterPolicy_IngressIpAnswers_ClientMasqueraded()
    {
        await WireAsync(pods: 1);
        await ApplyAsync(LoadBalancer(), OnePod("node"));

        var answer = await RequestAsync();

        Assert.That(answer, Is.EqualTo("pod1 10.42.1.1"), "masqueraded to the node's address on the pod's link");
    }

    [Test]
    public async Task LocalPolicy_LocalEndpoint_SeesTheClientIp()
    {
        await WireAsync(pods: 1);
        await ApplyAsync(LoadBalancer(policy: "Local"), OnePod("node"));

        var answer = await RequestAsync();

        Assert.That(answer, Is.EqualTo($"pod1 {ClientIp}"));
    }

    [Test]
    public async Task LocalPolicy_NoLocalEndpoint_TrafficIsDropped()
    {
        await WireAsync(pods: 1);
        await ApplyAsync(LoadBalancer(policy: "Local"), OnePod("elsewhere"));
        var direct = await RunInAsync("node", "busybox", "wget", "-q", "-O", "-", "http://10.42.1.5:8080/cgi-bin/ip");
        Assert.That(direct.Output, Does.StartWith("pod1 "), "the pod answers when asked directly");

        var answer = await RunInAsync("client", "timeout", "3", "busybox", "wget", "-q", "-O", "-", $"http://{IngressIp}/cgi-bin/ip");

        Assert.That(answer.ExitCode, Is.Not.Zero, answer.Output);
    }

    [Test]
    public async Task ClientIpAffinity_EveryRequestReachesTheSameEndpoint()
    {
        await WireAsync(pods: 2);
        var service = LoadBalancer();
        service.Spec.SessionAffinity = "ClientIP";
        await ApplyAsync(service, Slice("web", [new() { Name = "http", Port = 8080, Protocol = "TCP" }],
            [Endpoint("10.42.1.5", ready: true, node: "node"), Endpoint("10.42.2.5", ready: true, node: "node")]));

        var answers = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            answers.Add((await RequestAsync()).Split(' ')[0]);
        }

        Assert.That(answers.Distinct().ToList(), Has.Count.EqualTo(1), string.Join(",", answers));
    }

    [Test]
    public async Task SourceRanges_ClientOutsideIsRefused_ClientInsideIsServed()
    {
        await WireAsync(pods: 1);
        // A second client on a link of its own (198.51.100.0/24), routed to the ingress IP through the node.
        await NamespaceAsync("inside");
        await LinkAsync("node", $"mkl{_id}i0", "198.51.100.1", "inside", $"mkl{_id}i1", "198.51.100.2", 24);
        await CheckedAsync("ip", "-n", Namespace("inside"), "route", "add", "default", "via", "198.51.100.1");
        var service = LoadBalancer();
        service.Spec.LoadBalancerSourceRanges = ["198.51.100.0/24"];
        await ApplyAsync(service, OnePod("node"));

        var inside = await RequestAsync("inside");
        var outside = await RunInAsync("client", "timeout", "3", "busybox", "wget", "-q", "-O", "-", $"http://{IngressIp}/cgi-bin/ip");

        Assert.That(inside, Does.StartWith("pod1 "));
        Assert.That(outside.ExitCode, Is.Not.Zero, outside.Output);
        var nodePort = await RunInAsync("client", "timeout", "3", "busybox", "wget", "-q", "-O", "-", $"http://{IngressIp}:30080/cgi-bin/ip");
        Assert.That(nodePort.Output, Does.StartWith("pod1 "), "the node port is not subject to the ranges, as upstream");
    }

    private static k8s.Models.V1Service LoadBalancer(string? policy = null)
    {
        var service = LoadBalancerService("web", "10.43.0.10", [IngressIp], Port("http", 80, nodePort: 30080));
        service.Spec.ExternalTrafficPolicy = policy;
        return service;
    }

    /// <summary>The slice of pod 1 (10.42.1.5:8080), said to run on <paramref name="node"/>.</summary>
    private static k8s.Models.V1EndpointSlice OnePod(string node) =>
        Slice("web", [new() { Name = "http", Port = 8080, Protocol = "TCP" }], [Endpoint("10.42.1.5", ready: true, node: node)]);

    /// <summary>The namespaces and links: client —LAN— node —link i— pod i (10.42.i.5, the node 10.42.i.1).</summary>
    private async Task WireAsync(int pods)
    {
        await NamespaceAsync("node");
        await NamespaceAsync("client");
        await LinkAsync("node", $"mkl{_id}c0", IngressIp, "client", $"mkl{_id}c1", ClientIp, 24);
        await CheckedAsync("nsenter", $"--net=/run/netns/{Namespace("node")}", "sysctl", "-qw", "net.ipv4.ip_forward=1");
        for (var i = 1; i <= pods; i++)
        {
            var pod = $"pod{i}";
            await NamespaceAsync(pod);
            await LinkAsync("node", $"mkl{_id}p{i}", $"10.42.{i}.1", pod, $"mkl{_id}q{i}", $"10.42.{i}.5", 24);
            await CheckedAsync("ip", "-n", Namespace(pod), "route", "add", "default", "via", $"10.42.{i}.1");
            var site = Directory.CreateDirectory(Path.Combine(_directory, pod, "cgi-bin")).Parent!.FullName;
            var script = Path.Combine(site, "cgi-bin", "ip");
            await File.WriteAllTextAsync(script, $"#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"{pod} $REMOTE_ADDR\"\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
            Start("nsenter", $"--net=/run/netns/{Namespace(pod)}", "busybox", "httpd", "-f", "-p", "8080", "-h", site);
        }
    }

    /// <summary>The rules of <paramref name="service"/> written into the node's namespace as the proxy writes them on a host.</summary>
    private async Task ApplyAsync(k8s.Models.V1Service service, k8s.Models.V1EndpointSlice slice)
    {
        var node = $"--net=/run/netns/{Namespace("node")}";
        var rules = ProxyRules.Build(ServicePorts.From([service], [slice], "node"), [], "10.42.0.0/16");
        var restored = await HostCommands.Instance.RunAsync("nsenter", [node, "iptables-restore", "--noflush"], rules, CancellationToken.None);
        Assert.That(restored.ExitCode, Is.Zero, restored.Error + "\n" + rules);
        foreach (var jump in ProxyRules.Jumps)
        {
            await CheckedAsync(["nsenter", node, "iptables", "-t", jump.Table, "-I", jump.Chain, .. jump.Arguments]);
        }
    }

    /// <summary>
    /// The client's HTTP request to the ingress IP, retried while the pods' servers start: "podN ADDRESS",
    /// the address the pod saw (busybox httpd listens on IPv6 and writes IPv4 peers as [::ffff:a.b.c.d]).
    /// busybox wget's own -T crashes on some builds, hence timeout(1).
    /// </summary>
    private async Task<string> RequestAsync(string client = "client")
    {
        for (var i = 0; ; i++)
        {
            var result = await RunInAsync(client, "timeout", "3", "busybox", "wget", "-q", "-O", "-", $"http://{IngressIp}/cgi-bin/ip");
            if (result.Succeeded)
            {
                return result.Output.Trim().Replace("[::ffff:", "", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal);
            }
            Assert.That(i, Is.LessThan(9), $"no answer from {IngressIp}:80: {result.Error}");
            await Task.Delay(200);
        }
    }

    private string Namespace(string role) => $"mkube-test-lb{_id}-{role}";

    private async Task NamespaceAsync(string role)
    {
        await CheckedAsync("ip", "netns", "add", Namespace(role));
        _namespaces.Add(Namespace(role));
        await CheckedAsync("ip", "-n", Namespace(role), "link", "set", "lo", "up");
    }

    private async Task LinkAsync(string a, string linkA, string ipA, string b, string linkB, string ipB, int prefix)
    {
        await CheckedAsync("ip", "link", "add", linkA, "netns", Namespace(a), "type", "veth", "peer", "name", linkB, "netns", Namespace(b));
        await CheckedAsync("ip", "-n", Namespace(a), "addr", "add", $"{ipA}/{prefix}", "dev", linkA);
        await CheckedAsync("ip", "-n", Namespace(b), "addr", "add", $"{ipB}/{prefix}", "dev", linkB);
        await CheckedAsync("ip", "-n", Namespace(a), "link", "set", linkA, "up");
        await CheckedAsync("ip", "-n", Namespace(b), "link", "set", linkB, "up");
    }

    private Task<CommandResult> RunInAsync(string role, params string[] command) =>
        RunAsync("nsenter", [$"--net=/run/netns/{Namespace(role)}", .. command]);

    private Process Start(string tool, params string[] arguments)
    {
        var process = Process.Start(new ProcessStartInfo(tool, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })!;
        _processes.Add(process);
        return process;
    }

    private static async Task CheckedAsync(params string[] command)
    {
        var result = await RunAsync(command[0], command[1..]);
        Assert.That(result.ExitCode, Is.Zero, $"{string.Join(' ', command)}: {result.Error}");
    }

    private static Task<CommandResult> RunAsync(string tool, params string[] arguments) =>
        HostCommands.Instance.RunAsync(tool, arguments, null, CancellationToken.None);
}
