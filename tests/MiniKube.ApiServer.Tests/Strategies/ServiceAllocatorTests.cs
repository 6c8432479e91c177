using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Strategies;
using MiniKube.Storage.Embedded;

namespace MiniKube.ApiServer.Tests.Strategies;

[TestFixture]
public sealed class ServiceAllocatorTests
{
    private string _directory = null!;
    private EmbeddedStore _store = null!;

    [SetUp]
    public async Task OpenStore()
    {
        _directory = Directory.CreateTempSubdirectory("mkube-alloc-").FullName;
        _store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = _directory }, NullLogger.Instance, CancellationToken.None);
    }

    [TearDown]
    public async Task CloseStore()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task AllocateIpAsync_LargeRange_KeepsTheStaticBandForFixedAddresses()
    {
        var allocator = new ServiceAllocator(_store, "10.43.0.0/16", 30000, 32767);

        var allocated = new List<int>();
        for (var i = 0; i < 200; i++)
        {
            allocated.Add(Offset(await allocator.AllocateIpAsync($"svc-{i}", CancellationToken.None)));
        }

        Assert.That(allocated, Has.All.GreaterThan(256), "10.43.0.1 to 10.43.1.0 are left for Services asking for them");
        Assert.That(await allocator.ClaimIpAsync("10.43.0.10", "kube-dns", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task AllocateIpAsync_SmallRangeFull_UsesTheStaticBandThenReportsFull()
    {
        var allocator = new ServiceAllocator(_store, "10.96.0.0/28", 30000, 32767);

        var allocated = new List<int>();
        for (var i = 0; i < 13; i++)
        {
            allocated.Add(Offset(await allocator.AllocateIpAsync($"svc-{i}", CancellationToken.None)));
        }

        Assert.That(allocated, Is.EquivalentTo(Enumerable.Range(2, 13)), "every address but the network, broadcast and the kubernetes Service's");
        Assert.ThrowsAsync<ApiException>(() => allocator.AllocateIpAsync("one-more", CancellationToken.None));
    }

    private static int Offset(string ip) => IPAddress.Parse(ip).GetAddressBytes() is var b ? (b[2] << 8) | b[3] : 0;
}
