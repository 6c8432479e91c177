using System.Security.Cryptography;
using System.Text;
using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Embedded;

/// <summary>
/// The chunked writer lays out exactly what a BinaryWriter would, followed by the SHA-256 of it,
/// across chunk boundaries, with O_DIRECT and through the page cache, and ends a pacer step per chunk.
/// </summary>
[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class ChunkedFileWriterTests
{
    private readonly string _root = Directory.CreateTempSubdirectory("mkube-chunked-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [TestCase(true)]
    [TestCase(false)]
    public void Complete_FieldsAcrossSeveralChunks_FileIsTheirBinaryWriterEncodingAndItsHash(bool direct)
    {
        var random = new Random(17);
        var big = new byte[(ChunkedFileWriter.ChunkBytes * 5) / 2]; // one value longer than two chunks
        random.NextBytes(big);
        var expected = new MemoryStream();
        var path = Path.Combine(_root, "file");
        var steps = 0;
        var pacer = new Pacer(1, () => TimeSpan.FromTicks(steps++), _ => { });

        using (var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 }))
        using (var writer = new ChunkedFileWriter(file, pacer, direct))
        using (var reference = new BinaryWriter(expected, Encoding.UTF8, leaveOpen: true))
        {
            for (var i = 0; i < 3_000; i++)
            {
                // Keys of one- and two-byte length prefixes and multi-byte UTF-8, small values, now and then the big one.
                var key = $"/registry/ünïcode/{new string('k', i % 300)}-{i}";
                var value = i % 1_000 == 999 ? big : big[..(i % 700)];
                writer.WriteString(key);
                reference.Write(key);
                writer.WriteInt64(-i);
                reference.Write((long)-i);
                writer.WriteInt32(value.Length);
                reference.Write(value.Length);
                writer.WriteBytes(value);
                reference.Write(value);
            }
            reference.Flush();
            expected.Write(SHA256.HashData(expected.ToArray()));
            writer.Complete();
        }

        var written = File.ReadAllBytes(path);
        Assert.That(written.Length, Is.EqualTo(expected.Length));
        Assert.That(written, Is.EqualTo(expected.ToArray()));
        Assert.That(steps - 1, Is.EqualTo((expected.Length + ChunkedFileWriter.ChunkBytes - 1) / ChunkedFileWriter.ChunkBytes), "a step per chunk written, the last one included (the pacer read the clock once at its start)");
    }

    [Test]
    public void Complete_NothingWritten_FileIsTheHashOfNothing()
    {
        var path = Path.Combine(_root, "empty");

        using (var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 }))
        using (var writer = new ChunkedFileWriter(file, pacer: null))
        {
            writer.Complete();
        }

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(SHA256.HashData(ReadOnlySpan<byte>.Empty)));
    }
}
