using System.Net;
using MiniKube.Agent.Network;

namespace MiniKube.Agent.Tests.Network;

[TestFixture]
public sealed class NodeRoutesTests
{
    private const string Device = "mkube.1";
    private static readonly OverlayPeer B = new("b", IPNetwork.Parse("10.42.1.0/24"), IPAddress.Parse("192.168.5.2"), "aa:bb:cc:dd:ee:01");
    private static readonly OverlayPeer C = new("c", IPNetwork.Parse("10.42.2.0/24"), IPAddress.Parse("192.168.5.3"), "aa:bb:cc:dd:ee:02");

    private const string RoutesBAndC = "10.42.1.0/24 via 10.42.1.0 dev mkube.1 onlink \n10.42.2.0/24 via 10.42.2.0 dev mkube.1 onlink \n";
    private const string NeighboursBAndC = "10.42.1.0 lladdr aa:bb:cc:dd:ee:01 PERMANENT \n10.42.2.0 lladdr aa:bb:cc:dd:ee:02 PERMANENT \n";
    private const string FdbBAndC = "aa:bb:cc:dd:ee:01 dst 192.168.5.2 self permanent\naa:bb:cc:dd:ee:02 dst 192.168.5.3 self permanent\n";

    [Test]
    public void Plan_VxlanNothingThere_AddsNeighbourFdbAndRouteForEachPeer()
    {
        var plan = NodeRoutes.Plan(OverlayBackend.Vxlan, Device, [B, C], Empty());

        Assert.That(plan.Remove, Is.Empty);
        Assert.That(plan.Fdb, Is.EqualTo(new[]
        {
            "fdb replace aa:bb:cc:dd:ee:01 dev mkube.1 dst 192.168.5.2 self permanent",
            "fdb replace aa:bb:cc:dd:ee:02 dev mkube.1 dst 192.168.5.3 self permanent",
        }));
        Assert.That(plan.Add, Is.EqualTo(new[]
        {
            "neigh replace 10.42.1.0 lladdr aa:bb:cc:dd:ee:01 dev mkube.1 nud permanent",
            "neigh replace 10.42.2.0 lladdr aa:bb:cc:dd:ee:02 dev mkube.1 nud permanent",
            "route replace 10.42.1.0/24 via 10.42.1.0 dev mkube.1 onlink proto 77",
            "route replace 10.42.2.0/24 via 10.42.2.0 dev mkube.1 onlink proto 77",
        }));
    }

    [Test]
    public void Plan_VxlanAllInPlace_ChangesNothing()
    {
        var plan = NodeRoutes.Plan(OverlayBackend.Vxlan, Device, [B, C], Present(RoutesBAndC, NeighboursBAndC, FdbBAndC));

        Assert.That(plan.Remove.Concat(plan.Fdb).Concat(plan.Add), Is.Empty);
    }

    [Test]
    public void Plan_VxlanPeerLeft_RemovesItsRouteNeighbourAndFdbEntryOnly()
    {
        var plan = NodeRoutes.Plan(OverlayBackend.Vxlan, Device, [B], Present(RoutesBAndC, NeighboursBAndC, FdbBAndC));

        Assert.That(plan.Remove, Is.EqualTo(new[] { "route del 10.42.2.0/24 proto 77", "neigh del 10.42.2.0 dev mkube.1" }));
        Assert.That(plan.Fdb, Is.EqualTo(new[] { "fdb del aa:bb:cc:dd:ee:02 dev mkube.1 dst 192.168.5.3 self" }));
        Assert.That(plan.Add, Is.Empty);
    }

    [Test]
    public void Plan_VxlanPeerRecreatedItsDevice_ReplacesNeighbourAndFdbWithTheNewMac()
    {
        var plan = NodeRoutes.Plan(OverlayBackend.Vxlan, Device, [B with { VtepMac = "aa:bb:cc:dd:ee:09" }], Present(RoutesBAndC[..RoutesBAndC.IndexOf('\n')], NeighboursBAndC[..NeighboursBAndC.IndexOf('\n')], FdbBAndC[..FdbBAndC.IndexOf('\n')]));

        Assert.That(plan.Fdb, Is.EqualTo(new[]
        {
            "fdb del aa:bb:cc:dd:ee:01 dev mkube.1 dst 192.168.5.2 self",
            "fdb replace aa:bb:cc:dd:ee:09 dev mkube.1 dst 192.168.5.2 self permanent",
        }));
        Assert.That(plan.Add, Is.EqualTo(new[] { "neigh replace 10.42.1.0 lladdr aa:bb:cc:dd:ee:09 dev mkube.1 nud permanent" }));
    }

