using System.IO.Pipelines;
using MiniKube.Agent.Kubelet.Spdy;

namespace MiniKube.Agent.Tests.Kubelet.Spdy;

/// <summary>The SPDY/3.1 wire format, byte for byte as draft 3.1 §2.2–2.6 lays it out.</summary>
[TestFixture]
public sealed class SpdyFramerTests
{
    [Test]
    public void Data_WithFin_IsStreamIdFlagsLengthPayload() =>
        Assert.That(SpdyFramer.Data(5, "ab"u8, fin: true), Is.EqualTo(Hex("00000005 01000002 6162")));

    [Test]
    public void RstStream_IsControlVersion3Type3() =>
        Assert.That(SpdyFramer.RstStream(3, SpdyRstStatus.Cancel), Is.EqualTo(Hex("80030003 00000008 00000003 00000005")));

    [Test]
    public void Ping_IsControlType6WithTheId() =>
        Assert.That(SpdyFramer.Ping(7), Is.EqualTo(Hex("80030006 00000004 00000007")));

    [Test]
    public void GoAway_IsControlType7WithLastStreamAndStatus() =>
        Assert.That(SpdyFramer.GoAway(9, 1), Is.EqualTo(Hex("80030007 00000008 00000009 00000001")));

    [Test]
    public void SynReply_FirstOnTheConnection_CarriesTheZlibHeaderAndAnEmptyBlock()
    {
        var framer = new SpdyFramer(PipeReader.Create(new MemoryStream()));

        var frame = framer.SynReply(1, new SpdyHeaders());

        // 4 (stream id) + 6 (zlib header, dictionary id) + 5 + 4 (stored block of the count 0) + 5 (sync flush) = 24.
        Assert.That(frame, Is.EqualTo(Hex("80030002 00000018 00000001 7820e3c6a7c2 000400fbff 00000000 000000ffff")));
    }

    [Test]
    public async Task Read_SynStreamAsKubectlSendsIt_HasItsHeaders()
    {
        // kubectl's first SYN_STREAM: stream 1, priority 0, a zlib block written with the dictionary.
        var block = Hex("78f9e3c6a7c202253a48f95b044aab4c16064092b308125b99a054cc68004e872545a989b9d0a2863515141100000000ffff");
        var frame = Hex("80030001 00").Concat(new byte[] { 0, 0, (byte)(10 + block.Length) }).Concat(Hex("00000001 00000000 0000")).Concat(block).ToArray();

        var read = await Reader(frame).ReadFrameAsync(CancellationToken.None);

        var syn = (SpdySynStream)read!;
        Assert.That(syn.StreamId, Is.EqualTo(1u));
        Assert.That(syn.Fin, Is.False);
        Assert.That(syn.Headers.Get("streamType"), Is.EqualTo("error"));
        Assert.That(syn.Headers.Get("port"), Is.EqualTo("80"));
    }

    [Test]
    public async Task Read_DataSettingsAndEnd_InOrder()
    {
        var reader = Reader([.. SpdyFramer.Data(3, "hi"u8, fin: true), .. Hex("80030004 0000000c 00000001 00000007 00010000")]);

        var data = (SpdyData)(await reader.ReadFrameAsync(CancellationToken.None))!;
        var settings = await reader.ReadFrameAsync(CancellationToken.None);
        var end = await reader.ReadFrameAsync(CancellationToken.None);

        Assert.That((data.StreamId, data.Fin, data.Payload.ToArray()), Is.EqualTo((3u, true, "hi"u8.ToArray())));
        Assert.That(settings, Is.EqualTo(new SpdyIgnoredFrame(4)));
        Assert.That(end, Is.Null);
    }

    [Test]
    public void Read_SpdyVersion2_IsInvalidData() =>
        Assert.ThrowsAsync<InvalidDataException>(async () => await Reader(Hex("80020006 00000004 00000001")).ReadFrameAsync(CancellationToken.None));

    [Test]
    public void Read_EndInsideAFrame_IsInvalidData() =>
        Assert.ThrowsAsync<InvalidDataException>(async () => await Reader(Hex("00000001 00000010 6162")).ReadFrameAsync(CancellationToken.None));

    [Test]
    public async Task SynStreamThenSynReply_ReadBackByAnotherFramer_RoundTrip()
    {
        var writer = new SpdyFramer(PipeReader.Create(new MemoryStream()));
        var bytes = writer.SynStream(1, new SpdyHeaders().Add("streamtype", "data").Add("port", "8080"), fin: true)
            .Concat(writer.SynReply(1, new SpdyHeaders().Add("x", "y"))).ToArray();
        var reader = Reader(bytes);

        var syn = (SpdySynStream)(await reader.ReadFrameAsync(CancellationToken.None))!;
        var reply = (SpdySynReply)(await reader.ReadFrameAsync(CancellationToken.None))!;

        Assert.That((syn.StreamId, syn.Fin, syn.Headers.Get("port")), Is.EqualTo((1u, true, "8080")));
        Assert.That(reply.Headers.Get("x"), Is.EqualTo("y"));
    }

    private static SpdyFramer Reader(byte[] bytes) => new(PipeReader.Create(new MemoryStream(bytes)));

    private static byte[] Hex(string text) => Convert.FromHexString(text.Replace(" ", "", StringComparison.Ordinal));
}
