using MiniKube.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Etcd;
using MiniKube.Storage.Tests.Etcd;

namespace MiniKube.Storage.Tests.Conformance;

/// <summary>The same contract against a real etcd, started once for the fixture.</summary>
[TestFixture]
[Category("Integration")]
public sealed class EtcdStoreConformanceTests : StoreConformanceTests
{
    private static EtcdServer? s_etcd;

    [OneTimeSetUp]
    public static async Task StartEtcd() => s_etcd = await EtcdServer.StartAsync();

    [OneTimeTearDown]
    public static async Task StopEtcd()
    {
        if (s_etcd is not null)
        {
            await s_etcd.DisposeAsync();
        }
    }

    protected override async Task<IStore> OpenStoreAsync() =>
        await EtcdStore.ConnectAsync(s_etcd!.Options(), NullLogger.Instance, default);
}
