using System.Text;
using MiniKube.Agent.Kubelet.Spdy;

namespace MiniKube.Agent.Tests.Kubelet.PortForward;

/// <summary>
/// pods/portforward over SPDY driven frame by frame (<see cref="SpdyTestClient"/>) through the
/// in-process API server to the kubelet: what kubectl relies on and cannot be made to show.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class PortForwardSpdyTests
{
    private const string Path = "/api/v1/namespaces/default/pods/web/portforward";

    private KubeletTestCluster _cluster = null!;
    private PodPortServer _pod = null!;

    [SetUp]
    public async Task SetUp()
    {
        _pod = new PodPortServer();
        _cluster = await KubeletTestCluster.StartAsync();
        await _cluster.StartKubeletAsync(nodeIp: "127.0.0.1");
        await _cluster.RunPodAsync("web");
    }

    [TearDown]
    public async Task TearDown()
    {
        await _cluster.DisposeAsync();
        await _pod.DisposeAsync();
    }

    [Test]
    public async Task Streams_ErrorThenData_AreRepliedAndCarryThePodsAnswer()
    {
        await using var client = await ConnectAsync();
        await client.SendAsync(client.Framer.SynStream(1, Headers("error", 0)));
        await client.SendAsync(SpdyFramer.Data(1, [], fin: true));
        await client.SendAsync(client.Framer.SynStream(3, Headers("data", 0)));
        await client.SendAsync(SpdyFramer.Data(3, "GET / HTTP/1.1\r\nHost: pod\r\n\r\n"u8, fin: false));

        var replies = new List<uint>();
        var body = new StringBuilder();
        var finished = new HashSet<uint>();
        while (finished.Count < 2 && await client.ReadAsync() is { } frame)
        {
            switch (frame)
            {
                case SpdySynReply reply:
                    replies.Add(reply.StreamId);
                    break;
                case SpdyData data:
                    body.Append(Encoding.ASCII.GetString(data.Payload.Span));
                    if (data.Fin)
                    {
                        finished.Add(data.StreamId);
                    }
                    break;
            }
        }

        Assert.That(client.Response, Does.StartWith("HTTP/1.1 101"));
        Assert.That(client.Response, Does.Contain("X-Stream-Protocol-Version: portforward.k8s.io"));
        Assert.That(replies, Is.EqualTo(new[] { 1u, 3u }));
        Assert.That(body.ToString(), Does.EndWith("\r\n\r\nhello from the pod"));
        Assert.That(finished, Is.EquivalentTo(new[] { 1u, 3u }));
    }

    [Test]
    public async Task Stream_WithoutAPort_IsResetAndThePingIsEchoed()
    {
        await using var client = await ConnectAsync();
        await client.SendAsync(client.Framer.SynStream(1, new SpdyHeaders().Add("streamtype", "error")));
        await client.SendAsync(SpdyFramer.Ping(1));

        Assert.That(await client.ReadAsync(), Is.EqualTo(new SpdyRstStream(1, SpdyRstStatus.Cancel)));
        Assert.That(await client.ReadAsync(), Is.EqualTo(new SpdyPing(1)));
    }

    [Test]
    public async Task ClosedPort_ErrorStreamCarriesUpstreamsTextThenBothStreamsFinish()
    {
        var closed = PodPortServer.ClosedPort();
        await using var client = await ConnectAsync();
        var port = closed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await client.SendAsync(client.Framer.SynStream(1, new SpdyHeaders().Add("streamtype", "error").Add("port", port).Add("requestid", "0")));
        await client.SendAsync(SpdyFramer.Data(1, [], fin: true));
        await client.SendAsync(client.Framer.SynStream(3, new SpdyHeaders().Add("streamtype", "data").Add("port", port).Add("requestid", "0")));

        var error = new StringBuilder();
        var finished = new HashSet<uint>();
        while (finished.Count < 2 && await client.ReadAsync() is { } frame)
        {
            if (frame is SpdyData data)
            {
                if (data.StreamId == 1)
                {
                    error.Append(Encoding.UTF8.GetString(data.Payload.Span));
                }
                if (data.Fin)
                {
                    finished.Add(data.StreamId);
                }
            }
        }

        Assert.That(error.ToString(), Does.Match($@"^error forwarding port {closed} to pod \S+, uid : failed to connect to 127\.0\.0\.1:{closed} inside namespace ""\S+"", IPv4: dial tcp4 127\.0\.0\.1:{closed}: connect: connection refused $"));
    }

    [Test]
    public async Task Upgrade_WithoutThePortForwardProtocol_IsRefusedWithUpstreamsText()
    {
        await using var client = await SpdyTestClient.ConnectAsync(_cluster.Client.BaseUri, _cluster.Server.Pki.Admin, Path, protocol: "v4.channel.k8s.io");

        Assert.That(client.Response, Does.StartWith("HTTP/1.1 403"));
        Assert.That(client.Response, Does.Contain("X-Accepted-Stream-Protocol-Versions: portforward.k8s.io"));
    }

    private Task<SpdyTestClient> ConnectAsync() => SpdyTestClient.ConnectAsync(_cluster.Client.BaseUri, _cluster.Server.Pki.Admin, Path);

    private SpdyHeaders Headers(string type, int request) => new SpdyHeaders()
        .Add("streamtype", type).Add("port", _pod.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).Add("requestid", request.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
