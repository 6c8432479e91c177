using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.Bench;

/// <summary>
/// Issue 12's idle kubelet: a server without its own node and one <c>mkube agent</c> on Docker
/// (no service proxy) running 30 pods that do nothing. Over one idle minute: the runtime list calls
/// per second, every Docker request per second, the agent's CPU time and its RSS.
/// Docker requests are counted by a proxy on a socket of our own that the agent sees as
/// /var/run/docker.sock: it runs in a mount namespace of its own (unshare -m) where the proxy's
/// socket is bind-mounted there. So any build of mkube is measured the same way, without a
/// counter of its own (the build before the PLEG has none).
/// </summary>
internal static partial class KubeletBench
{
    internal const int PodCount = 30;
    internal const string Node = "bench-kubelet";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static async Task RunAsync(string binary, string work)
    {
        using var proxy = DockerSocketCounter.Start(Path.Combine(work, "docker.sock"), "/var/run/docker.sock");
        await using var server = await MkubeServer.StartAsync(binary, Path.Combine(work, "server"), null, "--disable-agent");
        var token = (await File.ReadAllTextAsync(Path.Combine(work, "server", "server", "token"))).Trim();
        using var agent = StartAgent(binary, proxy.SocketPath, server.Address, token, Path.Combine(work, "agent"));
        try
        {
            await WaitForNodeReadyAsync(server);
            await CreatePodsAsync(server);
            await WaitForRunningAsync(server);
            Console.Error.WriteLine($"  {PodCount} pods running; idle {Settle.TotalSeconds:F0} s, then measuring for {Window.TotalSeconds:F0} s");
            await Task.Delay(Settle);
            var requests = proxy.Snapshot();
            var agentCpu = CpuTime(agent.Id);
            var serverCpu = server.CpuTime();
            var clock = Stopwatch.StartNew();
            await Task.Delay(Window);
            var seconds = clock.Elapsed.TotalSeconds;
            var during = proxy.Snapshot().Select(kv => (kv.Key, Count: kv.Value - requests.GetValueOrDefault(kv.Key))).Where(r => r.Count > 0).OrderByDescending(r => r.Count).ToList();
            var agentCpuPerMinute = (CpuTime(agent.Id) - agentCpu).TotalSeconds * 60 / seconds;
            var serverCpuPerMinute = (server.CpuTime() - serverCpu).TotalSeconds * 60 / seconds;
            var lists = during.Where(r => r.Key == "GET /containers/json").Sum(r => r.Count) / seconds;
            Console.WriteLine($"| idle Docker node, {PodCount} running pods, over {seconds:F0} s | result | goal |");
            Console.WriteLine("|---|---|---|");
            Console.WriteLine($"| runtime list calls (GET /containers/json) | {lists:F2}/s | ≤ 1/s |");
            Console.WriteLine($"| all Docker requests | {during.Sum(r => r.Count) / seconds:F2}/s ({string.Join(", ", during.Take(4).Select(r => $"{r.Key} {r.Count / seconds:F2}/s"))}) | |");
            Console.WriteLine($"| kubelet (mkube agent) CPU | {agentCpuPerMinute:F2} s per minute ({agentCpuPerMinute / 60 * 100:F1} % of a core) | |");
            Console.WriteLine($"| API server (mkube server --disable-agent) CPU meanwhile | {serverCpuPerMinute:F2} s per minute | |");
            Console.WriteLine($"| kubelet RSS | {MkubeServer.ProcessRssBytes(agent.Id) / 1048576.0:F0} MB | |");
        }
        finally
        {
            await DeletePodsAsync(server);
            if (!agent.HasExited)
            {
                agent.Kill();
                await agent.WaitForExitAsync();
            }
        }
    }

    /// <summary>The agent in a mount namespace of its own, where the counting proxy is its Docker socket; unshare and sh exec, so the process is mkube itself.</summary>
    private static Process StartAgent(string binary, string proxySocket, Uri server, string token, string dataDir)
    {
        return StartDiscardingOutput("unshare",
        [
            "-m", "--propagation", "private", "sh", "-c", "mount --bind \"$0\" /var/run/docker.sock && exec \"$@\"", proxySocket,
            binary, "agent", "--server", server.ToString(), "--token", token, "--data-dir", dataDir, "--node-name", Node,
            "--kubelet-port", "0", "--runtime", "docker", "--disable-kube-proxy",
        ]);
    }

