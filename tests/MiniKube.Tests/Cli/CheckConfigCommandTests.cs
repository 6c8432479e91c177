using System.CommandLine;
using MiniKube.Cli;
using MiniKube.Tests.CheckConfig;

namespace MiniKube.Tests.Cli;

public sealed class CheckConfigCommandTests
{
    [Test]
    public async Task Run_EverythingThere_PrintsOneLinePerItemAndExitsZero()
    {
        var (code, output) = await RunAsync(FakeHostProbe.Complete());

        Assert.That(code, Is.Zero);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[..^1], Has.All.Match("^(OK|WARN|FAIL) +[a-z]+ +[^:]+: "));
        Assert.That(lines[^1], Does.EndWith("0 warnings, 0 missing. mkube can run here."));
    }

    [Test]
    public async Task Run_SomethingRequiredMissing_ExitsOne()
    {
        var probe = FakeHostProbe.Complete();
        probe.Executables.Remove("ipset");

        var (code, output) = await RunAsync(probe);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Contain("FAIL  tools    ipset: ").And.Contain("1 missing. Fix the FAIL lines before running mkube."));
    }

    [Test]
    public async Task Run_OnlyWarnings_ExitsZero()
    {
        var probe = FakeHostProbe.Complete();
        probe.Executables.Remove("modprobe");

        var (code, _) = await RunAsync(probe);

        Assert.That(code, Is.Zero);
    }

    private static async Task<(int Code, string Output)> RunAsync(FakeHostProbe probe)
    {
        // After the source date of this build, whenever it was committed.
        probe.Now = DateTimeOffset.UtcNow;
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(_ => null, output, error);
        var root = new Command("mkube") { new CheckConfigCommand(context, () => probe) };
        var dataDir = Path.Combine(Path.GetTempPath(), "mkube-check-config-" + Guid.NewGuid().ToString("N"));
        var code = await root.Parse(["check-config", "--data-dir", dataDir]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString() + error);
    }
}
