using System.Text;
using System.Text.RegularExpressions;

namespace MiniKube.E2E.Tests.Packaging;

/// <summary>
/// <c>packaging/install.sh</c> on this machine, where systemd is not PID 1: what it lays out, the
/// units as <c>systemd-analyze verify</c> judges them, the server unit's own command line run
/// until the API server is ready, and the uninstaller leaving nothing behind. Everything runs in
/// a <see cref="StagedSystem"/>, so the real /etc, /usr/local/bin and /var/lib are never touched.
/// No pods start (the server runs without an agent).
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed partial class InstallTests
{
    private static readonly string InstallScript = Path.Combine(MkubeBinary.RepositoryRoot(), "packaging", "install.sh");

    private StagedSystem _system = null!;

    [SetUp]
    public async Task Stage()
    {
        if (!File.Exists(MkubeBinary.Path))
        {
            Assert.Fail($"{MkubeBinary.Path} does not exist: run scripts/publish (scripts/test does) or set MKUBE_BINARY");
        }
        _system = await StagedSystem.StartAsync();
    }

    [TearDown]
    public void Unstage() => _system.Dispose();

    [Test]
    public async Task Install_Server_RunsItsUnitsCommandAndUninstallsEverything()
    {
        // Flags through INSTALL_MKUBE_EXEC and the arguments, one through an MKUBE_ variable in the env file.
        var installed = await _system.RunAsync(new Dictionary<string, string>
        {
            ["MKUBE_BINARY"] = MkubeBinary.Path,
            ["MKUBE_DISABLE_AGENT"] = "true",
            ["INSTALL_MKUBE_EXEC"] = "--https-listen-port 0 --disable-scheduler",
        }, "sh", InstallScript, "--disable-controller-manager");
        Assert.That(installed.ExitCode, Is.Zero, installed.ToString());
        Assert.That(installed.Output, Does.Contain("systemd is not running on this machine"), "says it did not enable the service, without failing");

        Assert.That(_system.WrittenFiles(), Is.EquivalentTo(new[]
        {
            "/usr/local/bin/mkube", "/usr/local/bin/mkube-killall.sh", "/usr/local/bin/mkube-uninstall.sh",
            "/etc/systemd/system/mkube.service", "/etc/systemd/system/mkube.service.env",
        }));
        AssertMode("/usr/local/bin/mkube", "755");
        AssertMode("/usr/local/bin/mkube-killall.sh", "755");
        AssertMode("/usr/local/bin/mkube-uninstall.sh", "755");
        AssertMode("/etc/systemd/system/mkube.service", "644");
        AssertMode("/etc/systemd/system/mkube.service.env", "600");
        Assert.That(File.ReadAllBytes(_system.Written("/usr/local/bin/mkube")), Is.EqualTo(File.ReadAllBytes(MkubeBinary.Path)), "the given binary, unchanged");

        var unit = await File.ReadAllTextAsync(_system.Written("/etc/systemd/system/mkube.service"));
        Assert.That(unit, Does.Contain("\nType=exec\n").And.Contain("\nKillMode=process\n").And.Contain("\nDelegate=yes\n")
            .And.Contain("\nEnvironmentFile=-/etc/systemd/system/mkube.service.env\n"));
        await AssertVerifiesAsync("/etc/systemd/system/mkube.service");

        var environment = EnvironmentFile(await File.ReadAllTextAsync(_system.Written("/etc/systemd/system/mkube.service.env")));
        Assert.That(environment, Is.EqualTo(new Dictionary<string, string> { ["MKUBE_DISABLE_AGENT"] = "true" }), "MKUBE_ variables, not the installer's MKUBE_BINARY");

        // The unit's command line, with the unit's environment, as systemd would run it.
        var execStart = ExecStart(unit);
        Assert.That(execStart, Does.StartWith("/usr/local/bin/mkube server"));
        using (var server = _system.Start(environment, "sh", "-c", "exec " + execStart))
        {
            await server.WaitForLogAsync("components are running", TimeSpan.FromSeconds(60));
            var kubectl = new Kubectl(_system.Written("/etc/mkube/mkube.yaml"), _system.Scratch);
            Assert.That(await kubectl.OkAsync("get", "--raw", "/readyz"), Is.EqualTo("ok"));
            Assert.That(File.Exists(_system.Written("/var/lib/mkube/server/token")), Is.True, "the server uses the default data dir");

            // Uninstall stops the running server (killall) and removes what was installed and written.
            var uninstalled = await _system.RunAsync(null, "/usr/local/bin/mkube-uninstall.sh");
            Assert.That(uninstalled.ExitCode, Is.Zero, uninstalled.ToString());
            await server.WaitForExitAsync(TimeSpan.FromSeconds(20));
            Assert.That(server.ExitCode, Is.Zero, "killall sends SIGTERM, so the server stops in order");
        }
        Assert.That(_system.WrittenFiles(), Is.Empty, "the binary, scripts, unit, env file, data dir and /etc/mkube are gone");
    }

    [Test]
    public async Task Install_AgentFromUrlAndToken_LaysOutTheAgentUnitAndUninstalls()
    {
        var installed = await _system.RunAsync(new Dictionary<string, string>
        {
            ["MKUBE_BINARY"] = MkubeBinary.Path,
            ["MKUBE_URL"] = "https://192.0.2.10:6443",
            ["MKUBE_TOKEN"] = "K10abc::server:s\"e'cret",
            ["HTTPS_PROXY"] = "http://proxy.invalid:3128",
            ["INSTALL_MKUBE_EXEC"] = "--node-name pi-1",
        }, "sh", InstallScript);
        Assert.That(installed.ExitCode, Is.Zero, installed.ToString());
        Assert.That(_system.WrittenFiles(), Is.EquivalentTo(new[]
        {
            "/usr/local/bin/mkube", "/usr/local/bin/mkube-killall.sh", "/usr/local/bin/mkube-agent-uninstall.sh",
            "/etc/systemd/system/mkube-agent.service", "/etc/systemd/system/mkube-agent.service.env",
        }));
        AssertMode("/etc/systemd/system/mkube-agent.service.env", "600");
        var unit = await File.ReadAllTextAsync(_system.Written("/etc/systemd/system/mkube-agent.service"));
        Assert.That(ExecStart(unit), Is.EqualTo("/usr/local/bin/mkube agent '--node-name' 'pi-1'"));
        Assert.That(EnvironmentFile(await File.ReadAllTextAsync(_system.Written("/etc/systemd/system/mkube-agent.service.env"))), Is.EqualTo(new Dictionary<string, string>
        {
            ["HTTPS_PROXY"] = "http://proxy.invalid:3128",
            ["MKUBE_TOKEN"] = "K10abc::server:s\"e'cret",
            ["MKUBE_URL"] = "https://192.0.2.10:6443",
        }));
        await AssertVerifiesAsync("/etc/systemd/system/mkube-agent.service");

        var uninstalled = await _system.RunAsync(null, "/usr/local/bin/mkube-agent-uninstall.sh");
        Assert.That(uninstalled.ExitCode, Is.Zero, uninstalled.ToString());
        Assert.That(_system.WrittenFiles(), Is.Empty);
    }

    [TestCase("https://192.0.2.10:6443", null, "MKUBE_TOKEN is not")]
    [TestCase("http://192.0.2.10:6443", "token", "must be an https:// URL")]
    public async Task Install_BadAgentSettings_FailsAndInstallsNothing(string url, string? token, string message)
    {
        var environment = new Dictionary<string, string> { ["MKUBE_BINARY"] = MkubeBinary.Path, ["MKUBE_URL"] = url };
        if (token is not null)
        {
            environment["MKUBE_TOKEN"] = token;
        }
        var installed = await _system.RunAsync(environment, "sh", InstallScript);
        Assert.That(installed.ExitCode, Is.EqualTo(1), installed.ToString());
        Assert.That(installed.Error, Does.Contain(message));
        Assert.That(_system.WrittenFiles(), Is.Empty);
    }

    private void AssertMode(string path, string octal) =>
        Assert.That(Convert.ToString((int)File.GetUnixFileMode(_system.Written(path)), 8), Is.EqualTo(octal), path);

    private async Task AssertVerifiesAsync(string unit)
    {
        var verified = await _system.RunAsync(null, "/usr/bin/systemd-analyze", "verify", unit);
        Assert.That(verified.ExitCode, Is.Zero, verified.ToString());
        Assert.That(verified.Error, Is.Empty, "no warnings: " + verified);
    }

    /// <summary>The ExecStart= value with its continuation lines joined, as systemd reads it.</summary>
    private static string ExecStart(string unit)
    {
        var line = new StringBuilder();
        var inExecStart = false;
        foreach (var raw in unit.Split('\n'))
        {
            if (!inExecStart && !raw.StartsWith("ExecStart=", StringComparison.Ordinal))
            {
                continue;
            }
            var text = inExecStart ? raw.Trim() : raw["ExecStart=".Length..];
            inExecStart = text.EndsWith('\\');
            line.Append(inExecStart ? text[..^1] : text);
            if (!inExecStart)
            {
                break;
            }
        }
        return Regex.Replace(line.ToString().Trim(), @"\s+", " ");
    }

    /// <summary>systemd's EnvironmentFile lines KEY="VALUE" (with \" and \\ escapes).</summary>
    private static Dictionary<string, string> EnvironmentFile(string text) =>
        EnvironmentLine().Matches(text).ToDictionary(m => m.Groups["key"].Value, m => Regex.Replace(m.Groups["value"].Value, @"\\(.)", "$1"));

    [GeneratedRegex("""^(?<key>[A-Za-z_][A-Za-z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)"$""", RegexOptions.Multiline)]
    private static partial Regex EnvironmentLine();
}
