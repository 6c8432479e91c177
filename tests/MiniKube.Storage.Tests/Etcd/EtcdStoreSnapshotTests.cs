using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Etcd;
using MiniKube.Testing;

namespace MiniKube.Storage.Tests.Etcd;

[TestFixture]
[Category("Integration")]
public sealed class EtcdStoreSnapshotTests
{
    [Test]
    public async Task SaveSnapshot_RealEtcd_WritesItsDatabaseWithChecksumOwnerOnly()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var store = await EtcdStore.ConnectAsync(etcd.Options(), NullLogger.Instance, default);
        var created = await store.CreateAsync("/registry/x", [1, 2, 3], 0, default);
        var dir = Directory.CreateTempSubdirectory("mkube-etcd-snap-").FullName;
        try
        {
            var file = Path.Combine(dir, "snap");

            var saved = await store.SaveSnapshotAsync(file, default);

            var bytes = await File.ReadAllBytesAsync(file);
            Assert.That(saved.Revision, Is.GreaterThanOrEqualTo(created.Revision));
            // A bolt database (its meta page's magic) followed by etcd's SHA-256 of it, which etcdutl checks on restore.
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)), Is.EqualTo(0xED0CDAEDu));
            Assert.That(SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)), Is.EqualTo(bytes[^32..]));
            Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
