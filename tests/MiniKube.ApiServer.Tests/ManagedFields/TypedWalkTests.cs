using k8s.Models;
using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Tests.Patching;

namespace MiniKube.ApiServer.Tests.ManagedFields;

public class TypedWalkTests
{
    private static readonly IFieldShape Deployment = ModelShapes.Instance.For(typeof(V1Deployment));

    [Test]
    public void ToFieldSet_Deployment_NamesWhatUpstreamNames()
    {
        var config = Json.Object("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
               "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80}]}],"tolerations":[{"key":"k"}]}}}}
            """);

        var set = TypedWalk.ToFieldSet(config, Deployment);

        Json.AssertEqual(set.ToFieldsV1(), """
            {"f:apiVersion":{},"f:kind":{},"f:metadata":{"f:labels":{"f:app":{}},"f:name":{}},
             "f:spec":{"f:replicas":{},"f:selector":{},
               "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},
                 "f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}},"f:tolerations":{}}}}}
            """);
    }

    [Test]
    public void Compare_NewMap_OwnsTheMapNodeAndItsLeaves()
    {
        var live = Json.Object("""{"metadata":{"name":"c"}}""");
        var updated = Json.Object("""{"metadata":{"name":"c"},"data":{"k":"v"}}""");

        var compare = TypedWalk.Compare(live, updated, ModelShapes.Instance.For(typeof(V1ConfigMap)));

        Json.AssertEqual(compare.Added.ToFieldsV1(), """{"f:data":{".":{},"f:k":{}}}""");
        Assert.That(compare.Modified.IsEmpty && compare.Removed.IsEmpty, Is.True);
    }

    [Test]
    public void Compare_ChangedAndRemovedLeaves_AreModifiedAndRemoved()
    {
        var compare = TypedWalk.Compare(Json.Object("""{"data":{"a":"1","b":"2"}}"""), Json.Object("""{"data":{"a":"9"}}"""), ModelShapes.Instance.For(typeof(V1ConfigMap)));

        Assert.That(FieldSetTests.Paths(compare.Modified), Is.EqualTo(new[] { ".data.a" }));
        Assert.That(FieldSetTests.Paths(compare.Removed), Is.EqualTo(new[] { ".data.b" }));
    }

    [Test]
    public void Merge_KeyedListsAndSets_MergeAsStructuredMergeDiff()
    {
        var live = Json.Object("""
            {"metadata":{"finalizers":["a","b"]},"spec":{"template":{"spec":{"containers":[{"name":"app","image":"1"},{"name":"side","image":"s"}],"tolerations":[{"key":"k1"}]}}}}
            """);
        var config = Json.Object("""
            {"metadata":{"finalizers":["c"]},"spec":{"template":{"spec":{"containers":[{"name":"app","image":"2"},{"name":"new","image":"n"}],"tolerations":[{"key":"k2"}]}}}}
            """);

        var merged = TypedWalk.Merge(live, config, Deployment);

        Json.AssertEqual(merged, """
            {"metadata":{"finalizers":["a","b","c"]},"spec":{"template":{"spec":{"containers":[{"name":"app","image":"2"},{"name":"side","image":"s"},{"name":"new","image":"n"}],"tolerations":[{"key":"k2"}]}}}}
            """);
    }

    [Test]
    public void ItemElement_MissingKeyWithoutDefault_Throws()
    {
        var containers = Deployment.Field("spec")!.Field("template")!.Field("spec")!.Field("containers")!;

        var error = Assert.Throws<FieldShapeException>(() => TypedWalk.ItemElement(Json.Object("""{"image":"x"}"""), containers, 0));

        Assert.That(error!.Message, Does.Contain("omits key field \"name\""));
    }

    [Test]
    public void ToFieldSet_WithoutSchema_MapsAreGranularAndListsAtomic()
    {
        var set = TypedWalk.ToFieldSet(Json.Object("""{"spec":{"a":{"b":1},"list":[1,2]}}"""), DeducedShape.Instance);

        Json.AssertEqual(set.ToFieldsV1(), """{"f:spec":{".":{},"f:a":{".":{},"f:b":{}},"f:list":{}}}""");
    }
}
