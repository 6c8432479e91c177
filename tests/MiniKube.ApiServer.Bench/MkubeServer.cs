using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.Bench;

/// <summary>A published mkube server process under measurement, and an HTTP/2 client holding its admin certificate.</summary>
internal sealed partial class MkubeServer : IAsyncDisposable
{
    private readonly Process _process;

    private readonly string _kubeconfig;

    private MkubeServer(Process process, Uri address, string dataDir, string kubeconfig, TimeSpan readyAfter)
    {
        _process = process;
        _kubeconfig = kubeconfig;
        DataDir = dataDir;
        Address = address;
        Client = AdminClient(kubeconfig);
        ReadyAfter = readyAfter;
    }

    public Uri Address { get; }

    /// <summary>The server's data dir.</summary>
    public string DataDir { get; }

    public HttpClient Client { get; }

    /// <summary>From process start until /readyz answered 200.</summary>
    public TimeSpan ReadyAfter { get; }

    public int ProcessId => _process.Id;

    public static async Task<MkubeServer> StartAsync(string binary, string dataDir, string? datastoreEndpoint, params string[] more)
    {
        var port = FreePort();
        var info = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "server", "--data-dir", dataDir, "--https-listen-port", port.ToString(CultureInfo.InvariantCulture), "--write-kubeconfig", Path.Combine(dataDir, "kubeconfig") })
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var arg in more)
        {
            info.ArgumentList.Add(arg);
        }
        if (datastoreEndpoint is not null)
        {
            info.ArgumentList.Add("--datastore-endpoint");
            info.ArgumentList.Add(datastoreEndpoint);
        }
        var clock = Stopwatch.StartNew();
        var process = Process.Start(info)!;
        // MKUBE_BENCH_SERVER_LOG=PATH keeps the server's log (its lines go to stderr) for a look at what it did.
        var log = Environment.GetEnvironmentVariable("MKUBE_BENCH_SERVER_LOG") is { Length: > 0 } path ? new StreamWriter(path, append: true) { AutoFlush = true } : null;
        process.ErrorDataReceived += (_, e) =>
        {
            if (log is not null && e.Data is not null)
            {
                lock (log)
                {
                    log.WriteLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var address = new Uri($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        // The readiness probe runs before the CA exists on disk (the first start makes it), and
        // /readyz carries no secrets; the measured workloads below verify the server against the CA.
#pragma warning disable CA5359
        using (var probe = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } }))
#pragma warning restore CA5359
        {
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"mkube exited with {process.ExitCode}");
                }
                try
                {
                    using var response = await probe.GetAsync(new Uri(address, "/readyz"));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                await Task.Delay(5);
            }
        }
        var readyAfter = clock.Elapsed;
        var kubeconfig = Path.Combine(dataDir, "kubeconfig");
        while (!File.Exists(kubeconfig))
        {
            await Task.Delay(5);
        }
        return new MkubeServer(process, address, dataDir, await File.ReadAllTextAsync(kubeconfig), readyAfter);
    }

    /// <summary>Another client with its own connections, as a separate process would have.</summary>
    public HttpClient NewClient() => AdminClient(_kubeconfig);

    /// <summary>CPU time the server process has used so far (user + system, from /proc).</summary>
    public TimeSpan CpuTime() => Usage().Cpu;

    /// <summary>The server's CPU time (user, system) and page faults (minor, major) so far, from /proc/PID/stat.</summary>
    public ProcessUsage Usage()
    {
        // After the command's ')': state is field 0 here, minflt 7, majflt 9, utime 11, stime 12 (proc(5) fields 3, 10, 12, 14, 15).
        var fields = File.ReadAllText($"/proc/{_process.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
        return new ProcessUsage(TimeSpan.FromSeconds(Field(11) / 100.0), TimeSpan.FromSeconds(Field(12) / 100.0), Field(7), Field(9)); // USER_HZ
    }

    public long RssBytes() => ProcessRssBytes(_process.Id);

    public static long ProcessRssBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(Digits().Match(line).Value, CultureInfo.InvariantCulture) * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    /// <summary>An HTTP/2 client that authenticates as <paramref name="user"/> in <paramref name="groups"/>, with a certificate of the server's CA.</summary>
    public HttpClient ClientAs(string user, params string[] groups)
    {
        var ca = X509Certificate2.CreateFromPem(Pem(_kubeconfig, "certificate-authority-data"));
        using var withoutKey = MiniKube.Testing.TestIdentities.Certificate(Path.Combine(DataDir, "server", "tls"), user, groups);
        return HttpClientFor(ca, X509CertificateLoader.LoadPkcs12(withoutKey.Export(X509ContentType.Pkcs12), null));
    }

    private static HttpClient AdminClient(string kubeconfig)
    {
        var ca = X509Certificate2.CreateFromPem(Pem(kubeconfig, "certificate-authority-data"));
        using var withoutKey = X509Certificate2.CreateFromPem(Pem(kubeconfig, "client-certificate-data"), Pem(kubeconfig, "client-key-data"));
        // SslStream wants the key in a persisted form.
        return HttpClientFor(ca, X509CertificateLoader.LoadPkcs12(withoutKey.Export(X509ContentType.Pkcs12), null));
    }

    private static HttpClient HttpClientFor(X509Certificate2 ca, X509Certificate2 clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            MaxConnectionsPerServer = 16,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [clientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is X509Certificate2 served && chain.Build(served);
                },
            },
        };
        // kubectl and client-go speak HTTP/2 over TLS; so does the benchmark.
        return new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromMinutes(10) };
    }

    private static string Pem(string kubeconfig, string field)
    {
        var value = kubeconfig.Split('\n').First(l => l.Trim().StartsWith(field + ":", StringComparison.Ordinal)).Split(':', 2)[1].Trim();
        return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(value));
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}

/// <summary>A process's CPU time and page faults so far (a major fault read the page from disk).</summary>
internal sealed record ProcessUsage(TimeSpan User, TimeSpan System, long MinorFaults, long MajorFaults)
{
    public TimeSpan Cpu => User + System;
}