    /// <summary>Starts a process whose output is read and dropped, so it never blocks on a full pipe.</summary>
    internal static Process StartDiscardingOutput(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    internal static async Task CreatePodsAsync(MkubeServer server)
    {
        using (var ns = new StringContent("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"kubelet-bench\"}}", Encoding.UTF8, "application/json"))
        {
            (await server.Client.PostAsync(new Uri(server.Address, "/api/v1/namespaces"), ns)).EnsureSuccessStatusCode();
        }
        for (var i = 0; i < PodCount; i++)
        {
            var body = $"{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"idle-{i.ToString(CultureInfo.InvariantCulture)}\"}},\"spec\":{{\"nodeName\":\"{Node}\",\"terminationGracePeriodSeconds\":1,\"containers\":[{{\"name\":\"main\",\"image\":\"mkube.local/busybox:1\",\"imagePullPolicy\":\"Never\",\"command\":[\"sleep\",\"3600\"]}}]}}}}";
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await server.Client.PostAsync(new Uri(server.Address, "/api/v1/namespaces/kubelet-bench/pods"), content);
            response.EnsureSuccessStatusCode();
        }
    }

    internal static async Task WaitForRunningAsync(MkubeServer server)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            var list = await server.Client.GetStringAsync(new Uri(server.Address, "/api/v1/namespaces/kubelet-bench/pods"));
            if (RunningPhase().Count(list) >= PodCount)
            {
                return;
            }
            await Task.Delay(500);
        }
        throw new InvalidOperationException($"the {PodCount} pods did not all run within 3 minutes");
    }

    internal static async Task DeletePodsAsync(MkubeServer server)
    {
        // Leave no containers behind: the kubelet stops every pod before it is killed.
        using var deleted = await server.Client.DeleteAsync(new Uri(server.Address, "/api/v1/namespaces/kubelet-bench"));
        for (var wait = 0; wait < 120; wait++)
        {
            var left = await server.Client.GetStringAsync(new Uri(server.Address, "/api/v1/namespaces/kubelet-bench/pods"));
            if (!left.Contains("\"idle-", StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(500);
        }
    }

    internal static async Task WaitForNodeReadyAsync(MkubeServer server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await server.Client.GetAsync(new Uri(server.Address, $"/api/v1/nodes/{Node}"));
            if (response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsStringAsync()).Contains("\"KubeletReady\"", StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(200);
        }
        throw new InvalidOperationException($"node {Node} did not become Ready");
    }

    /// <summary>User + system CPU time of a process so far (/proc/PID/stat, in USER_HZ ticks).</summary>
    private static TimeSpan CpuTime(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return TimeSpan.FromSeconds((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0);
    }

    [GeneratedRegex("\"phase\":\"Running\"")]
    private static partial Regex RunningPhase();

    /// <summary>
    /// A Unix socket relaying every connection to the Docker socket and counting the HTTP requests
    /// sent through it, by method and path (API version, query and container ids left out).
    /// </summary>
    private sealed partial class DockerSocketCounter : IDisposable
    {
        private readonly Socket _listener;
        private readonly string _target;
        private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
        private readonly CancellationTokenSource _stop = new();

        private DockerSocketCounter(string socketPath, string target)
        {
            SocketPath = socketPath;
            _target = target;
            File.Delete(socketPath);
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            _listener.Listen(64);
            _ = AcceptAsync();
        }

        public string SocketPath { get; }

        public static DockerSocketCounter Start(string socketPath, string target) => new(socketPath, target);

        public Dictionary<string, long> Snapshot() => _counts.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Dispose();
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }
                _ = RelayAsync(client);
            }
        }

        private async Task RelayAsync(Socket client)
        {
            using var _ = client;
            using var docker = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await docker.ConnectAsync(new UnixDomainSocketEndPoint(_target));
            await using var up = new NetworkStream(client, ownsSocket: false);
            await using var down = new NetworkStream(docker, ownsSocket: false);
            var requests = CopyCountingAsync(up, down);
            var responses = CopyAsync(down, up);
            await Task.WhenAny(requests, responses);
            client.Close();
            docker.Close();
            await Task.WhenAll(requests, responses).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        private static async Task CopyAsync(Stream from, Stream to)
        {
            var buffer = new byte[65536];
            int read;
            while ((read = await from.ReadAsync(buffer)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read));
            }
        }

        /// <summary>Relays and counts every line that is an HTTP request line (bodies are JSON on one line, never one).</summary>
        private async Task CopyCountingAsync(Stream from, Stream to)
        {
            var buffer = new byte[65536];
            var line = new StringBuilder();
            int read;
            while ((read = await from.ReadAsync(buffer)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] == (byte)'\n')
                    {
                        if (RequestLine().Match(line.ToString()) is { Success: true } match)
                        {
                            var path = ContainerId().Replace(match.Groups[2].Value, "{id}");
                            _counts.AddOrUpdate($"{match.Groups[1].Value} {path}", 1, (_, n) => n + 1);
                        }
                        line.Clear();
                    }
                    else if (line.Length < 4096)
                    {
                        line.Append((char)buffer[i]);
                    }
                }
                await to.WriteAsync(buffer.AsMemory(0, read));
            }
        }

        [GeneratedRegex(@"^(GET|POST|PUT|DELETE|HEAD) (?:/v[0-9.]+)?([^ ?]*)\S* HTTP/1\.[01]\r?$")]
        private static partial Regex RequestLine();

        [GeneratedRegex("[0-9a-f]{64}")]
        private static partial Regex ContainerId();
    }
}
