using k8s.Models;
using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Tests.Schema;

public class ModelSchemaTests
{
    [Test]
    public void For_Pod_DescribesContainersAsMergeListKeyedByName()
    {
        var pod = ModelSchema.For(typeof(V1Pod));
        var containers = pod.Properties["spec"].Schema.Properties["containers"];

        Assert.That(containers.Schema.Kind, Is.EqualTo(SchemaKind.Array));
        Assert.That(containers.MergeKey, Is.EqualTo("name"));
        var container = containers.Schema.Items!;
        Assert.That(container.Properties["ports"].Schema.Items!.Properties["containerPort"].Required, Is.True);
        Assert.That(container.Properties["ports"].Schema.Items!.Properties["hostPort"].Required, Is.False);
        Assert.That(container.Properties["ports"].Schema.Items!.Properties["containerPort"].Schema.Kind, Is.EqualTo(SchemaKind.Integer));
        Assert.That(container.Properties["resources"].Schema.Properties["limits"].Schema.Kind, Is.EqualTo(SchemaKind.Map));
        Assert.That(container.Properties["resources"].Schema.Properties["limits"].Schema.Items!.Kind, Is.EqualTo(SchemaKind.Quantity));
    }

    [Test]
    public void For_RecursiveTypes_Terminates()
    {
        var props = ModelSchema.For(typeof(V1JSONSchemaProps));
        Assert.That(props.Properties["properties"].Schema.Items, Is.SameAs(props));
    }

    [Test]
    public void For_MetadataTimes_AreTimes()
    {
        var meta = ModelSchema.For(typeof(V1ObjectMeta));
        Assert.That(meta.Properties["creationTimestamp"].Schema.Kind, Is.EqualTo(SchemaKind.Time));
        Assert.That(meta.Properties["labels"].Schema.Kind, Is.EqualTo(SchemaKind.Map));
        Assert.That(meta.Properties["finalizers"].MergeKey, Is.EqualTo(""));
        Assert.That(ModelSchema.For(typeof(V1ServicePort)).Properties["targetPort"].Schema.Kind, Is.EqualTo(SchemaKind.IntOrString));
    }
}
