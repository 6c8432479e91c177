using System.Net;
using MiniKube.CheckConfig;

namespace MiniKube.Tests.CheckConfig;

public sealed class PortChecksTests
{
    private const string TcpHeader = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    private const string UdpHeader = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n";

    [Test]
    public void ParseTable_ListeningTcpAndBoundUdp_WithAddressesAndPorts()
    {
        var tcp = TcpHeader
            + "   0: 00000000:192B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0\n"
            + "   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 20 4 30 10 -1\n";
        var tcp6 = TcpHeader + "   0: 00000000000000000000000001000000:2802 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 100 0 0 10 0\n";
        var udp = UdpHeader + "  100: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 444 2 0000000000000000 0\n";

        Assert.That(PortChecks.ParseTable("tcp", tcp), Is.EqualTo(new[] { new PortChecks.Socket("tcp", IPAddress.Any, 6443, 111) }), "only LISTEN");
        Assert.That(PortChecks.ParseTable("tcp", tcp6), Is.EqualTo(new[] { new PortChecks.Socket("tcp", IPAddress.IPv6Loopback, 10242, 333) }));
        Assert.That(PortChecks.ParseTable("udp", udp), Is.EqualTo(new[] { new PortChecks.Socket("udp", IPAddress.Parse("127.0.0.53"), 53, 444) }));
    }

    [Test]
    public void Check_NothingListening_EveryPortFree()
    {
        var results = PortChecks.Check(FakeHostProbe.Complete());

        Assert.That(results.Select(r => r.Item), Is.EqualTo(new[] { "6443/tcp", "10250/tcp", "80/tcp", "443/tcp", "53/udp", "53/tcp", "8472/udp" }));
        Assert.That(results.All(r => r.Status == CheckStatus.Ok), Is.True);
    }

    [Test]
    public void Check_PortHeldByAnotherProcess_FailsNamingItAndTheFlag()
    {
        var probe = FakeHostProbe.Complete();
        probe.Files["/proc/net/tcp6"] = TcpHeader + "   0: 00000000000000000000000000000000:280A 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1 0000000000000000 100 0 0 10 0\n";
        probe.SocketOwners[555] = "kubelet (pid 42)";

        var kubelet = PortChecks.Check(probe).Single(r => r.Item == "10250/tcp");

        Assert.That(kubelet.ToString(), Is.EqualTo("FAIL  ports    10250/tcp: in use by kubelet (pid 42) on ::; needed by the kubelet API; fix: stop what holds it, or choose another port with --kubelet-port"));
    }

    [Test]
    public void Check_PortHeldByMkube_WarnsThatItAlreadyRuns()
    {
        var probe = FakeHostProbe.Complete();
        probe.Files["/proc/net/tcp"] = TcpHeader + "   0: 00000000:192B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0\n";
        probe.SocketOwners[111] = "mkube (pid 7)";

        var api = PortChecks.Check(probe).Single(r => r.Item == "6443/tcp");

        Assert.That((api.Status, api.Detail), Is.EqualTo((CheckStatus.Warning, "in use by mkube (pid 7) on 0.0.0.0: mkube already runs here")));
    }

    [Test]
    public void Check_LoopbackDnsResolver_DoesNotCollideWithTheClusterDns()
    {
        var probe = FakeHostProbe.Complete();
        probe.Files["/proc/net/udp"] = UdpHeader + "  100: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 444 2 0000000000000000 0\n";
        probe.SocketOwners[444] = "systemd-resolve (pid 300)";

        Assert.That(PortChecks.Check(probe).Single(r => r.Item == "53/udp").Status, Is.EqualTo(CheckStatus.Ok));
    }

    [Test]
    public void Check_VxlanPortHeldByTheKernel_Warns()
    {
        var probe = FakeHostProbe.Complete();
        probe.Files["/proc/net/udp"] = UdpHeader + "  200: 00000000:2118 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 0 2 0000000000000000 0\n";

        var vxlan = PortChecks.Check(probe).Single(r => r.Item == "8472/udp");

        Assert.That((vxlan.Status, vxlan.Detail), Is.EqualTo((CheckStatus.Warning, "in use by the kernel (a vxlan device?) on 0.0.0.0; needed by VXLAN between nodes")));
    }
}
