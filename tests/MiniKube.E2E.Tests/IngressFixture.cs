using System.Diagnostics;
using System.Globalization;
using System.Text;
using MiniKube.Testing;

namespace MiniKube.E2E.Tests;

/// <summary>
/// A server of the published binary with its ingress data plane on free ports, reached with the
/// real kubectl and curl: shared by the Ingress and Gateway API tests. The server stops at teardown,
/// before the data dir and the test nodes' containers go.
/// </summary>
public abstract class IngressFixture : DataDirFixture
{
    private MkubeProcess? _server;

    /// <summary>The data plane's HTTP port on every address of the machine.</summary>
    protected int HttpPort { get; private set; }

    /// <summary>The data plane's HTTPS port.</summary>
    protected int HttpsPort { get; private set; }

    /// <summary>The admin's kubectl, once the server runs.</summary>
    protected Kubectl Kubectl { get; private set; } = null!;

    /// <summary>Starts <c>mkube server</c> with <paramref name="more"/> and waits until its components run.</summary>
    protected async Task StartServerAsync(TimeSpan timeout, params string[] more)
    {
        HttpPort = EtcdServer.FreePort();
        HttpsPort = EtcdServer.FreePort();
        _server = MkubeBinary.Start(null, ServerArgs(DataDir, [.. more, "--ingress-http-port", Port(HttpPort), "--ingress-https-port", Port(HttpsPort)]));
        await _server.WaitForLogAsync("components are running", timeout);
        Kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
    }

    /// <summary>The kinds <c>kubectl describe</c> shows when a test fails (besides pods, Services, EndpointSlices and events).</summary>
    protected abstract string DescribedKinds { get; }

    [TearDown]
    public async Task DescribeOnFailureAndStopServer()
    {
        try
        {
            if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed && _server is { } server && Kubectl is { } kubectl)
            {
                await DescribeAsync(kubectl, server);
            }
        }
        finally
        {
            _server?.Dispose();
            _server = null;
        }
    }

    /// <summary>Applies <paramref name="manifest"/> with <c>kubectl apply -f -</c>; fails the test with kubectl's output otherwise.</summary>
    protected async Task ApplyAsync(string manifest)
    {
        var applied = await Kubectl.RunWithAsync(manifest, null, "apply", "-f", "-");
        Assert.That(applied.ExitCode, Is.Zero, applied.ToString());
    }

    /// <summary>
    /// Waits until each of <paramref name="deployments"/> has all its replicas ready: 30 s for
    /// each, at least 90 s, as pods start one after another on a busy 2-core machine.
    /// </summary>
    protected Task WaitDeploymentsReadyAsync(params string[] deployments) =>
        WaitAsync(async () =>
        {
            var ready = await Kubectl.RunAsync(["get", "deploy", .. deployments, "-o", "jsonpath={range .items[*]}{.spec.replicas}={.status.readyReplicas} {end}"]);
            var pairs = ready.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return ready.ExitCode == 0 && pairs.Length == deployments.Length && pairs.All(p => p.Split('=') is [var want, var have] && want == have);
        }, "Deployments ready: " + string.Join(", ", deployments), Math.Max(90, 30 * deployments.Length));

    // What kubectl and the server's log say, for a failure on a busy machine: the objects, the
    // events, and the server's warnings and errors (the whole log is attached).
    private async Task DescribeAsync(Kubectl kubectl, MkubeProcess server)
    {
        var seen = new StringBuilder();
        foreach (var args in new[]
        {
            new[] { "get", "pods,services,endpointslices", "-o", "wide" },
            ["describe", DescribedKinds],
            ["describe", "pods"],
            ["get", "events", "--sort-by=.lastTimestamp"],
        })
        {
            seen.Append(CultureInfo.InvariantCulture, $"$ kubectl {string.Join(' ', args)}\n{await kubectl.RunAsync(args)}\n");
        }
        var log = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"{GetType().Name}-mkube-{DateTime.UtcNow:HHmmss}.log");
        await File.WriteAllLinesAsync(log, server.Stderr);
        TestContext.AddTestAttachment(log, "the server's log");
        await TestContext.Out.WriteLineAsync($"{seen}\nthe server's log, last 150 lines (all of it in {log}):\n{string.Join('\n', server.Stderr.TakeLast(150))}");
    }

    /// <summary>curl for <c>http://HOST:PORT/PATH</c> with HOST resolved to loopback (<c>curl --resolve</c>), <paramref name="more"/> before the URL.</summary>
    protected Task<KubectlResult> CurlHttpAsync(string host, string pathAndQuery, params string[] more) =>
        CurlAsync([.. more, "--resolve", $"{host}:{HttpPort}:127.0.0.1", $"http://{host}:{HttpPort}{pathAndQuery}"]);

    /// <summary>Runs curl (10 s at most unless <paramref name="args"/> say otherwise: curl takes the last) and returns its exit code, output and errors.</summary>
    protected static async Task<KubectlResult> CurlAsync(params string[] args)
    {
        using var curl = Process.Start(new ProcessStartInfo("curl", ["--max-time", "10", .. args]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = curl.StandardOutput.ReadToEndAsync();
        var error = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        return new KubectlResult(curl.ExitCode, await output, await error);
    }

    protected static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
