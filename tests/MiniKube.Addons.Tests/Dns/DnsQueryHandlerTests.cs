using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Addons.Dns;
using static MiniKube.Addons.Tests.Dns.DnsObjects;

namespace MiniKube.Addons.Tests.Dns;

public sealed class DnsQueryHandlerTests
{
    private static DnsQueryHandler Handler(IUpstreamResolver? upstream = null) => new(
        new ClusterDnsResolver(new FixedServiceDirectory([ClusterIpService("default", "web", "10.43.0.20")], []), new ClusterDnsOptions(), TimeProvider.System),
        upstream,
        NullLogger<DnsQueryHandler>.Instance);

    private static byte[] Query(string name, DnsType type = DnsType.A, ushort id = 7) =>
        DnsWire.Encode(new DnsMessage { Id = id, RecursionDesired = true, Questions = [new DnsQuestion(name, type)] });

    private static async Task<DnsMessage> HandleAsync(DnsQueryHandler handler, byte[] packet, DnsTransport transport = DnsTransport.Udp) =>
        DnsWire.Decode(await handler.HandleAsync(packet, transport, CancellationToken.None) ?? throw new AssertionException("no reply"));

    [Test]
    public async Task HandleAsync_ClusterName_Answers()
    {
        var reply = await HandleAsync(Handler(), Query("web.default.svc.cluster.local"));

        Assert.That(reply.Answers.Single().Data, Is.EqualTo(new DnsAddressData(IPAddress.Parse("10.43.0.20"))));
    }

    [Test]
    public async Task HandleAsync_MalformedWithHeader_FormErrWithItsId()
    {
        byte[] packet = [0xAB, 0xCD, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3F, (byte)'x'];

        var reply = await HandleAsync(Handler(), packet);

        Assert.Multiple(() =>
        {
            Assert.That(reply.Id, Is.EqualTo(0xABCD));
            Assert.That(reply.IsResponse, Is.True);
            Assert.That(reply.ResponseCode, Is.EqualTo(DnsResponseCode.FormatError));
        });
    }

    [Test]
    public async Task HandleAsync_ShorterThanHeader_NoReply() =>
        Assert.That(await Handler().HandleAsync(new byte[] { 1, 2, 3 }, DnsTransport.Udp, CancellationToken.None), Is.Null);

    [Test]
    public async Task HandleAsync_TwoQuestions_FormErr()
    {
        var packet = DnsWire.Encode(new DnsMessage { Id = 3, Questions = [new DnsQuestion("a.cluster.local", DnsType.A), new DnsQuestion("b.cluster.local", DnsType.A)] });

        Assert.That((await HandleAsync(Handler(), packet)).ResponseCode, Is.EqualTo(DnsResponseCode.FormatError));
    }

    [Test]
    public async Task HandleAsync_NotAQuery_NotImplemented()
    {
        var packet = DnsWire.Encode(new DnsMessage { Id = 3, Opcode = 4, Questions = [new DnsQuestion("web.default.svc.cluster.local", DnsType.A)] });

        Assert.That((await HandleAsync(Handler(), packet)).ResponseCode, Is.EqualTo(DnsResponseCode.NotImplemented));
    }

    [Test]
    public async Task HandleAsync_AResponse_IsIgnored()
    {
        var packet = DnsWire.Encode(new DnsMessage { Id = 3, IsResponse = true, Questions = [new DnsQuestion("web.default.svc.cluster.local", DnsType.A)] });

        Assert.That(await Handler().HandleAsync(packet, DnsTransport.Udp, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task HandleAsync_OutsideNameWithoutUpstream_ServFail() =>
        Assert.That((await HandleAsync(Handler(), Query("example.com"))).ResponseCode, Is.EqualTo(DnsResponseCode.ServerFailure));

    [Test]
    public async Task HandleAsync_OutsideName_ForwardsTheQueryAsItCameOnItsTransport()
    {
        var upstream = new RecordingUpstream(reply: [1, 2, 3]);
        var query = Query("example.com");

        var reply = await Handler(upstream).HandleAsync(query, DnsTransport.Tcp, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(reply, Is.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That(upstream.Forwarded.Single(), Is.EqualTo((query, DnsTransport.Tcp)));
        });
    }

    [Test]
    public async Task HandleAsync_UpstreamSilent_ServFail() =>
        Assert.That((await HandleAsync(Handler(new RecordingUpstream(reply: null)), Query("example.com"))).ResponseCode, Is.EqualTo(DnsResponseCode.ServerFailure));

    [Test]
    public async Task HandleAsync_EdnsQuery_RepliesWithOpt()
    {
        var packet = DnsWire.Encode(new DnsMessage
        {
            Id = 5,
            Questions = [new DnsQuestion("web.default.svc.cluster.local", DnsType.A)],
            Additional = [new DnsRecord("", DnsType.OPT, 1232, 0, new DnsRawData([]))],
        });

        var reply = await HandleAsync(Handler(), packet);

        Assert.That(reply.Edns, Is.Not.Null);
    }

    private sealed class RecordingUpstream(byte[]? reply) : IUpstreamResolver
    {
        public List<(byte[] Query, DnsTransport Transport)> Forwarded { get; } = [];

        public Task<byte[]?> ForwardAsync(ReadOnlyMemory<byte> query, DnsTransport transport, CancellationToken cancellationToken)
        {
            Forwarded.Add((query.ToArray(), transport));
            return Task.FromResult(reply);
        }
    }
}
