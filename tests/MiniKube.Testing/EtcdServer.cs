using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
namespace MiniKube.Testing;

/// <summary>
/// A real etcd (Debian's etcd-server, installed by scripts/test) on loopback ports chosen by the
/// OS, with its own temp data dir; killed and removed on dispose. Used by the storage,
/// benchmark and E2E tests.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDir;
    private readonly (int Client, int Peer) _ports;
    private readonly Tls? _tls;
    private bool _ownsDataDir = true;

    private EtcdServer(Process process, string dataDir, (int Client, int Peer) ports, Tls? tls)
    {
        _process = process;
        _dataDir = dataDir;
        _ports = ports;
        _tls = tls;
        Endpoint = new Uri($"{(tls is null ? "http" : "https")}://127.0.0.1:{ports.Client}");
    }

    /// <summary>PEM files for an etcd that serves https and requires client certificates.</summary>
    public sealed record Tls(string CaFile, string CertFile, string KeyFile, string ClientCertFile, string ClientKeyFile);

    public Uri Endpoint { get; }

    public int ProcessId => _process.Id;

    public string DataDir => _dataDir;

    public static Task<EtcdServer> StartAsync(Tls? tls = null) =>
        StartAsync(Directory.CreateTempSubdirectory("mkube-etcd-").FullName, (FreePort(), FreePort()), tls);

    /// <summary>Kills <paramref name="old"/> (as a crash would) and starts etcd again on its data dir and ports.</summary>
    public static async Task<EtcdServer> RestartAsync(EtcdServer old)
    {
        ArgumentNullException.ThrowIfNull(old);
        old._ownsDataDir = false;
        await old.DisposeAsync();
        return await StartAsync(old._dataDir, old._ports, old._tls);
    }

    private static async Task<EtcdServer> StartAsync(string dataDir, (int Client, int Peer) ports, Tls? tls)
    {
        var binary = new[] { "/usr/bin/etcd", "/usr/local/bin/etcd" }.FirstOrDefault(File.Exists);
        if (binary is null)
        {
            throw new InvalidOperationException("etcd is not installed: run scripts/test, which installs Debian's etcd-server");
        }
        var (client, peer) = ports;
        var scheme = tls is null ? "http" : "https";
        var info = new ProcessStartInfo(binary!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (tls is not null)
        {
            foreach (var arg in new[] { "--cert-file", tls.CertFile, "--key-file", tls.KeyFile, "--trusted-ca-file", tls.CaFile, "--client-cert-auth" })
            {
                info.ArgumentList.Add(arg);
            }
        }
        foreach (var arg in new[]
        {
            "--name", "mkube-test", "--data-dir", dataDir,
            "--listen-client-urls", $"{scheme}://127.0.0.1:{client}", "--advertise-client-urls", $"{scheme}://127.0.0.1:{client}",
            "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-cluster", $"mkube-test=http://127.0.0.1:{peer}",
            // Room for our largest value (1.5 MiB) plus the request around it.
            "--max-request-bytes", "2097152",
            "--log-level", "error",
        })
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new EtcdServer(process, dataDir, ports, tls);
        await server.WaitHealthyAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var handler = new HttpClientHandler();
        if (_tls is not null)
        {
            // Only a readiness probe: it trusts whatever answers, and shows the client certificate etcd requires.
            handler.ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator;
            handler.ClientCertificates.Add(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(_tls.ClientCertFile, _tls.ClientKeyFile));
        }
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint, "/health"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
            }
            catch (TaskCanceledException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
            }
            if (DateTime.UtcNow >= deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"etcd did not become healthy at {Endpoint}");
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        if (_ownsDataDir)
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
