using MiniKube.Addons.Ingress;
using static MiniKube.Addons.Tests.Ingress.IngressObjects;

namespace MiniKube.Addons.Tests.Ingress;

public sealed class TlsCertificatesTests
{
    [Test]
    public void Select_ExactThenOneLabelWildcardThenDefault()
    {
        var certificates = new TlsCertificates(TimeProvider.System);
        var exact = TlsSecret("default", "exact", "a.test");
        var wildcard = TlsSecret("default", "wild", "*.b.test");
        var rejected = new List<string>();
        certificates.Rejected += (name, _) => rejected.Add(name);
        var broken = TlsSecret("default", "broken", "c.test");
        broken.Data.Remove("tls.key");

        certificates.Update([new TlsEntry(["a.test"], exact), new TlsEntry(["*.b.test"], wildcard), new TlsEntry(["c.test"], broken)]);

        Assert.Multiple(() =>
        {
            Assert.That(certificates.Select("a.test").Subject, Is.EqualTo("CN=a.test"));
            Assert.That(certificates.Select("x.b.test").Subject, Is.EqualTo("CN=*.b.test"));
            Assert.That(certificates.Select("y.x.b.test"), Is.SameAs(certificates.Default));
            Assert.That(certificates.Select("c.test"), Is.SameAs(certificates.Default));
            Assert.That(certificates.Select(null), Is.SameAs(certificates.Default));
            Assert.That(rejected, Is.EqualTo(new[] { "default/broken" }));
        });
    }
}
