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
}
