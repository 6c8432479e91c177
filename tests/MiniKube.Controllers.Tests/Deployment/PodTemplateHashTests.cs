using k8s.Models;
using MiniKube.Controllers.Deployment;

namespace MiniKube.Controllers.Tests.Deployment;

public sealed class PodTemplateHashTests
{
    [Test]
    public void SafeEncode_Digits_UseUpstreamAlphabet() =>
        Assert.That(PodTemplateHash.SafeEncode("3718868910"), Is.EqualTo("7c5ddbdf54"));

    [Test]
    public void Compute_SameTemplateInAnyLabelOrder_SameHash()
    {
        var a = Template(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" });
        var b = Template(new Dictionary<string, string> { ["tier"] = "front", ["app"] = "web" });

        Assert.That(PodTemplateHash.Compute(a, null), Is.EqualTo(PodTemplateHash.Compute(b, null)).And.Match("^[bcdfghjklmnpqrstvwxz2456789]{1,10}$"));
    }

    [Test]
    public void Compute_CollisionCount_ChangesHash()
    {
        var t = Template(new Dictionary<string, string> { ["app"] = "web" });

        Assert.That(PodTemplateHash.Compute(t, 1), Is.Not.EqualTo(PodTemplateHash.Compute(t, null)));
    }

    [Test]
    public void EqualIgnoreHash_OnlyHashLabelDiffers_Equal()
    {
        var deployment = Template(new Dictionary<string, string> { ["app"] = "web" });
        var rs = Template(new Dictionary<string, string> { ["app"] = "web", [PodTemplateHash.Label] = "abc" });
        var other = Template(new Dictionary<string, string> { ["app"] = "web" });
        other.Spec.Containers[0].Image = "nginx:2";

        Assert.That(PodTemplateHash.EqualIgnoreHash(deployment, rs), Is.True);
        Assert.That(PodTemplateHash.EqualIgnoreHash(deployment, other), Is.False);
    }

    [TestCase("25%", "25%", 3, 1, 0)]
    [TestCase("25%", "25%", 10, 3, 2)]
    [TestCase("0", "0", 5, 0, 1)]
    [TestCase("2", "50%", 5, 2, 2)]
    public void Fenceposts_IntsAndPercents_RoundLikeUpstream(string surge, string unavailable, int replicas, int expectedSurge, int expectedUnavailable)
    {
        var d = new V1Deployment
        {
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Strategy = new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = surge, MaxUnavailable = unavailable } },
            },
        };

        Assert.That((RollingUpdateLimits.MaxSurge(d), RollingUpdateLimits.MaxUnavailable(d)), Is.EqualTo((expectedSurge, expectedUnavailable)));
    }

    private static V1PodTemplateSpec Template(Dictionary<string, string> labels) => new()
    {
        Metadata = new V1ObjectMeta { Labels = labels },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx:1" }] },
    };
}
