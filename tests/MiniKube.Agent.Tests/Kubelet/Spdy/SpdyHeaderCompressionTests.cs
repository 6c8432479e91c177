using MiniKube.Agent.Kubelet.Spdy;

namespace MiniKube.Agent.Tests.Kubelet.Spdy;

[TestFixture]
public sealed class SpdyHeaderCompressionTests
{
    // Two header blocks of one connection as a zlib compressor with the SPDY/3 dictionary writes
    // them (level 9, each block ended by a sync flush, one context for both): kubectl's error and
    // data streams of its first forwarded connection. Generated with zlib (compressobj with zdict)
    // from the specification's dictionary; the second block refers back into the first.
    private static readonly byte[] ErrorStreamBlock = Convert.FromHexString(
        "78f9e3c6a7c202253a48f95b044aab4c16064092b308125b99a054cc68004e872545a989b9d0a2863515141100000000ffff");

    private static readonly byte[] DataStreamBlock = Convert.FromHexString("224b2ba8944a04000000ffff");

    // The empty stored block Z_SYNC_FLUSH writes; Go's inflater releases a block's bytes only on reading it.
    private static readonly byte[] SyncFlush = [0x00, 0x00, 0x00, 0xff, 0xff];

    [Test]
    public void Dictionary_IsTheSpecificationsBytes()
    {
        Assert.That(SpdyHeaderDictionary.Bytes, Has.Length.EqualTo(1423));
        Assert.That(SpdyHeaderDictionary.Bytes[..11], Is.EqualTo(new byte[] { 0, 0, 0, 7, (byte)'o', (byte)'p', (byte)'t', (byte)'i', (byte)'o', (byte)'n', (byte)'s' }));
        Assert.That(SpdyHeaderDictionary.Adler32, Is.EqualTo(0xe3c6a7c2u));
    }

    [Test]
    public void Decompress_ZlibWithTheDictionary_ReadsBothBlocksOfOneContext()
    {
        var decompressor = new SpdyHeaderDecompressor();

        var error = decompressor.Decompress(ErrorStreamBlock);
        var data = decompressor.Decompress(DataStreamBlock);

        Assert.That(error.Pairs, Is.EqualTo(new[] { Pair("port", "80"), Pair("requestid", "0"), Pair("streamtype", "error") }));
        Assert.That(data.Get("streamtype"), Is.EqualTo("data"));
        Assert.That(data.Get("requestid"), Is.EqualTo("0"));
    }

    [Test]
    public void Compress_FirstBlock_IsAZlibHeaderNamingTheDictionaryAStoredBlockAndASyncFlush()
    {
        var compressor = new SpdyHeaderCompressor();

        var first = compressor.Compress(new SpdyHeaders().Add("a", "b"));
        var second = compressor.Compress(new SpdyHeaders());

        var plain = SpdyHeaderCompressor.Encode(new SpdyHeaders().Add("a", "b"));
        Assert.That(first, Is.EqualTo(new byte[] { 0x78, 0x20, 0xe3, 0xc6, 0xa7, 0xc2, 0x00, (byte)plain.Length, 0x00, (byte)~plain.Length, 0xff }.Concat(plain).Concat(SyncFlush).ToArray()));
        Assert.That(second, Is.EqualTo(new byte[] { 0x00, 0x04, 0x00, 0xfb, 0xff, 0, 0, 0, 0 }.Concat(SyncFlush).ToArray()));
    }

    [Test]
    public void CompressThenDecompress_ManyBlocksOnOneContext_RoundTrip()
    {
        var compressor = new SpdyHeaderCompressor();
        var decompressor = new SpdyHeaderDecompressor();

        for (var i = 0; i < 50; i++)
        {
            var headers = new SpdyHeaders().Add("streamtype", i % 2 == 0 ? "error" : "data").Add("requestid", i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Add("big", new string('x', i * 100));
            var back = decompressor.Decompress(compressor.Compress(headers));
            Assert.That(back.Pairs, Is.EqualTo(headers.Pairs));
        }
    }

    [Test]
    public void Decompress_Garbage_IsInvalidData() =>
        Assert.Throws<InvalidDataException>(() => new SpdyHeaderDecompressor().Decompress([1, 2, 3, 4, 5]));

    [Test]
    public void Decode_UpperCaseName_IsInvalidData() =>
        Assert.Throws<InvalidDataException>(() => SpdyHeaderDecompressor.Decode([0, 0, 0, 1, 0, 0, 0, 1, (byte)'A', 0, 0, 0, 0]));

    private static KeyValuePair<string, string> Pair(string name, string value) => new(name, value);
}
