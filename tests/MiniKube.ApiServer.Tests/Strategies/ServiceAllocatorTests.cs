using System.Net;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.Tests.Strategies;

[TestFixture]
public sealed class ServiceAllocatorTests : EmbeddedStoreFixture
{

    [Test]
    public async Task AllocateIpAsync_LargeRange_KeepsTheStaticBandForFixedAddresses()
    {
        var allocator = new ServiceAllocator(Store, "10.43.0.0/16", 30000, 32767);

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
        var allocator = new ServiceAllocator(Store, "10.96.0.0/28", 30000, 32767);

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
