using System.Net;
using k8s.Models;
using MiniKube.Agent.Network;

namespace MiniKube.Agent.Tests.Network;

[TestFixture]
public sealed class FlannelAnnotationsTests
{
    [Test]
    public void For_Vxlan_WritesFlannelsKeysAndBackendData()
    {
        var annotations = FlannelAnnotations.For(OverlayBackend.Vxlan, IPAddress.Parse("192.168.5.1"), "aa:bb:cc:dd:ee:01");

        Assert.That(annotations, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["flannel.alpha.coreos.com/backend-type"] = "vxlan",
            ["flannel.alpha.coreos.com/backend-data"] = """{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:01"}""",
            ["flannel.alpha.coreos.com/public-ip"] = "192.168.5.1",
            ["flannel.alpha.coreos.com/kube-subnet-manager"] = "true",
        }));
    }

    [Test]
    public void PeerOf_PublishedVxlanNode_IsItsPodCidrPublicIpAndMac()
    {
        var node = Node("b", "10.42.1.0/24", FlannelAnnotations.For(OverlayBackend.Vxlan, IPAddress.Parse("192.168.5.2"), "AA:BB:CC:DD:EE:01"));

        var peer = FlannelAnnotations.PeerOf(node, OverlayBackend.Vxlan);

        Assert.That(peer, Is.EqualTo(new OverlayPeer("b", IPNetwork.Parse("10.42.1.0/24"), IPAddress.Parse("192.168.5.2"), "aa:bb:cc:dd:ee:01")));
    }

    [Test]
    public void PeerOf_HostGwNode_HasNoMac()
    {
        var node = Node("b", "10.42.1.0/24", FlannelAnnotations.For(OverlayBackend.HostGw, IPAddress.Parse("192.168.5.2"), null));

        Assert.That(FlannelAnnotations.PeerOf(node, OverlayBackend.HostGw), Is.EqualTo(new OverlayPeer("b", IPNetwork.Parse("10.42.1.0/24"), IPAddress.Parse("192.168.5.2"), null)));
    }

    [Test]
    public void PeerOf_NodeNotReachableThisWay_IsNull()
    {
        var vxlan = FlannelAnnotations.For(OverlayBackend.Vxlan, IPAddress.Parse("192.168.5.2"), "aa:bb:cc:dd:ee:01");
        var badMac = new Dictionary<string, string>(vxlan) { [FlannelAnnotations.BackendData] = """{"VNI":1,"VtepMAC":"nope"}""" };
        var badJson = new Dictionary<string, string>(vxlan) { [FlannelAnnotations.BackendData] = "{" };

        Assert.Multiple(() =>
        {
            Assert.That(FlannelAnnotations.PeerOf(Node("b", null, vxlan), OverlayBackend.Vxlan), Is.Null, "no podCIDR yet");
            Assert.That(FlannelAnnotations.PeerOf(Node("b", "10.42.1.0/24", new Dictionary<string, string>()), OverlayBackend.Vxlan), Is.Null, "nothing published");
            Assert.That(FlannelAnnotations.PeerOf(Node("b", "10.42.1.0/24", vxlan), OverlayBackend.HostGw), Is.Null, "another backend");
            Assert.That(FlannelAnnotations.PeerOf(Node("b", "10.42.1.0/24", badMac), OverlayBackend.Vxlan), Is.Null, "a MAC that is none");
            Assert.That(FlannelAnnotations.PeerOf(Node("b", "10.42.1.0/24", badJson), OverlayBackend.Vxlan), Is.Null, "backend-data that is not JSON");
        });
    }

    [Test]
    public void Carries_SameValues_TrueOtherwiseFalse()
    {
        var wanted = FlannelAnnotations.For(OverlayBackend.HostGw, IPAddress.Parse("192.168.5.2"), null);

        Assert.That(FlannelAnnotations.Carries(Node("b", null, new Dictionary<string, string>(wanted) { ["other"] = "x" }), wanted), Is.True);
        Assert.That(FlannelAnnotations.Carries(Node("b", null, new Dictionary<string, string>(wanted) { [FlannelAnnotations.PublicIp] = "192.168.5.9" }), wanted), Is.False);
        Assert.That(FlannelAnnotations.Carries(Node("b", null, null), wanted), Is.False);
    }

    internal static V1Node Node(string name, string? podCidr, IReadOnlyDictionary<string, string>? annotations) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Annotations = annotations?.ToDictionary() },
        Spec = new V1NodeSpec { PodCIDR = podCidr, PodCIDRs = podCidr is null ? null : [podCidr] },
    };
}
