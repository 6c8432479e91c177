using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using MiniKube.Agent.Kubelet.Spdy;

namespace MiniKube.Agent.Tests.Kubelet.Spdy;

/// <summary>A <see cref="SpdyConnection"/> on a loopback socket, driven by a test-side framer.</summary>
[TestFixture]
public sealed class SpdyConnectionTests
{
    private TcpListener _listener = null!;
    private TcpClient _client = null!;
    private Socket _server = null!;
    private SpdyConnection _connection = null!;
    private SpdyFramer _peer = null!;
    private Handler _handler = null!;
    private Task _running = null!;
    private CancellationTokenSource _stop = null!;

    [SetUp]
    public async Task SetUp()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _client = new TcpClient();
        await _client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)_listener.LocalEndpoint).Port);
        _server = await _listener.AcceptSocketAsync();
        _connection = new SpdyConnection(new NetworkStream(_server, ownsSocket: true));
        _peer = new SpdyFramer(PipeReader.Create(_client.GetStream()));
        _handler = new Handler();
        _stop = new CancellationTokenSource();
        _running = _connection.RunAsync(_handler, _stop.Token);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _connection.Dispose();
        _client.Dispose();
        _listener.Dispose();
        _stop.Dispose();
    }

    [Test]
    public async Task AcceptedStream_IsRepliedAndReadsTheDataUntilFin()
    {
        await SendAsync(_peer.SynStream(1, new SpdyHeaders().Add("kind", "ok")));
        await SendAsync(SpdyFramer.Data(1, "abc"u8, fin: false));
        await SendAsync(SpdyFramer.Data(1, "def"u8, fin: true));

        var reply = await ReadAsync();
        var stream = await _handler.Streams.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var buffer = new byte[16];
        var text = "";
        int read;
        while ((read = await stream.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            text += System.Text.Encoding.ASCII.GetString(buffer, 0, read);
        }

        Assert.That(reply, Is.TypeOf<SpdySynReply>().And.Property(nameof(SpdySynReply.StreamId)).EqualTo(1u));
        Assert.That(text, Is.EqualTo("abcdef"));
    }

    [Test]
    public async Task RefusedStream_IsResetWithCancel()
    {
        await SendAsync(_peer.SynStream(1, new SpdyHeaders().Add("kind", "bad")));

        Assert.That(await ReadAsync(), Is.EqualTo(new SpdyRstStream(1, SpdyRstStatus.Cancel)));
    }

    [Test]
    public async Task EvenStreamId_IsAProtocolError()
    {
        await SendAsync(_peer.SynStream(2, new SpdyHeaders().Add("kind", "ok")));

        Assert.That(await ReadAsync(), Is.EqualTo(new SpdyRstStream(2, SpdyRstStatus.ProtocolError)));
    }

    [Test]
    public async Task ClientPing_IsEchoed()
    {
        await SendAsync(SpdyFramer.Ping(5));

        Assert.That(await ReadAsync(), Is.EqualTo(new SpdyPing(5)));
    }

    [Test]
    public async Task StreamWrites_AreDataFramesThenFin()
    {
        await SendAsync(_peer.SynStream(1, new SpdyHeaders().Add("kind", "ok")));
        await ReadAsync(); // SYN_REPLY
        var stream = await _handler.Streams.Task.WaitAsync(TimeSpan.FromSeconds(5));

        await stream.WriteAsync("xyz"u8.ToArray(), CancellationToken.None);
        await stream.CloseWriteAsync(CancellationToken.None);
        var data = (SpdyData)(await ReadAsync())!;
        var fin = (SpdyData)(await ReadAsync())!;

        Assert.That((data.StreamId, data.Fin, data.Payload.ToArray()), Is.EqualTo((1u, false, "xyz"u8.ToArray())));
        Assert.That((fin.StreamId, fin.Fin, fin.Payload.Length), Is.EqualTo((1u, true, 0)));
    }

    [Test]
    public async Task ResetByThePeer_EndsReadingAndRefusesWrites()
    {
        await SendAsync(_peer.SynStream(1, new SpdyHeaders().Add("kind", "ok")));
        await ReadAsync();
        var stream = await _handler.Streams.Task.WaitAsync(TimeSpan.FromSeconds(5));

        await SendAsync(SpdyFramer.RstStream(1, SpdyRstStatus.Cancel));
        var read = await stream.ReadAsync(new byte[4], CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.That(read, Is.Zero);
        Assert.That(stream.IsReset, Is.True);
        Assert.ThrowsAsync<IOException>(async () => await stream.WriteAsync("x"u8.ToArray(), CancellationToken.None));
    }

    private async Task SendAsync(byte[] frame)
    {
        await _client.GetStream().WriteAsync(frame);
    }

    private async Task<SpdyFrame?> ReadAsync() => await _peer.ReadFrameAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

    /// <summary>Accepts streams whose "kind" header is "ok".</summary>
    private sealed class Handler : ISpdyStreamHandler
    {
        public TaskCompletionSource<SpdyStream> Streams { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string? Validate(SpdyHeaders headers) => headers.Get("kind") == "ok" ? null : "not ok";

        public void Accepted(SpdyStream stream) => Streams.TrySetResult(stream);
    }
}
