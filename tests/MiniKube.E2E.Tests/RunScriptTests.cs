using System.Text.RegularExpressions;

namespace MiniKube.E2E.Tests;

/// <summary>
/// The README's Run command, <c>scripts/run</c>, alone gives a Ready node on the Docker engine
/// that runs the day-one examples from <c>examples/</c>. It installs nothing here (scripts/test
/// already did) and builds nothing when the published binary is up to date.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class RunScriptTests : DataDirFixture
{
    private static readonly string Examples = Path.Combine(TestContext.CurrentContext.TestDirectory, "Examples");

    [Test]
    public async Task RunScript_FreshDataDir_ReadyNodeRunsAnExample()
    {
        // The user's command plus what keeps a test off /var/lib/mkube, /etc/mkube and port 6443.
        using var mkube = MkubeBinary.StartRunScript(ServerArgs(DataDir, "--node-name", "e2e-run")[1..]);
        await mkube.WaitForLogAsync("components are running", TimeSpan.FromMinutes(5));
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));

        await WaitAsync(async () => Regex.IsMatch(await kubectl.OkAsync("get", "nodes", "--no-headers"), @"^e2e-run\s+Ready\s", RegexOptions.Multiline), "node e2e-run Ready");
        await kubectl.OkAsync("apply", "-f", Path.Combine(Examples, "job.yaml"));
        await kubectl.OkAsync("wait", "--for=condition=complete", "job/pi", "--timeout=85s");

        mkube.Signal(MkubeProcess.SigTerm);
        await mkube.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.That(mkube.ExitCode, Is.Zero, "scripts/run execs mkube, so SIGTERM stops the server in order");
    }
}
