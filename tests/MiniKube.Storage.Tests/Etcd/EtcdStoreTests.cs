using MiniKube.Testing;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Etcd;

namespace MiniKube.Storage.Tests.Etcd;

[TestFixture]
[Category("Integration")]
public sealed class EtcdStoreTests
{
    [Test]
    public void Connect_NothingListening_FailsUnavailableWithinTheLimit()
    {
        var options = new EtcdStoreOptions
        {
            Endpoints = [new Uri($"http://127.0.0.1:{EtcdServer.FreePort()}")],
            UnavailableAfter = TimeSpan.FromSeconds(2),
        };
        var clock = Stopwatch.StartNew();

        Assert.That(() => EtcdStore.ConnectAsync(options, NullLogger.Instance, default),
            Throws.InstanceOf<StoreUnavailableException>().With.Message.Contains("unreachable"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task Calls_AfterEtcdDies_FailUnavailableNotHang()
    {
        var etcd = await EtcdServer.StartAsync();
        await using var store = await EtcdStore.ConnectAsync(etcd.Options(TimeSpan.FromSeconds(2)), NullLogger.Instance, default);
        await store.CreateAsync("/x", [1], 0, default);

        await etcd.DisposeAsync();

        Assert.That(() => store.GetAsync("/x", 0, default), Throws.InstanceOf<StoreUnavailableException>());
    }

    [Test]
    public async Task Connect_SecondEndpointUp_UsesIt()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var options = new EtcdStoreOptions { Endpoints = [new Uri($"http://127.0.0.1:{EtcdServer.FreePort()}"), etcd.Endpoint] };

        await using var store = await EtcdStore.ConnectAsync(options, NullLogger.Instance, default);

        Assert.That((await store.CreateAsync("/y", [1], 0, default)).Succeeded, Is.True);
    }

    [Test]
    public async Task Connect_HttpsWithCaAndClientCertificate_Works()
    {
        var dir = Directory.CreateTempSubdirectory("mkube-tls-").FullName;
        try
        {
            var certs = TestCertificates.Create(dir);
            await using var etcd = await EtcdServer.StartAsync(new EtcdServer.Tls(certs.CaFile, certs.ServerCertFile, certs.ServerKeyFile, certs.ClientCertFile, certs.ClientKeyFile));
            var options = new EtcdStoreOptions { Endpoints = [etcd.Endpoint], CaFile = certs.CaFile, CertFile = certs.ClientCertFile, KeyFile = certs.ClientKeyFile };

            await using var store = await EtcdStore.ConnectAsync(options, NullLogger.Instance, default);

            Assert.That(etcd.Endpoint.Scheme, Is.EqualTo("https"));
            Assert.That((await store.CreateAsync("/tls", [1], 0, default)).Succeeded, Is.True);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task Connect_HttpsServerSignedByAnotherCa_IsRefused()
    {
        var dir = Directory.CreateTempSubdirectory("mkube-tls-").FullName;
        try
        {
            var certs = TestCertificates.Create(dir);
            var otherDir = Directory.CreateDirectory(Path.Combine(dir, "other")).FullName;
            var other = TestCertificates.Create(otherDir, "some-other-ca");
            await using var etcd = await EtcdServer.StartAsync(new EtcdServer.Tls(certs.CaFile, certs.ServerCertFile, certs.ServerKeyFile, certs.ClientCertFile, certs.ClientKeyFile));
            var options = new EtcdStoreOptions
            {
                Endpoints = [etcd.Endpoint],
                CaFile = other.CaFile,
                CertFile = certs.ClientCertFile,
                KeyFile = certs.ClientKeyFile,
                UnavailableAfter = TimeSpan.FromSeconds(2),
            };

            Assert.That(() => EtcdStore.ConnectAsync(options, NullLogger.Instance, default), Throws.InstanceOf<StoreUnavailableException>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
    [Test]
    public async Task CompactOnce_TwoServersTakingTurns_CompactToThePreviousRoundsRevisionOnce()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var first = await EtcdStore.ConnectAsync(etcd.Options(TimeSpan.FromSeconds(5)), NullLogger.Instance, default);
        await using var second = await EtcdStore.ConnectAsync(etcd.Options(TimeSpan.FromSeconds(5)), NullLogger.Instance, default);
        var old = await first.CreateAsync("/old", [1], 0, default);

        // The first round only records where the next one compacts to.
        var (version, seen) = await first.CompactOnceAsync(0, 0, default);
        Assert.That(version, Is.EqualTo(1));
        Assert.That(await first.GetAsync("/old", old.Revision, default), Is.Not.Null, "nothing compacted on the first round");
        var updated = await first.UpdateAsync("/old", [2], old.Revision, 0, default);

        // The other server's view of the key is out of date: it adopts the version, compacts nothing.
        var (secondVersion, _) = await second.CompactOnceAsync(0, updated.Revision, default);
        Assert.That(secondVersion, Is.EqualTo(1));
        Assert.That(await first.GetAsync("/old", old.Revision, default), Is.Not.Null, "a server whose turn it was not compacted nothing");

        // The next round compacts to the revision the previous one saw: history before it is gone, the latest values stay.
        (version, _) = await first.CompactOnceAsync(version, seen, default);
        Assert.That(version, Is.EqualTo(2));
        Assert.That(() => first.GetAsync("/old", old.Revision, default), Throws.InstanceOf<CompactedException>());
        Assert.That((await first.GetAsync("/old", 0, default))!.Value, Is.EqualTo(new byte[] { 2 }));
    }
}
