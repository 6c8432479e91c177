using System.Text;
using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Embedded;

/// <summary>
/// The checkpoint file written from keys streamed to it (as a running store's are, a step at a
/// time): read back as written, owner-only, and never put in place when the keys do not match the
/// count its header names.
/// </summary>
[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class CheckpointTests
{
    private readonly string _root = Directory.CreateTempSubdirectory("mkube-checkpoint-").FullName;

    private static readonly Checkpoint.Header Header = new(42, 4096, 8, [(7, TimeSpan.FromSeconds(30))]);

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private static byte[] V(string text) => Encoding.UTF8.GetBytes(text);

    [Test]
    public void Write_StreamedKeys_ReadsBackAsWritten()
    {
        var path = Path.Combine(_root, Checkpoint.FileName(42));
        var buffer = V("spilled value, then something longer that is not part of it");

        Checkpoint.Write(path, Header, 3, keys =>
        {
            keys.Write("/registry/a", 1, 5, 3, 7, V("in memory"));
            keys.Write("/registry/b", 2, 2, 1, 0, buffer.AsSpan(0, 13)); // a reused buffer's first bytes
            keys.Write("/registry/ü", 4, 4, 1, 0, []);
        });

        var read = Checkpoint.Read(path);
        Assert.That((read.Revision, read.LogAddress, read.NextLeaseId, read.Leases.Single()), Is.EqualTo((42L, 4096L, 8L, (7L, TimeSpan.FromSeconds(30)))));
        Assert.That(read.Keys.Select(kv => $"{kv.Key} c{kv.CreateRevision} m{kv.ModRevision} v{kv.Version} l{kv.Lease} {Encoding.UTF8.GetString(kv.Value)}"), Is.EqualTo(new[]
        {
            "/registry/a c1 m5 v3 l7 in memory",
            "/registry/b c2 m2 v1 l0 spilled value",
            "/registry/ü c4 m4 v1 l0 ",
        }));
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [TestCase(1)]
    [TestCase(3)]
    public void Write_OtherThanTheNamedCount_FailsAndLeavesTheFileBefore(int written)
    {
        var path = Path.Combine(_root, "snapshot");
        new Checkpoint(1, 0, 1, [], [new KeyValue("/before", V("b"), 1, 1, 1, 0)]).Write(path);

        Assert.That(() => Checkpoint.Write(path, Header, 2, keys =>
        {
            for (var i = 0; i < written; i++)
            {
                keys.Write($"/k{i}", 1, 1, 1, 0, V("v"));
            }
        }), Throws.InvalidOperationException.With.Message.Contains($"named 2 keys but was given {written}"));

        Assert.That(Checkpoint.Read(path).Keys.Single().Key, Is.EqualTo("/before"), "the earlier file stays in place");
        Assert.That(File.Exists(path + ".tmp"), Is.False, "the temp file is removed");
    }

    [Test]
    public void Write_KeysThatThrow_RemovesTheTempFile()
    {
        var path = Path.Combine(_root, "snapshot");

        Assert.That(() => Checkpoint.Write(path, Header, 1, _ => throw new IOException("a spilled value is damaged")), Throws.InstanceOf<IOException>());

        Assert.That(Directory.GetFiles(_root), Is.Empty);
    }
}
