using MiniKube.ApiServer.Http;

namespace MiniKube.ApiServer.Tests.Http;

public class FieldOwnersTests
{
    [TestCase("kubectl/v1.32.4 (linux/amd64) kubernetes/30b3c8c", "kubectl")]
    [TestCase("helm/v4.1.4", "helm")]
    [TestCase("kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/abc/system:serviceaccount:kube-system:x", "kube-controller-manager")]
    [TestCase("", "unknown")]
    [TestCase("a\u0001b/1", "ab")]
    public void FromUserAgent_TakesTheFirstPathSegmentAsUpstream(string userAgent, string expected)
    {
        Assert.That(FieldOwners.FromUserAgent(userAgent), Is.EqualTo(expected));
    }

    [Test]
    public void FromUserAgent_LongName_IsCutAt128()
    {
        Assert.That(FieldOwners.FromUserAgent(new string('x', 300)), Has.Length.EqualTo(128));
    }
}
