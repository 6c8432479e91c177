using System.Net;
using MiniKube.Addons.Dns;

namespace MiniKube.Addons.Tests.Dns;

public sealed class DnsWireTests
{
    // A query for example.com A, id 0x1234, recursion desired, as dig sends it (without EDNS).
    private static readonly byte[] ExampleQuery =
    [
        0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x07, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e',
        0x03, (byte)'c', (byte)'o', (byte)'m', 0x00,
        0x00, 0x01, 0x00, 0x01,
    ];

    [Test]
    public void Decode_PlainQuery_ReadsHeaderAndQuestion()
    {
        var message = DnsWire.Decode(ExampleQuery);

        Assert.Multiple(() =>
        {
            Assert.That(message.Id, Is.EqualTo(0x1234));
            Assert.That(message.IsResponse, Is.False);
            Assert.That(message.RecursionDesired, Is.True);
            Assert.That(message.Questions, Is.EqualTo(new[] { new DnsQuestion("example.com", DnsType.A) }));
        });
    }

    [Test]
    public void Encode_ThenDecode_RoundTripsEveryRecordType()
    {
        var message = new DnsMessage
        {
            Id = 7,
            IsResponse = true,
            Authoritative = true,
            RecursionDesired = true,
            RecursionAvailable = true,
            ResponseCode = DnsResponseCode.NoError,
            Questions = [new DnsQuestion("db.default.svc.cluster.local", DnsType.ANY)],
            Answers =
            [
                new DnsRecord("db.default.svc.cluster.local", DnsType.A, 1, 5, new DnsAddressData(IPAddress.Parse("10.43.0.12"))),
                new DnsRecord("db.default.svc.cluster.local", DnsType.AAAA, 1, 5, new DnsAddressData(IPAddress.Parse("fd00::12"))),
                new DnsRecord("alias.default.svc.cluster.local", DnsType.CNAME, 1, 5, new DnsNameData("example.com")),
                new DnsRecord("12.0.43.10.in-addr.arpa", DnsType.PTR, 1, 5, new DnsNameData("db.default.svc.cluster.local")),
                new DnsRecord("_pg._tcp.db.default.svc.cluster.local", DnsType.SRV, 1, 5, new DnsSrvData(0, 100, 5432, "db.default.svc.cluster.local")),
                new DnsRecord("dns-version.cluster.local", DnsType.TXT, 1, 5, new DnsTextData("1.1.0")),
            ],
            Authority = [new DnsRecord("cluster.local", DnsType.SOA, 1, 5, new DnsSoaData("ns.dns.cluster.local", "hostmaster.cluster.local", 42, 7200, 1800, 86400, 5))],
            Additional = [new DnsRecord("", DnsType.OPT, 1232, 0, new DnsRawData([]))],
        };

        var decoded = DnsWire.Decode(DnsWire.Encode(message));

        Assert.Multiple(() =>
        {
            Assert.That(decoded with { Questions = [], Answers = [], Authority = [], Additional = [] },
                Is.EqualTo(message with { Questions = [], Answers = [], Authority = [], Additional = [] }));
            Assert.That(decoded.Questions, Is.EqualTo(message.Questions));
            Assert.That(decoded.Answers, Is.EqualTo(message.Answers));
            Assert.That(decoded.Authority, Is.EqualTo(message.Authority));
            // Raw data is a byte array, which records compare by reference.
            Assert.That(decoded.Edns?.Class, Is.EqualTo(1232));
        });
    }

    [Test]
    public void Encode_RepeatedNames_CompressesThem()
    {
        var name = "a-very-long-service-name.some-namespace.svc.cluster.local";
        var message = new DnsMessage
        {
            Questions = [new DnsQuestion(name, DnsType.A)],
            Answers = [.. Enumerable.Range(1, 10).Select(i => new DnsRecord(name, DnsType.A, 1, 5, new DnsAddressData(IPAddress.Parse($"10.42.0.{i}"))))],
        };

        var bytes = DnsWire.Encode(message);

        // Each answer's name is a 2-byte pointer: 12 header + question (name + 4) + 10 × (2 + 10 + 4).
        Assert.That(bytes, Has.Length.EqualTo(12 + name.Length + 2 + 4 + (10 * 16)));
        Assert.That(DnsWire.Decode(bytes).Answers.Select(a => a.Name), Is.All.EqualTo(name));
    }

    [Test]
    public void Decode_CompressedQuestionAndAnswers_FollowsPointers()
    {
        // A response whose answer name is a pointer to the question (offset 12), and whose
        // CNAME target is "www" + a pointer into the middle of the question name.
        byte[] packet =
        [
            .. ExampleQuery[..2], 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
            .. ExampleQuery[12..],
            0xC0, 0x0C, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x06,
            0x03, (byte)'w', (byte)'w', (byte)'w', 0xC0, 0x0C,
        ];

        var message = DnsWire.Decode(packet);

        Assert.That(message.Answers, Is.EqualTo(new[] { new DnsRecord("example.com", DnsType.CNAME, 1, 60, new DnsNameData("www.example.com")) }));
    }

