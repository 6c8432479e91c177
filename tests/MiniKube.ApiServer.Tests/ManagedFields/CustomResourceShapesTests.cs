using System.Text.Json.Nodes;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Tests.Patching;

namespace MiniKube.ApiServer.Tests.ManagedFields;

/// <summary>Server-side apply on custom resources, with shapes from the CRD's structural schema.</summary>
public class CustomResourceShapesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 0, 4, 35, TimeSpan.Zero);

    private static readonly JsonObject Crd = Json.Object("""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"widgets.example.com","uid":"c1","resourceVersion":"1"},
         "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","kind":"Widget"},
          "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":
           {"type":"object","properties":{
             "spec":{"type":"object","properties":{
               "size":{"type":"integer"},
               "port":{"x-kubernetes-int-or-string":true},
               "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                        "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"value":{"type":"string"}}}},
               "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["port","protocol"],
                        "items":{"type":"object","required":["port"],"properties":{"port":{"type":"integer"},"protocol":{"type":"string","default":"TCP"}}}},
               "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
               "args":{"type":"array","items":{"type":"string"}},
               "labels":{"type":"object","additionalProperties":{"type":"string"}},
               "selector":{"type":"object","x-kubernetes-map-type":"atomic","additionalProperties":{"type":"string"}},
               "config":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
               "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}},
             "status":{"type":"object","properties":{"ready":{"type":"boolean"}}}}}}}]}}
        """);

    private static readonly IFieldShape Widget = CustomResourceShapes.For(Crd, "v1");

    private static FieldOwner Applier(string manager) => new(manager, ManagerEntry.Apply, "example.com/v1", null, Now);

    private static FieldOwner Updater(string manager) => new(manager, ManagerEntry.Update, "example.com/v1", null, Now);

    private static JsonObject Object(string spec) =>
        Json.Object($$"""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","namespace":"default"},"spec":{{spec}} }""");

    private static JsonNode? FieldsOf(JsonObject obj, string manager) =>
        obj["metadata"]!["managedFields"]!.AsArray().Single(e => (string?)e!["manager"] == manager)!["fieldsV1"];

    [Test]
    public void Apply_KeyedAndSetLists_OwnItemsByKeyAndValue()
    {
        var result = FieldManager.Apply(null, Object("""
            {"items":[{"name":"a","value":"1"},{"name":"b"}],"tags":["x","y"],"args":["--v"],"ports":[{"port":80}]}
            """), Applier("kubectl"), false, Widget);

        Json.AssertEqual(FieldsOf(result, "kubectl"), """
            {"f:spec":{"f:args":{},
                       "f:items":{"k:{\"name\":\"a\"}":{".":{},"f:name":{},"f:value":{}},"k:{\"name\":\"b\"}":{".":{},"f:name":{}}},
                       "f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{}}},
                       "f:tags":{"v:\"x\"":{},"v:\"y\"":{}}}}
            """);
    }

    [Test]
    public void Update_Create_OwnsTheNodesItCreated_SpecIsNotAlwaysPresent()
    {
        var created = Object("""{"items":[{"name":"a","value":"1"}],"tags":["x"],"labels":{"k":"v"},"selector":{"app":"w"},"port":8080}""");

        FieldManager.Update(null, created, Updater("kubectl-create"), Widget);

        Json.AssertEqual(FieldsOf(created, "kubectl-create"), """
            {"f:spec":{".":{},
                       "f:items":{".":{},"k:{\"name\":\"a\"}":{".":{},"f:name":{},"f:value":{}}},
                       "f:labels":{".":{},"f:k":{}},
                       "f:port":{},
                       "f:selector":{},
                       "f:tags":{".":{},"v:\"x\"":{}}}}
            """);
    }

    [Test]
    public void Apply_TwoManagers_MergeKeyedListItems_AndConflictOnAnItemField()
    {
        var live = FieldManager.Apply(null, Object("""{"items":[{"name":"a","value":"1"}]}"""), Applier("one"), false, Widget);
        live = FieldManager.Apply(live, Object("""{"items":[{"name":"b","value":"2"}]}"""), Applier("two"), false, Widget);

        Json.AssertEqual(live["spec"]!["items"], """[{"name":"a","value":"1"},{"name":"b","value":"2"}]""");
        var error = Assert.Throws<ApiException>(() =>
            FieldManager.Apply((JsonObject)live.DeepClone(), Object("""{"items":[{"name":"a","value":"9"}]}"""), Applier("two"), false, Widget));
        Assert.That(error!.Message, Is.EqualTo("Apply failed with 1 conflict: conflict with \"one\": .spec.items[name=\"a\"].value"));
    }

    [Test]
    public void Apply_SetListValues_AreMergedBetweenManagers_AtomicListsReplaced()
    {
        var live = FieldManager.Apply(null, Object("""{"tags":["x"],"args":["a"]}"""), Applier("one"), false, Widget);

        var merged = FieldManager.Apply(live, Object("""{"tags":["y"],"args":["b"]}"""), Applier("two"), true, Widget);

        Json.AssertEqual(merged["spec"]!["tags"], """["x","y"]""");
        Json.AssertEqual(merged["spec"]!["args"], """["b"]""");
    }

    // Fields the schema does not name (preserved, deduced) own their own node too, as
    // structured-merge-diff's tofieldset.go inserts every undeclared field it visits.
    [Test]
    public void Apply_PreservedAndEmbeddedFields_AreGranular()
    {
        var result = FieldManager.Apply(null, Object("""
            {"config":{"a":{"b":1},"c":[1]},
             "template":{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"app":"w"}},"spec":{"x":1}}}
            """), Applier("kubectl"), false, Widget);

        Json.AssertEqual(FieldsOf(result, "kubectl"), """
            {"f:spec":{"f:config":{"f:a":{".":{},"f:b":{}},"f:c":{}},
                       "f:template":{"f:apiVersion":{},"f:kind":{},"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{".":{},"f:x":{}}}}}
            """);
    }

    [Test]
    public void For_CachesPerCrdVersion_AndWithoutSchemaIsDeducedBelowTheRoot()
    {
        Assert.That(CustomResourceShapes.For(Crd, "v1"), Is.SameAs(Widget));
        var root = CustomResourceShapes.ForSchema(null);

        Assert.That(root.Kind, Is.EqualTo(ShapeKind.Struct));
        Assert.That(root.Field("spec"), Is.Null);
        Assert.That(root.Field("metadata")!.Kind, Is.EqualTo(ShapeKind.Struct));
        Assert.That(root.SpecAndStatusAlwaysPresent, Is.False);
    }
}
