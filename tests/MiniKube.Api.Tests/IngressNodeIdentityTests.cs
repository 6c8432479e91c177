namespace MiniKube.Api.Tests;

/// <summary>Which users are a node's ingress data plane, and the names of its user and slice.</summary>
public sealed class IngressNodeIdentityTests
{
    [TestCase("system:mkube:ingress:edge-1", "system:mkube:ingress-nodes", true, "edge-1")]
    [TestCase("system:mkube:ingress:", "system:mkube:ingress-nodes", true, "")]
    [TestCase("system:mkube:ingress:edge-1", "system:nodes", false, "")]
    [TestCase("system:mkube:ingress", "system:mkube:ingress-nodes", false, "")]
    [TestCase("system:node:edge-1", "system:mkube:ingress-nodes", false, "")]
    public void IsIngressNode_NeedsThePrefixAndTheGroup(string user, string group, bool expected, string node)
    {
        var result = IngressNodeIdentity.IsIngressNode(user, [group, "system:authenticated"], out var name);

        Assert.That((result, name), Is.EqualTo((expected, node)));
    }

    [Test]
    public void Names_OfTheUserAndTheSlice() =>
        Assert.That((IngressNodeIdentity.UserName("edge-1"), IngressNodeIdentity.SliceName("edge-1")), Is.EqualTo(("system:mkube:ingress:edge-1", "mkube-ingress-edge-1")));
}
