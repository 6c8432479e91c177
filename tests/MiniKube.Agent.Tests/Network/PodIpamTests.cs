using System.Net;
using MiniKube.Agent.Network;

namespace MiniKube.Agent.Tests.Network;

/// <summary>Allocation, persistence and release of pod addresses; each test has a directory of its own.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class PodIpamTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mkube-ipam-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private PodIpam NewIpam(string cidr = "10.42.3.0/24") => new(Path.Combine(_directory, "mkube"), IPNetwork.Parse(cidr));

    [Test]
    public void Allocate_FreshRange_SkipsNetworkAndGatewayAndWritesOneFilePerAddress()
    {
        var ipam = NewIpam();

        var first = ipam.Allocate("sandbox-a");
        var second = ipam.Allocate("sandbox-b");

        Assert.That(ipam.Gateway, Is.EqualTo(IPAddress.Parse("10.42.3.1")));
        Assert.That(first, Is.EqualTo(IPAddress.Parse("10.42.3.2")));
        Assert.That(second, Is.EqualTo(IPAddress.Parse("10.42.3.3")));
        Assert.That(File.ReadAllText(Path.Combine(ipam.Directory, "10.42.3.2")), Is.EqualTo("sandbox-a"));
        Assert.That(File.ReadAllText(Path.Combine(ipam.Directory, "last_reserved_ip")), Is.EqualTo("10.42.3.3"));
    }

    [Test]
    public void Allocate_SameOwnerTwice_ReturnsItsAddress()
    {
        var ipam = NewIpam();

        var first = ipam.Allocate("sandbox-a");

        Assert.That(ipam.Allocate("sandbox-a"), Is.EqualTo(first));
        Assert.That(ipam.Allocations, Has.Count.EqualTo(1));
    }

    [Test]
    public void NewInstance_SameDirectory_KeepsAllocationsAndNeverHandsOneOutTwice()
    {
        var before = NewIpam();
        var a = before.Allocate("sandbox-a");
        var b = before.Allocate("sandbox-b");
        before.Release("sandbox-a");

        var after = NewIpam();
        var c = after.Allocate("sandbox-c");

        Assert.That(after.AddressOf("sandbox-b"), Is.EqualTo(b), "a restart keeps addresses");
        Assert.That(after.AddressOf("sandbox-a"), Is.Null);
        Assert.That(c, Is.Not.EqualTo(b));
        Assert.That(c, Is.Not.EqualTo(a), "round the range from the last reserved, not the address just released");
        Assert.That(c, Is.EqualTo(IPAddress.Parse("10.42.3.4")));
    }

    [Test]
    public void Release_Owner_FreesItsAddressAndFile()
    {
        var ipam = NewIpam();
        var address = ipam.Allocate("sandbox-a");

        Assert.That(ipam.Release("sandbox-a"), Is.True);
        Assert.That(ipam.Release("sandbox-a"), Is.False, "a second release finds nothing");
        Assert.That(File.Exists(Path.Combine(ipam.Directory, address.ToString())), Is.False);
        Assert.That(ipam.AddressOf("sandbox-a"), Is.Null);
    }

    [Test]
    public void Allocate_AfterWrapping_ReusesReleasedAddresses()
    {
        var ipam = NewIpam("10.42.3.0/29"); // .2 to .6 for pods
        foreach (var owner in new[] { "a", "b", "c", "d", "e" })
        {
            ipam.Allocate(owner);
        }
        ipam.Release("b");

        Assert.That(ipam.Allocate("f"), Is.EqualTo(IPAddress.Parse("10.42.3.3")));
    }

    [Test]
    public void Allocate_RangeExhausted_ThrowsNamingTheRange()
    {
        var ipam = NewIpam("10.42.3.0/30"); // only .2

        ipam.Allocate("a");

        Assert.That(() => ipam.Allocate("b"), Throws.TypeOf<PodAddressesExhaustedException>()
            .With.Message.EqualTo("no IP addresses available in range set: 10.42.3.2-10.42.3.2"));
    }

    [Test]
    public void Allocate_AddressFileLeftByAnotherWriter_IsSkipped()
    {
        var ipam = NewIpam();
        File.WriteAllText(Path.Combine(ipam.Directory, "10.42.3.2"), "someone-else");

        Assert.That(ipam.Allocate("sandbox-a"), Is.EqualTo(IPAddress.Parse("10.42.3.3")));
    }

    [Test]
    public void CollectLeaked_OwnersNotLive_AreReleased()
    {
        var ipam = NewIpam();
        ipam.Allocate("live");
        var leaked = ipam.Allocate("gone");

        var candidates = ipam.Allocations.Keys.ToList();
        var madeAfterTheSnapshot = ipam.Allocate("new");

        var released = ipam.CollectLeaked(candidates, new HashSet<string> { "live" });

        Assert.That(released, Is.EqualTo(new[] { ("gone", leaked) }));
        Assert.That(ipam.Allocations.Keys, Is.EquivalentTo(new[] { "live", "new" }), "an allocation newer than the snapshot is not a leak");
        Assert.That(NewIpam().AddressOf("gone"), Is.Null, "the file went too");
        Assert.That(ipam.AddressOf("new"), Is.EqualTo(madeAfterTheSnapshot));
    }
}
