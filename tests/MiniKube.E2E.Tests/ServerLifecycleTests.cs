using System.Diagnostics;

namespace MiniKube.E2E.Tests;

[TestFixture]
[Category("E2E")]
public sealed class ServerLifecycleTests : DataDirFixture
{
    [Test]
    public async Task Server_BogusFlag_ExitsTwoWithOneErrorLine()
    {
        using var mkube = await MkubeBinary.RunToEndAsync("server", "--bogus");

        Assert.That(mkube.ExitCode, Is.EqualTo(2));
        Assert.That(mkube.Stderr[0], Is.EqualTo("Error: unknown flag or command '--bogus'"));
        Assert.That(mkube.Stderr, Has.Count.EqualTo(2), "one error line plus one usage line, no stack trace");
        Assert.That(mkube.Stderr[1], Does.StartWith("Usage: mkube server"));
    }

    [TestCase(MkubeProcess.SigTerm)]
    [TestCase(MkubeProcess.SigInt)]
    public async Task Server_Signal_StopsInOrderWithinTenSecondsAndExitsZero(int signal)
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        if (signal == MkubeProcess.SigInt && SigIntIgnoredHere())
        {
            // Started from a background job (as `cmd &` in a script does), this test process and
            // so mkube inherit SIGINT ignored; mkube keeps that, as every Unix daemon does.
            mkube.Signal(signal);
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.That(mkube.HasExited, Is.False, "an inherited ignored SIGINT stays ignored");
            signal = MkubeProcess.SigTerm;
        }

        var clock = Stopwatch.StartNew();
        mkube.Signal(signal);
        await mkube.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(mkube.ExitCode, Is.Zero, string.Join('\n', mkube.Stderr));
        Assert.That(mkube.Stderr, Has.Some.Contains("Stopping data-dir"));
        Assert.That(Directory.Exists(Path.Combine(DataDir, "server")), Is.True);
    }

    /// <summary>Whether this process ignores SIGINT (bit 2 of SigIgn in /proc/self/status).</summary>
    private static bool SigIntIgnoredHere()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var mask = Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        return (mask & (1UL << (MkubeProcess.SigInt - 1))) != 0;
    }

    [Test]
    public async Task Server_SecondOnSameDataDir_FailsWithOneClearLineAndNonZeroExit()
    {
        using var first = MkubeBinary.Start(null, ServerArgs(DataDir));
        await first.WaitForLogAsync("components are running", StartTimeout);

        using var second = MkubeBinary.Start(null, ServerArgs(DataDir));
        await second.WaitForExitAsync(StartTimeout);

        Assert.That(second.ExitCode, Is.Not.Zero);
        var errors = second.Stderr.Where(l => l.Contains("fail", StringComparison.Ordinal)).ToList();
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Does.Contain("in use by another mkube process"));
        Assert.That(second.Stderr, Has.None.Contains("   at "), "no stack trace");
        Assert.That(first.HasExited, Is.False, "the first server is unharmed");
    }

    [Test]
    public async Task Server_DataDirFromConfigFileNamedInEnvironment_IsUsed()
    {
        var config = Path.Combine(DataDir, "config.yaml");
        var fromFile = Path.Combine(DataDir, "from-file");
        await File.WriteAllTextAsync(config, $"data-dir: {fromFile}\nhttps-listen-port: 0\nkubelet-port: 0\nwrite-kubeconfig: {KubeconfigPath}\n");
        using var mkube = MkubeBinary.Start(new Dictionary<string, string> { ["MKUBE_CONFIG"] = config }, "server");

        await mkube.WaitForLogAsync($"Using data directory {fromFile}/server", StartTimeout);
        mkube.Signal(MkubeProcess.SigTerm);
        await mkube.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.That(mkube.ExitCode, Is.Zero);
    }

    [Test]
    public async Task Version_PrintsVersionsAndExitsZero()
    {
        using var mkube = await MkubeBinary.RunToEndAsync("version");

        Assert.That(mkube.ExitCode, Is.Zero);
        Assert.That(mkube.Stdout[0], Does.Match(@"^mkube version v\d+\.\d+\.\d+ \(Kubernetes v1\.\d+\.\d+\)$"));
    }
}
