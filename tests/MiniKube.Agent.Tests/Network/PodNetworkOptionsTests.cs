using System.Net;
using MiniKube.Agent.Network;

namespace MiniKube.Agent.Tests.Network;

[TestFixture]
public sealed class PodNetworkOptionsTests
{
    // The loopback link's MTU is 65536 on Linux, so the node IP 127.0.0.1 gives a known link.
    [TestCase(OverlayBackend.Vxlan, "127.0.0.1", 65536 - 50)]
    [TestCase(OverlayBackend.HostGw, "127.0.0.1", 65536)]
    [TestCase(OverlayBackend.None, "127.0.0.1", 65536)]
    [TestCase(OverlayBackend.Vxlan, null, 1450)]
    [TestCase(OverlayBackend.HostGw, null, 1500)]
    [TestCase(OverlayBackend.HostGw, "192.0.2.77", 1500)]
    public void ResolveMtu_LeavesRoomForTheBackendsEncapsulationOnly(OverlayBackend backend, string? nodeIp, int expected)
    {
        var options = new PodNetworkOptions { IpamDirectory = "/nonexistent", ClusterCidr = IPNetwork.Parse("10.42.0.0/16"), Backend = backend, NodeIp = nodeIp };

        Assert.That(options.ResolveMtu(), Is.EqualTo(expected));
    }

    [Test]
    public void ResolveMtu_GivenMtu_Wins()
    {
        var options = new PodNetworkOptions { IpamDirectory = "/nonexistent", ClusterCidr = IPNetwork.Parse("10.42.0.0/16"), Mtu = 1400, NodeIp = "127.0.0.1" };

        Assert.That(options.ResolveMtu(), Is.EqualTo(1400));
    }
}
