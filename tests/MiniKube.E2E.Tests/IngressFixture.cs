using System.Diagnostics;
using System.Globalization;
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

    [TearDown]
    public void StopServer()
    {
        _server?.Dispose();
        _server = null;
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