    [Test]
    public void Decode_QueryWithLowerCaseAndUpperCase_KeepsTheCaseSent()
    {
        var query = DnsWire.Encode(new DnsMessage { Questions = [new DnsQuestion("Db.Default.SVC.cluster.local", DnsType.A)] });

        Assert.That(DnsWire.Decode(query).Questions[0].Name, Is.EqualTo("Db.Default.SVC.cluster.local"));
    }

    [Test]
    public void Encode_TooLargeForTheLimit_SendsTruncatedHeaderAndQuestion()
    {
        var message = new DnsMessage
        {
            IsResponse = true,
            Questions = [new DnsQuestion("many.default.svc.cluster.local", DnsType.A)],
            Answers = [.. Enumerable.Range(1, 100).Select(i => new DnsRecord("many.default.svc.cluster.local", DnsType.A, 1, 5, new DnsAddressData(IPAddress.Parse($"10.42.1.{i}"))))],
        };

        var decoded = DnsWire.Decode(DnsWire.Encode(message, DnsWire.ClassicUdpLimit));

        Assert.Multiple(() =>
        {
            Assert.That(decoded.Truncated, Is.True);
            Assert.That(decoded.Answers, Is.Empty);
            Assert.That(decoded.Questions, Is.EqualTo(message.Questions));
            Assert.That(DnsWire.Decode(DnsWire.Encode(message)).Answers, Has.Count.EqualTo(100));
        });
    }

    [TestCase(new byte[] { 0x12, 0x34, 0x01 }, TestName = "Decode_ShorterThanHeader_Throws")]
    [TestCase(new byte[] { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 }, TestName = "Decode_QuestionCountedButMissing_Throws")]
    [TestCase(new byte[] { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1 }, TestName = "Decode_PointerToItself_Throws")]
    [TestCase(new byte[] { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x20, 0, 1, 0, 1 }, TestName = "Decode_PointerForward_Throws")]
    [TestCase(new byte[] { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x05, (byte)'a', (byte)'b' }, TestName = "Decode_LabelPastEnd_Throws")]
    [TestCase(new byte[] { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 1, 0, 1 }, TestName = "Decode_ExtendedLabelType_Throws")]
    [TestCase(new byte[] { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x03, (byte)'a', (byte)'.', (byte)'b', 0, 0, 1, 0, 1 }, TestName = "Decode_DotInsideLabel_Throws")]
    [TestCase(new byte[] { 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 3, 10, 0, 0 }, TestName = "Decode_ARecordOfThreeBytes_Throws")]
    [TestCase(new byte[] { 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 9, 10, 0, 0, 1 }, TestName = "Decode_RecordLengthPastEnd_Throws")]
    public void Decode_Malformed_ThrowsFormatException(byte[] packet) =>
        Assert.Throws<DnsFormatException>(() => DnsWire.Decode(packet));

    [Test]
    public void Decode_NameLongerThan255Bytes_Throws()
    {
        var label = new byte[] { 63 }.Concat(Enumerable.Repeat((byte)'a', 63)).ToArray();
        byte[] packet = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, .. label, .. label, .. label, .. label, 0, 0, 1, 0, 1];

        Assert.Throws<DnsFormatException>(() => DnsWire.Decode(packet));
    }

    [Test]
    public void Decode_RandomBytes_NeverThrowsAnythingButFormatException()
    {
        var random = new Random(1234);
        var refused = 0;
        for (var i = 0; i < 5000; i++)
        {
            var packet = new byte[random.Next(0, 80)];
            random.NextBytes(packet);
            if (i % 2 == 0 && packet.Length > 12)
            {
                // Mostly-valid headers reach the name and record parsers more often.
                ExampleQuery.AsSpan(0, 12).CopyTo(packet);
            }
            try
            {
                DnsWire.Decode(packet);
            }
            catch (DnsFormatException)
            {
                refused++; // expected for most inputs; anything else thrown fails the test
            }
        }
        Assert.That(refused, Is.GreaterThan(2500), "garbage is refused as a format error");
    }

    [Test]
    public void PeekId_HeaderPresent_ReturnsId() =>
        Assert.Multiple(() =>
        {
            Assert.That(DnsWire.PeekId(ExampleQuery), Is.EqualTo(0x1234));
            Assert.That(DnsWire.PeekId(ExampleQuery.AsSpan(0, 5)), Is.Null);
        });
}