    [Test]
    public void Plan_HostGw_RoutesViaThePublicIpAndReplacesVxlanRoutes()
    {
        var plan = NodeRoutes.Plan(OverlayBackend.HostGw, Device, [B], Present("10.42.1.0/24 via 10.42.1.0 dev mkube.1 onlink \n10.42.7.0/24 via 192.168.5.9 dev lan0 \n", "", ""));

        Assert.That(plan.Remove, Is.EqualTo(new[] { "route del 10.42.7.0/24 proto 77" }));
        Assert.That(plan.Fdb, Is.Empty);
        Assert.That(plan.Add, Is.EqualTo(new[] { "route replace 10.42.1.0/24 via 192.168.5.2 proto 77" }));
    }

    [Test]
    public void Plan_HostGwRouteInPlaceOnAnyDevice_ChangesNothing()
    {
        var plan = NodeRoutes.Plan(OverlayBackend.HostGw, Device, [B], Present("10.42.1.0/24 via 192.168.5.2 dev lan0 \n", "", ""));

        Assert.That(plan.Remove.Concat(plan.Fdb).Concat(plan.Add), Is.Empty);
    }

    [Test]
    public void Plan_None_RemovesEverythingOfOurs()
    {
        var plan = NodeRoutes.Plan(OverlayBackend.None, Device, [B, C], Present(RoutesBAndC, NeighboursBAndC, FdbBAndC));

        Assert.That(plan.Remove, Has.Count.EqualTo(4));
        Assert.That(plan.Fdb, Has.Count.EqualTo(2).And.All.StartWith("fdb del "));
        Assert.That(plan.Add, Is.Empty);
    }

    [Test]
    public async Task ReconcileAsync_OwnPodCidrAmongPeers_IsSkippedAndOnlyOurRoutesAreRead()
    {
        var commands = new FakeHostCommands();

        await new NodeRoutes(commands, OverlayBackend.Vxlan, Device).ReconcileAsync([B, C], IPNetwork.Parse("10.42.2.0/24"), CancellationToken.None);

        Assert.That(commands.Lines, Does.Contain("ip -4 route show proto 77"));
        var inputs = string.Concat(commands.Calls.Select(c => c.Input));
        Assert.That(inputs, Does.Contain("10.42.1.0/24").And.Not.Contain("10.42.2.0"));
    }

    [Test]
    public async Task ReconcileAsync_TwiceAgainstWhatTheFirstMade_RunsNoChange()
    {
        var commands = new FakeHostCommands()
            .Answer("ip -4 route show", 0, RoutesBAndC)
            .Answer("ip -4 neigh show", 0, NeighboursBAndC)
            .Answer("bridge fdb show", 0, FdbBAndC);

        await new NodeRoutes(commands, OverlayBackend.Vxlan, Device).ReconcileAsync([B, C], null, CancellationToken.None);

        Assert.That(commands.Lines.Where(l => l.Contains("-batch", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task ReconcileAsync_DeviceMissing_ReadsNoNeighboursAndStillRoutes()
    {
        var commands = new FakeHostCommands()
            .Answer("ip -4 neigh show", 1, error: "Cannot find device \"mkube.1\"")
            .Answer("bridge fdb show", 1, error: "Cannot find device \"mkube.1\"");

        await new NodeRoutes(commands, OverlayBackend.HostGw, Device).ReconcileAsync([B], null, CancellationToken.None);

        Assert.That(commands.Calls.Last().Input, Is.EqualTo("route replace 10.42.1.0/24 via 192.168.5.2 proto 77\n"));
    }

    [Test]
    public void ParseRoutes_HostRouteWithoutPrefix_IsASlash32()
    {
        var routes = NodeRoutes.ParseRoutes("10.42.9.1 via 192.168.5.9 dev lan0 \n");

        Assert.That(routes.Keys, Is.EqualTo(new[] { "10.42.9.1/32" }));
    }

    private static NodeRoutes.PresentState Empty() => Present("", "", "");

    private static NodeRoutes.PresentState Present(string routes, string neighbours, string fdb) =>
        new(NodeRoutes.ParseRoutes(routes), NodeRoutes.ParseNeighbours(neighbours), NodeRoutes.ParseFdb(fdb));
}
