using System.Net;
using MiniKube.Agent.Network;

namespace MiniKube.Agent.Tests.Network;

[TestFixture]
public sealed class VxlanDeviceTests
{
    private const string Ours = "7: mkube.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/ether 6a:80:55:fa:7e:d5 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    vxlan id 1 local 192.168.5.1 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300 udpcsum\n";
    private static readonly IPAddress Local = IPAddress.Parse("192.168.5.1");
    private static readonly IPAddress Address = IPAddress.Parse("10.42.0.0");

    [Test]
    public async Task EnsureAsync_Missing_CreatesItAsFlannelDoesAndReturnsItsMac()
    {
        var commands = new FakeHostCommands()
            .Answer("ip -d -o link show", 1, error: "Device \"mkube.1\" does not exist.")
            .Answer("ip -o link show", 0, Ours);

        var mac = await new VxlanDevice(commands, "mkube.1").EnsureAsync(Local, Address, 1450, CancellationToken.None);

        Assert.That(mac, Is.EqualTo("6a:80:55:fa:7e:d5"));
        Assert.That(commands.Calls.Single(c => c.Line == "ip -batch -").Input, Is.EqualTo(
            "link add name mkube.1 type vxlan id 1 local 192.168.5.1 dstport 8472 nolearning\n"
            + "addr replace 10.42.0.0/32 dev mkube.1\n"
            + "link set dev mkube.1 mtu 1450 up\n"));
    }

    [Test]
    public async Task EnsureAsync_AlreadyRight_KeepsItAndDropsAnOldAddress()
    {
        var commands = new FakeHostCommands()
            .Answer("ip -d -o link show", 0, Ours)
            .Answer("ip -o -4 addr show", 0, "7: mkube.1    inet 10.42.3.0/32 scope global mkube.1\\       valid_lft forever preferred_lft forever\n")
            .Answer("ip -o link show", 0, Ours);

        await new VxlanDevice(commands, "mkube.1").EnsureAsync(Local, Address, 1450, CancellationToken.None);

        Assert.That(commands.Calls.Single(c => c.Line == "ip -batch -").Input, Is.EqualTo(
            "addr del 10.42.3.0/32 dev mkube.1\n"
            + "addr replace 10.42.0.0/32 dev mkube.1\n"
            + "link set dev mkube.1 mtu 1450 up\n"));
    }

    [Test]
    public async Task EnsureAsync_NodeIpChanged_MakesTheDeviceAgain()
    {
        var commands = new FakeHostCommands()
            .Answer("ip -d -o link show", 0, Ours)
            .Answer("ip -o link show", 0, Ours);

        await new VxlanDevice(commands, "mkube.1").EnsureAsync(IPAddress.Parse("192.168.5.7"), Address, 1450, CancellationToken.None);

        Assert.That(commands.Calls.Single(c => c.Line == "ip -batch -").Input, Does.StartWith(
            "link del dev mkube.1\nlink add name mkube.1 type vxlan id 1 local 192.168.5.7 dstport 8472 nolearning\n"));
    }

    [TestCase("vxlan id 2 local 192.168.5.1 dstport 8472 nolearning", false)]
    [TestCase("vxlan id 1 local 192.168.5.1 dstport 4789 nolearning", false)]
    [TestCase("vxlan id 1 local 192.168.5.1 dstport 8472", false)]
    [TestCase("bridge forward_delay 1500", false)]
    [TestCase("vxlan id 1 local 192.168.5.1 srcport 0 0 dstport 8472 nolearning ttl auto", true)]
    public void Matches_Details_OnlyOurVniPortLocalAndNoLearning(string details, bool expected) =>
        Assert.That(VxlanDevice.Matches("7: mkube.1: <UP> mtu 1450\\    link/ether 6a:80:55:fa:7e:d5 \\    " + details, Local), Is.EqualTo(expected));
}
