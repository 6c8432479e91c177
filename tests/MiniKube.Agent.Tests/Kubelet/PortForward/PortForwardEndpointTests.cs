using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;

namespace MiniKube.Agent.Tests.Kubelet.PortForward;

/// <summary>
/// pods/portforward end to end in-process: a client → the API server → the kubelet's
/// /portForward endpoint → the simulated runtime, which dials loopback, where
/// <see cref="PodPortServer"/> plays the pod's server. Clients: the real kubectl 1.30 (SPDY
/// upgrade only; 1.29 too) and 1.32 (SPDY tunnelled in a WebSocket; 1.31 and 1.33 too), and the official C# client (the
/// channel-numbered WebSocket protocol).
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class PortForwardEndpointTests
{
    private KubeletTestCluster _cluster = null!;
    private PodPortServer _pod = null!;
    private string _home = null!;

    [SetUp]
    public async Task SetUp()
    {
        _pod = new PodPortServer();
        _cluster = await KubeletTestCluster.StartAsync();
        _home = Directory.CreateTempSubdirectory("mkube-pf-home-").FullName;
        await _cluster.StartKubeletAsync(nodeIp: "127.0.0.1");
        await _cluster.RunPodAsync("web", new Dictionary<string, string> { ["app"] = "web" });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _cluster.DisposeAsync();
        await _pod.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    [TestCase("1.29", "POST")]
    [TestCase("1.30", "POST")]
    [TestCase("1.31", "GET")]
    [TestCase("1.32", "GET")]
    [TestCase("1.33", "GET")]
    public async Task Kubectl_HttpRequestAndMegabytesBothWays_Arrive(string version, string method)
    {
        var local = PodPortServer.ClosedPort();
        await using var kubectl = await KubectlPortForward.StartAsync(version, _cluster.Server.KubeconfigPath, _home, "pod/web", local, _pod.Port);

        using var http = new HttpClient();
        var hello = await http.GetStringAsync(new Uri($"http://127.0.0.1:{local}/")).WaitAsync(TimeSpan.FromSeconds(20));
        var download = await http.GetByteArrayAsync(new Uri($"http://127.0.0.1:{local}/big")).WaitAsync(TimeSpan.FromSeconds(60));
        var echoed = await EchoAsync(local, 3 * 1024 * 1024, seed: 1);

        Assert.That(hello, Is.EqualTo("hello from the pod"));
        Assert.That(download, Is.EqualTo(PodPortServer.BigBody));
        Assert.That(echoed, Is.True, "3 MiB sent through the forward did not come back unchanged");
        // Which protocol carried it: 1.30 upgrades with POST (SPDY); 1.32 opens a WebSocket with GET.
        // (kubectl 1.33 logs requests as key=value pairs.)
        Assert.That(kubectl.Output, Does.Match($@"{method} https://127\.0\.0\.1:\d+/api/v1/namespaces/default/pods/web/portforward 101|verb=""{method}"" url=""https://127\.0\.0\.1:\d+/api/v1/namespaces/default/pods/web/portforward"" status=""101"));
    }

    [TestCase("1.30")]
    [TestCase("1.32")]
    public async Task Kubectl_TwoConnectionsAtOnce_BothComplete(string version)
    {
        var local = PodPortServer.ClosedPort();
        await using var kubectl = await KubectlPortForward.StartAsync(version, _cluster.Server.KubeconfigPath, _home, "pod/web", local, _pod.Port);

        var results = await Task.WhenAll(EchoAsync(local, 2 * 1024 * 1024, seed: 2), EchoAsync(local, 2 * 1024 * 1024, seed: 3));

        Assert.That(results, Is.All.True);
        Assert.That(_pod.Connections, Is.EqualTo(2));
    }

    [TestCase("1.30")]
    [TestCase("1.32")]
    public async Task Kubectl_ClosedRemotePort_PrintsTheKubeletsErrorAndStops(string version)
    {
        var closed = PodPortServer.ClosedPort();
        var local = PodPortServer.ClosedPort();
        await using var kubectl = await KubectlPortForward.StartAsync(version, _cluster.Server.KubeconfigPath, _home, "pod/web", local, closed);

        using var connection = new TcpClient();
        await connection.ConnectAsync(IPAddress.Loopback, local);
        var read = await connection.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(read, Is.Zero);
        Assert.That(await kubectl.WaitForOutputAsync($"error forwarding port {closed} to pod"), Is.True, kubectl.Output);
        Assert.That(kubectl.Output, Does.Contain($"an error occurred forwarding {local} -> {closed}"));
        Assert.That(kubectl.Output, Does.Contain("connect: connection refused"));
    }

    [Test]
    public async Task Kubectl_Service_ForwardsToItsPodsTargetPort()
    {
        await _cluster.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Port = 80, TargetPort = _pod.Port }] },
        }, "default");
        var local = PodPortServer.ClosedPort();
        await using var kubectl = await KubectlPortForward.StartAsync("1.32", _cluster.Server.KubeconfigPath, _home, "svc/web", local, 80);

        using var http = new HttpClient();
        var hello = await http.GetStringAsync(new Uri($"http://127.0.0.1:{local}/")).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(hello, Is.EqualTo("hello from the pod"));
    }

    [Test]
    public async Task CSharpClient_ChannelProtocol_EchoesMegabytesAndNamesThePort()
    {
        using var socket = await _cluster.Client.WebSocketNamespacedPodPortForwardAsync("web", "default", [_pod.Port], "v4.channel.k8s.io");
        using var demuxer = new StreamDemuxer(socket, StreamType.PortForward);
        demuxer.Start();
        await using var stream = demuxer.GetStream((byte?)0, (byte?)0);

        var sent = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        // Synchronous writes: the demuxer's stream inherits Stream's async methods, which would
        // queue this write behind the pending read.
        var writing = Task.Run(() =>
        {
            for (var offset = 0; offset < sent.Length; offset += 60_000)
            {
                stream.Write(sent, offset, Math.Min(60_000, sent.Length - offset));
            }
        });
        var received = new byte[sent.Length];
        await ReadExactlyAsync(stream, received);
        await writing;

        Assert.That(socket.SubProtocol, Is.EqualTo("v4.channel.k8s.io"));
        Assert.That(received, Is.EqualTo(sent));
    }

    [Test]
    public async Task CSharpClient_ClosedPort_ReportsOnTheErrorChannel()
    {
        var closed = PodPortServer.ClosedPort();
        using var socket = await _cluster.Client.WebSocketNamespacedPodPortForwardAsync("web", "default", [closed], "v4.channel.k8s.io");
        using var demuxer = new StreamDemuxer(socket, StreamType.PortForward);
        demuxer.Start();
        await using var errors = demuxer.GetStream((byte?)1, null);

        var buffer = new byte[4096];
        var read = await errors.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(Encoding.UTF8.GetString(buffer, 0, read), Does.StartWith($"error forwarding port {closed} to pod ").And.Contain("connection refused"));
    }

    /// <summary>Sends <paramref name="size"/> bytes through the local port, half-closes, and checks the echo comes back whole.</summary>
    private static async Task<bool> EchoAsync(int localPort, int size, int seed)
    {
        var sent = new byte[size];
        new Random(seed).NextBytes(sent);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, localPort);
        var stream = client.GetStream();
        var writing = Task.Run(async () =>
        {
            await stream.WriteAsync(sent);
            client.Client.Shutdown(SocketShutdown.Send);
        });
        using var received = new MemoryStream();
        await stream.CopyToAsync(received).WaitAsync(TimeSpan.FromSeconds(60));
        await writing;
        return received.ToArray().AsSpan().SequenceEqual(sent);
    }

    private static async Task ReadExactlyAsync(Stream stream, byte[] buffer)
    {
        var offset = 0;
        while (offset < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(offset)).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(read, Is.GreaterThan(0), $"the stream ended after {offset} of {buffer.Length} bytes");
            offset += read;
        }
    }
}
