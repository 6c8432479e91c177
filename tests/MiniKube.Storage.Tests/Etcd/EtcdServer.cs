using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
namespace MiniKube.Storage.Tests.Etcd;

/// <summary>
/// A real etcd (Debian's etcd-server, installed by scripts/test) on loopback ports chosen by the
/// OS, with its own temp data dir; killed and removed on dispose. Shared with the E2E tests
/// (linked there), so it depends on nothing but the BCL.
/// </summary>
internal sealed class EtcdServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDir;
    private readonly (int Client, int Peer) _ports;
    private bool _ownsDataDir = true;

    private EtcdServer(Process process, string dataDir, (int Client, int Peer) ports)
    {
        _process = process;
        _dataDir = dataDir;
        _ports = ports;
        Endpoint = new Uri($"http://127.0.0.1:{ports.Client}");
    }

    public Uri Endpoint { get; }

    public int ProcessId => _process.Id;

    public string DataDir => _dataDir;

    public static Task<EtcdServer> StartAsync() =>
        StartAsync(Directory.CreateTempSubdirectory("mkube-etcd-").FullName, (FreePort(), FreePort()));

    /// <summary>Kills <paramref name="old"/> (as a crash would) and starts etcd again on its data dir and ports.</summary>
    public static async Task<EtcdServer> RestartAsync(EtcdServer old)
    {
        ArgumentNullException.ThrowIfNull(old);
        old._ownsDataDir = false;
        await old.DisposeAsync();
        return await StartAsync(old._dataDir, old._ports);
    }

    private static async Task<EtcdServer> StartAsync(string dataDir, (int Client, int Peer) ports)
    {
        var binary = new[] { "/usr/bin/etcd", "/usr/local/bin/etcd" }.FirstOrDefault(File.Exists);
        if (binary is null)
        {
            throw new InvalidOperationException("etcd is not installed: run scripts/test, which installs Debian's etcd-server");
        }
        var (client, peer) = ports;
        var info = new ProcessStartInfo(binary!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "--name", "mkube-test", "--data-dir", dataDir,
            "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
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
        var server = new EtcdServer(process, dataDir, ports);
        await server.WaitHealthyAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
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
