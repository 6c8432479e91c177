using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Embedded;

/// <summary>The writeback stream passes every byte through in order and ends a pacer step per chunk written.</summary>
[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class WritebackStreamTests
{
    private readonly string _root = Directory.CreateTempSubdirectory("mkube-writeback-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Write_SeveralChunksInWritesOfMixedSizes_FileHoldsEveryByteInOrder()
    {
        // Three and a half chunks in writes of at most 64 KiB: a chunk ends within 64 KiB past each MiB, so exactly three end.
        var data = new byte[(WritebackStream.ChunkBytes * 7) / 2];
        Random.Shared.NextBytes(data);
        var path = Path.Combine(_root, "file");
        var steps = 0;
        var pacer = new Pacer(1, () => TimeSpan.FromTicks(steps++), _ => { });

        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            var stream = new WritebackStream(file, pacer);
            var sizes = new[] { 1, 7, 4_096, 65_536, 3 };
            for (int offset = 0, i = 0; offset < data.Length; i++)
            {
                var count = Math.Min(sizes[i % sizes.Length], data.Length - offset);
                stream.Write(data, offset, count);
                offset += count;
            }
            stream.Flush();
            file.Flush(flushToDisk: true);
        }

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(data));
        Assert.That(steps - 1, Is.EqualTo(3), "a step per full chunk (the pacer read the clock once at its start)");
    }
}
