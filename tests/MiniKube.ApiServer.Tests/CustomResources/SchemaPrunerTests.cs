using MiniKube.ApiServer.CustomResources;
using static MiniKube.ApiServer.Tests.CustomResources.SchemaFixtures;

namespace MiniKube.ApiServer.Tests.CustomResources;

public class SchemaPrunerTests
{
    [Test]
    public void Prune_UnknownFields_AreRemovedAndReportedSorted()
    {
        var schema = Spec("""{"known":{"type":"string"},"list":{"type":"array","items":{"type":"object","properties":{"a":{"type":"string"}}}}}""");
        var obj = Json("""{"apiVersion":"x/v1","kind":"X","metadata":{"name":"n"},"spec":{"known":"k","foo":1,"list":[{"a":"1","b":2}]},"extra":true}""");

        var unknown = SchemaPruner.Prune(obj, schema);

        Assert.That(unknown, Is.EqualTo(new[] { "extra", "spec.foo", "spec.list[0].b" }));
        Assert.That(obj.ToJsonString(), Is.EqualTo("""{"apiVersion":"x/v1","kind":"X","metadata":{"name":"n"},"spec":{"known":"k","list":[{"a":"1"}]}}"""));
    }

    [Test]
    public void Prune_PreserveUnknownFields_KeepsUnknownButPrunesBelowSpecifiedProperties()
    {
        var schema = Spec("""{"config":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"typed":{"type":"object","properties":{"a":{"type":"string"}}}}}}""");
        var obj = Json("""{"spec":{"config":{"free":{"deep":[1,2]},"typed":{"a":"x","b":"y"}}}}""");

        var unknown = SchemaPruner.Prune(obj, schema);

        Assert.That(unknown, Is.EqualTo(new[] { "spec.config.typed.b" }));
        Assert.That(obj["spec"]!["config"]!.ToJsonString(), Is.EqualTo("""{"free":{"deep":[1,2]},"typed":{"a":"x"}}"""));
    }

    [Test]
    public void Prune_PreserveUnknownFieldsAtTheRoot_KeepsEverything()
    {
        var schema = ReadSchema("""{"type":"object","x-kubernetes-preserve-unknown-fields":true}""");
        var obj = Json("""{"spec":{"anything":1},"other":[{"x":1}]}""");

        Assert.That(SchemaPruner.Prune(obj, schema), Is.Empty);
        Assert.That(obj.ToJsonString(), Is.EqualTo("""{"spec":{"anything":1},"other":[{"x":1}]}"""));
    }

    [Test]
    public void Prune_EmbeddedResource_KeepsTypeMetaAndPrunesMetadataToObjectMeta()
    {
        var schema = Spec("""{"template":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}}}}}}""");
        var obj = Json("""{"spec":{"template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"},"bogus":1},"spec":{"a":"x","b":"y"},"junk":1}}}""");

        var unknown = SchemaPruner.Prune(obj, schema);

        Assert.That(unknown, Is.EqualTo(new[] { "spec.template.junk", "spec.template.metadata.bogus", "spec.template.spec.b" }));
        Assert.That(obj["spec"]!["template"]!.ToJsonString(),
            Is.EqualTo("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{"a":"x"}}"""));
    }

    [Test]
    public void Prune_EmbeddedResourceInAMapAndAList_ReportsFieldPaths()
    {
        var schema = Spec("""{"pods":{"type":"object","additionalProperties":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}}""");
        var obj = Json("""{"spec":{"pods":{"web":{"apiVersion":"v1","kind":"Pod","metadata":{"nope":true},"free":1}}}}""");

        var unknown = SchemaPruner.Prune(obj, schema);

        Assert.That(unknown, Is.EqualTo(new[] { "spec.pods[web].metadata.nope" }));
        Assert.That(obj["spec"]!["pods"]!["web"]!["free"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public void Prune_RootTypeMeta_IsNeverPrunedEvenIfUnspecified()
    {
        var schema = ReadSchema("""{"type":"object","properties":{"spec":{"type":"object"}}}""");
        var obj = Json("""{"apiVersion":"x/v1","kind":"X","metadata":{"name":"n","whatever":1}}""");

        Assert.That(SchemaPruner.Prune(obj, schema), Is.Empty);
        Assert.That(obj.ToJsonString(), Is.EqualTo("""{"apiVersion":"x/v1","kind":"X","metadata":{"name":"n","whatever":1}}"""));
    }

    [Test]
    public void Prune_NestedMetaFieldNames_AreOrdinaryFields()
    {
        var schema = Spec("""{"a":{"type":"string"}}""");
        var obj = Json("""{"spec":{"kind":"x","metadata":{}}}""");

        Assert.That(SchemaPruner.Prune(obj, schema), Is.EqualTo(new[] { "spec.kind", "spec.metadata" }));
    }

    [Test]
    public void Prune_AdditionalPropertiesTrue_KeepsKeysButPrunesTheirContent()
    {
        var schema = Spec("""{"m":{"type":"object","additionalProperties":true}}""");
        var obj = Json("""{"spec":{"m":{"a":"x","b":{"c":1}}}}""");

        Assert.That(SchemaPruner.Prune(obj, schema), Is.EqualTo(new[] { "spec.m.b.c" }));
        Assert.That(obj["spec"]!["m"]!.ToJsonString(), Is.EqualTo("""{"a":"x","b":{}}"""));
    }

    [Test]
    public void Prune_NonNullableNullWithoutDefault_IsDropped()
    {
        var schema = Spec("""{"a":{"type":"string"},"b":{"type":"string","nullable":true},"c":{"type":"string","default":"d"}}""");
        var obj = Json("""{"spec":{"a":null,"b":null,"c":null}}""");

        SchemaPruner.Prune(obj, schema);

        Assert.That(obj["spec"]!.ToJsonString(), Is.EqualTo("""{"b":null,"c":null}"""));
    }
}
