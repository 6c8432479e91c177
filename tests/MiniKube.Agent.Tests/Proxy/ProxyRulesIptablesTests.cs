using System.Diagnostics;
using MiniKube.Agent.Proxy;
using static MiniKube.Agent.Tests.Proxy.ProxyObjects;

namespace MiniKube.Agent.Tests.Proxy;

/// <summary>The generated text against the real iptables-restore, in test mode (nothing is committed).</summary>
[TestFixture]
[Category("Integration")]
public sealed class ProxyRulesIptablesTests
{
    [Test]
    public async Task Build_RealIptablesRestore_AcceptsTheRules()
    {
        if (!Environment.IsPrivilegedProcess || IptablesPacketRules.MissingTool() is not null)
        {
            Assert.Ignore("needs root and iptables");
        }
        var local = LoadBalancerService("local", "10.43.0.13", ["192.0.2.1"], Port("http", 80, nodePort: 30081));
        local.Spec.ExternalTrafficPolicy = "Local";
        local.Spec.SessionAffinity = "ClientIP";
        local.Spec.LoadBalancerSourceRanges = ["198.51.100.0/24", "192.0.2.0/24"];
        var ports = ServicePorts.From(
            [NodePortService("web", "10.43.0.10", Port("http", 80, nodePort: 30080)), Service("dns", "10.43.0.11", Port("dns", 53, protocol: "UDP")), Service("empty", "10.43.0.12", Port(null, 80)),
             local, LoadBalancerService("nolocal", "10.43.0.14", ["192.0.2.1"], Port("http", 81, nodePort: 30082))],
            [Slice("web", "http", 8080, "172.17.0.2", "172.17.0.3", "172.17.0.4"), Slice("dns", [new() { Name = "dns", Port = 53, Protocol = "UDP" }], [Endpoint("172.17.0.5", ready: true)]),
             Slice("local", [new() { Name = "http", Port = 8080, Protocol = "TCP" }], [Endpoint("10.42.0.5", ready: true, node: "here"), Endpoint("10.42.1.5", ready: true, node: "there")])],
            "here");
        var rules = ProxyRules.Build(ports, [], "10.42.0.0/16", System.Net.IPAddress.Parse("192.0.2.1"));

        using var restore = Process.Start(new ProcessStartInfo("iptables-restore", ["--test", "--noflush"])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
        })!;
        await restore.StandardInput.WriteAsync(rules);
        restore.StandardInput.Close();
        var error = await restore.StandardError.ReadToEndAsync();
        await restore.WaitForExitAsync();

        Assert.That(restore.ExitCode, Is.Zero, error + "\n" + rules);
    }
}
