using System.Text.RegularExpressions;

namespace MiniKube.E2E.Tests;

/// <summary>
/// <c>mkube check-config</c> on this machine: one line per item in every area, the exit status
/// agreeing with the FAIL lines, and the cluster CA of a data dir a real server made checked
/// against the clock. It starts no pods (the server runs without an agent).
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed partial class CheckConfigTests : DataDirFixture
{
    [Test]
    public async Task CheckConfig_ThisMachine_ReportsEveryAreaAndExitsByTheFailLines()
    {
        using var check = await MkubeBinary.RunToEndAsync("check-config", "--data-dir", DataDir);

        var lines = check.Stdout.ToList();
        Assert.That(lines, Is.Not.Empty, string.Join('\n', check.Stderr));
        Assert.That(lines[..^1], Has.All.Match(ReportLine().ToString()), string.Join('\n', lines));
        var groups = lines[..^1].Select(l => ReportLine().Match(l).Groups["group"].Value).Distinct();
        Assert.That(groups, Is.EqualTo(new[] { "kernel", "cgroups", "tools", "docker", "ports", "clock", "disk" }));
        var failed = lines.Count(l => l.StartsWith("FAIL ", StringComparison.Ordinal));
        Assert.That(check.ExitCode, Is.EqualTo(failed == 0 ? 0 : 1), string.Join('\n', lines));
        Assert.That(lines[^1], Does.Contain($"{failed} missing"));
        Assert.That(lines, Has.One.Match(@"^OK +clock +system clock: .*, after this build's source date "), "the build records its source date, and this clock is past it");
        Assert.That(lines, Has.One.Match($"^(OK|WARN) +disk +{Regex.Escape(DataDir)}: .* free of "));
        // This machine has what the tests need: a Docker Engine and iptables.
        Assert.That(lines, Has.One.Match(@"^OK +docker +/var/run/docker.sock: Docker Engine [0-9.]+"));
        Assert.That(lines, Has.One.Match(@"^OK +tools +iptables backend: (nf_tables|legacy) \(iptables "));
    }

    [Test]
    public async Task CheckConfig_DataDirOfAServer_ChecksItsCasAgainstTheClock()
    {
        using (var server = MkubeBinary.Start(null, ServerArgs(DataDir, "--disable-agent", "--disable-scheduler", "--disable-controller-manager")))
        {
            await server.WaitForLogAsync("components are running", StartTimeout);
            server.Signal(MkubeProcess.SigTerm);
            await server.WaitForExitAsync(TimeSpan.FromSeconds(20));
        }

        using var check = await MkubeBinary.RunToEndAsync("check-config", "--data-dir", DataDir);

        Assert.That(check.Stdout, Has.Some.Match($@"^OK +clock +server-ca\.crt \({Regex.Escape(DataDir)}\): valid now \(until "), string.Join('\n', check.Stdout));
    }

    // "OK    kernel   br_netfilter: built in (CONFIG_BRIDGE_NETFILTER=y)"
    [GeneratedRegex("^(OK|WARN|FAIL) +(?<group>[a-z]+) +[^:]+: .+$")]
    private static partial Regex ReportLine();
}
