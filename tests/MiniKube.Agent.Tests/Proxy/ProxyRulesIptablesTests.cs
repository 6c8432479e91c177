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
        var ports = ServicePorts.From(
            [NodePortService("web", "10.43.0.10", Port("http", 80, nodePort: 30080)), Service("dns", "10.43.0.11", Port("dns", 53, protocol: "UDP")), Service("empty", "10.43.0.12", Port(null, 80))],
            [Slice("web", "http", 8080, "172.17.0.2", "172.17.0.3", "172.17.0.4"), Slice("dns", [new() { Name = "dns", Port = 53, Protocol = "UDP" }], [Endpoint("172.17.0.5", ready: true)])]);
        var rules = ProxyRules.Build(ports, []);

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
