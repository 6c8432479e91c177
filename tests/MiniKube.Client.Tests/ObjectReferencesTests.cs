using k8s.Models;

namespace MiniKube.Client.Tests;

public class ObjectReferencesTests
{
    [Test]
    public void To_ListedObjectWithoutTypeMeta_TakesApiVersionAndKindFromTheModel()
    {
        var deployment = new V1Deployment { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "prod", Uid = "u1", ResourceVersion = "7" } };

        var reference = ObjectReferences.To(deployment);

        Assert.Multiple(() =>
        {
            Assert.That(reference.ApiVersion, Is.EqualTo("apps/v1"));
            Assert.That(reference.Kind, Is.EqualTo("Deployment"));
            Assert.That(reference.NamespaceProperty, Is.EqualTo("prod"));
            Assert.That(reference.Name, Is.EqualTo("web"));
            Assert.That(reference.Uid, Is.EqualTo("u1"));
            Assert.That(reference.ResourceVersion, Is.EqualTo("7"));
        });
    }

    [Test]
    public void To_CoreObject_HasNoGroupInItsApiVersion()
    {
        var claim = new V1PersistentVolumeClaim { Metadata = new V1ObjectMeta { Name = "data", NamespaceProperty = "default" } };

        var reference = ObjectReferences.To(claim);

        Assert.That((reference.ApiVersion, reference.Kind), Is.EqualTo(("v1", "PersistentVolumeClaim")));
    }
}
