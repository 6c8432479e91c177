using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Network;

namespace MiniKube.Agent.Tests.Network;

/// <summary>
/// A <see cref="PodNetwork"/> for one test, with its IPAM in a temp directory of its own. On the
/// real host every name is the test's own (bridge <c>mkt&lt;id&gt;</c>, chains <c>MKT&lt;ID&gt;-…</c>,
/// a /24 picked at random from the range given); disposing tears it all down. Over a fake runner
/// it keeps mkube's real names, which is what command-sequence tests assert on.
/// </summary>
internal sealed class TestPodNetwork : IAsyncDisposable
{
    private readonly bool _real;

    private TestPodNetwork(IHostCommands commands, string id, IPNetwork podCidr, bool real, int? mtu)
    {
        _real = real;
        Id = id;
        PodCidr = podCidr;
        Directory = System.IO.Directory.CreateTempSubdirectory("mkube-podnet-").FullName;
        Options = new PodNetworkOptions
        {
            IpamDirectory = Directory,
            ClusterCidr = real ? podCidr : IPNetwork.Parse("10.42.0.0/16"),
            BridgeName = real ? "mkt" + id : PodNetworkOptions.DefaultBridge,
            ChainPrefix = real ? "MKT" + id.ToUpperInvariant() : PodNetworkOptions.DefaultChainPrefix,
            Mtu = mtu,
        };
        Network = new PodNetwork(Options, commands, NullLogger.Instance);
    }

    /// <summary>Five hex digits unique to the test.</summary>
    public string Id { get; }

    public string Directory { get; }

    public IPNetwork PodCidr { get; }

    public PodNetworkOptions Options { get; }

    public PodNetwork Network { get; }

    /// <summary>On the host, in a random /24 of <paramref name="range16"/> (e.g. "10.250"), which is also its cluster CIDR.</summary>
    public static TestPodNetwork Real(string range16, int? mtu = null) =>
        new(HostCommands.Instance, Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..5], IPNetwork.Parse($"{range16}.{Random.Shared.Next(0, 256)}.0/24"), real: true, mtu);

    /// <summary>Over <paramref name="commands"/>, for podCIDR 10.42.3.0/24 in cluster CIDR 10.42.0.0/16, MTU 1450.</summary>
    public static TestPodNetwork Fake(FakeHostCommands commands) => new(commands, "fake0", IPNetwork.Parse("10.42.3.0/24"), real: false, 1450);

    public async ValueTask DisposeAsync()
    {
        if (_real)
        {
            await Network.TearDownAsync(CancellationToken.None);
        }
        Network.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
