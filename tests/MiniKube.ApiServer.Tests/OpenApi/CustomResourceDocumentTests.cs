using System.Diagnostics;
using System.Text.Json.Nodes;
using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.OpenApi;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Tests.Patching;

namespace MiniKube.ApiServer.Tests.OpenApi;

/// <summary>OpenAPI v3 documents of custom group-versions, shaped as apiextensions-apiserver's builder.go.</summary>
public class CustomResourceDocumentTests
{
    private static OpenApiDocuments Documents() => new(ResourceCatalog.All, "v1.32.0", () => ModelDescriptions.Empty);

    private static JsonObject Document(OpenApiDocuments documents, string path)
    {
        Assert.That(documents.TryGetDocument(path, out var json, out _), Is.True, path);
        return JsonNode.Parse(json.Span)!.AsObject();
    }

    private static JsonObject Published(params JsonObject[] crds)
    {
        var documents = Documents();
        documents.SetCustomResources(crds);
        return Document(documents, "apis/example.com/v1");
    }

    [Test]
    public void SetCustomResources_PublishesServedVersions_InTheIndex()
    {
        var documents = Documents();
        var before = documents.IndexETag;

        documents.SetCustomResources([CustomResourceFixtures.Widgets()]);

        var index = JsonNode.Parse(documents.Index.Span)!["paths"]!.AsObject();
        Assert.That(index.ContainsKey("apis/example.com/v1"), Is.True);
        Assert.That(index.ContainsKey("apis/example.com/v2"), Is.False, "v2 is not served");
        Assert.That(documents.IndexETag, Is.Not.EqualTo(before));
        Assert.That(documents.TryGetDocument("/openapi/v3/apis/example.com/v1?hash=x", out _, out var etag), Is.True);
        Assert.That((string?)index["apis/example.com/v1"]!["serverRelativeURL"], Is.EqualTo($"/openapi/v3/apis/example.com/v1?hash={etag.Trim('"')}"));
    }

    [Test]
    public void SetCustomResources_UnchangedDocumentsKeepTheirHash_ChangedOnesGetANewOne()
    {
        var documents = Documents();
        documents.TryGetDocument("api/v1", out var core, out var coreETag);
        documents.SetCustomResources([CustomResourceFixtures.Widgets()]);
        documents.TryGetDocument("apis/example.com/v1", out _, out var first);

        documents.SetCustomResources([CustomResourceFixtures.Widgets()]);
        documents.TryGetDocument("apis/example.com/v1", out _, out var same);
        documents.SetCustomResources([CustomResourceFixtures.Widgets(resourceVersion: "2", description: "Parts.")]);
        documents.TryGetDocument("apis/example.com/v1", out _, out var changed);
        documents.TryGetDocument("api/v1", out var coreAfter, out var coreETagAfter);

        Assert.That(same, Is.EqualTo(first));
        Assert.That(changed, Is.Not.EqualTo(first));
        Assert.That(coreETagAfter, Is.EqualTo(coreETag));
        Assert.That(coreAfter.Span.SequenceEqual(core.Span), Is.True);

        documents.SetCustomResources([]);
        Assert.That(documents.TryGetDocument("apis/example.com/v1", out _, out _), Is.False);
    }

    [Test]
    public void SetCustomResources_NotEstablished_IsLeftOut()
    {
        var crd = CustomResourceFixtures.Widgets();
        crd["status"]!["conditions"]![0]!["status"] = "False";
        var documents = Documents();

        documents.SetCustomResources([crd]);

        Assert.That(documents.TryGetDocument("apis/example.com/v1", out _, out _), Is.False);
    }

    [Test]
    public void KindSchema_IsTheStructuralSchemaWithTypeMetaAndExtensions()
    {
        var widget = Published(CustomResourceFixtures.Widgets())["components"]!["schemas"]!["com.example.v1.Widget"]!;

        Json.AssertEqual(widget["x-kubernetes-group-version-kind"], """[{"group":"example.com","kind":"Widget","version":"v1"}]""");
        Json.AssertEqual(widget["x-kubernetes-selectable-fields"], """[{"fieldPath":"spec.color"}]""");
        Assert.That((string?)widget["description"], Is.EqualTo("A Widget is a test widget."));
        Json.AssertEqual(widget["properties"]!["apiVersion"], """{"type":"string"}""");
        Json.AssertEqual(widget["properties"]!["metadata"], """{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}""");
        var spec = widget["properties"]!["spec"]!;
        Json.AssertEqual(spec["required"], """["size"]""");
        Json.AssertEqual(spec["properties"]!["size"], """{"description":"How many parts the widget has.","minimum":1,"type":"integer"}""");
        Json.AssertEqual(spec["properties"]!["color"], """{"default":"red","enum":["red","blue"],"type":"string"}""");
        Json.AssertEqual(spec["properties"]!["port"], """
            {"anyOf":[{"type":"integer"},{"type":"string"}],"description":"A port by number or name.","x-kubernetes-int-or-string":true}
            """);
        Json.AssertEqual(spec["properties"]!["extra"], """{"type":"object","x-kubernetes-preserve-unknown-fields":true}""");
        Json.AssertEqual(spec["properties"]!["template"], """
            {"properties":{"apiVersion":{"type":"string"},"kind":{"type":"string"},
                           "metadata":{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}},
             "required":["kind","apiVersion"],"type":"object",
             "x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}
            """);
        Assert.That((string?)spec["properties"]!["parts"]!["x-kubernetes-list-type"], Is.EqualTo("map"));
        Json.AssertEqual(spec["properties"]!["parts"]!["x-kubernetes-list-map-keys"], """["name"]""");
        Json.AssertEqual(spec["properties"]!["rules"]!["x-kubernetes-validations"], """[{"rule":"self.size() < 10","message":"short"}]""");
        Assert.That(widget.AsObject().Select(p => p.Key), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal), "sorted keys");
    }

    [Test]
    public void ListSchema_ReferencesTheKind_WithTheListKind()
    {
        var schemas = Published(CustomResourceFixtures.Widgets(), CustomResourceFixtures.Gadgets())["components"]!["schemas"]!.AsObject();

        Json.AssertEqual(schemas["com.example.v1.WidgetList"]!["x-kubernetes-group-version-kind"], """[{"group":"example.com","kind":"WidgetList","version":"v1"}]""");
        Json.AssertEqual(schemas["com.example.v1.WidgetList"]!["properties"]!["items"]!["items"], """{"$ref":"#/components/schemas/com.example.v1.Widget"}""");
        Json.AssertEqual(schemas["com.example.v1.WidgetList"]!["required"], """["items"]""");
        Assert.That(schemas.ContainsKey("com.example.v1.GadgetCollection"), Is.True);
        Assert.That(schemas.ContainsKey("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"), Is.True);
        Assert.That(schemas.ContainsKey("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"), Is.True);
        Assert.That(schemas.ContainsKey("io.k8s.api.autoscaling.v1.Scale"), Is.True);
        // A preserve-unknown-fields root keeps its type meta, so explain and validation see the kind.
        Json.AssertEqual(schemas["com.example.v1.Gadget"]!["properties"]!["kind"], """{"type":"string"}""");
    }

    [Test]
    public void Paths_NamespacedWithStatusAndScale_AsUpstream()
    {
        var paths = Published(CustomResourceFixtures.Widgets(), CustomResourceFixtures.Gadgets())["paths"]!.AsObject();

        Assert.That(paths.Select(p => p.Key), Is.EqualTo(new[]
        {
            "/apis/example.com/v1/gadgets",
            "/apis/example.com/v1/gadgets/{name}",
            "/apis/example.com/v1/namespaces/{namespace}/widgets",
            "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}",
            "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/scale",
            "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status",
            "/apis/example.com/v1/widgets",
        }));
        var item = paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"]!;
        Assert.That(item.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "parameters", "get", "put", "patch", "delete" }));
        var patch = item["patch"]!;
        Assert.That((string?)patch["operationId"], Is.EqualTo("patchExampleComV1NamespacedWidget"));
        Assert.That((string?)patch["description"], Is.EqualTo("partially update the specified Widget"));
        Json.AssertEqual(patch["tags"], """["exampleCom_v1"]""");
        Json.AssertEqual(patch["x-kubernetes-group-version-kind"], """{"group":"example.com","kind":"Widget","version":"v1"}""");
        Assert.That(patch["requestBody"]!["content"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[]
        {
            "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
        }));
        Assert.That(patch["parameters"]!.AsArray().Select(p => (string?)p!["name"]), Does.Contain("fieldValidation").And.Contain("force"));

        var collection = paths["/apis/example.com/v1/namespaces/{namespace}/widgets"]!;
        Assert.That((string?)collection["post"]!["operationId"], Is.EqualTo("createExampleComV1NamespacedWidget"));
        Assert.That((string?)collection["post"]!["description"], Is.EqualTo("create a Widget"));
        Assert.That((string?)collection["delete"]!["operationId"], Is.EqualTo("deleteExampleComV1CollectionNamespacedWidget"));
        Assert.That((string?)collection["get"]!["x-kubernetes-action"], Is.EqualTo("list"));
        Assert.That((string?)paths["/apis/example.com/v1/widgets"]!["get"]!["operationId"], Is.EqualTo("listExampleComV1WidgetForAllNamespaces"));
        var scale = paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/scale"]!;
        Assert.That((string?)scale["put"]!["operationId"], Is.EqualTo("replaceExampleComV1NamespacedWidgetScale"));
        Assert.That((string?)scale["get"]!["description"], Is.EqualTo("read scale of the specified Widget"));
        Json.AssertEqual(scale["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"], """{"$ref":"#/components/schemas/io.k8s.api.autoscaling.v1.Scale"}""");
        Assert.That((string?)paths["/apis/example.com/v1/gadgets/{name}"]!["get"]!["operationId"], Is.EqualTo("readExampleComV1Gadget"));
    }

    [Test]
    public void SetCustomResources_BuiltInGroupVersion_KeepsTheBuiltInDocument()
    {
        var crd = CustomResourceFixtures.Gadgets();
        crd["spec"]!["group"] = "apps";
        var documents = Documents();
        documents.TryGetDocument("apis/apps/v1", out _, out var before);

        documents.SetCustomResources([crd]);

        documents.TryGetDocument("apis/apps/v1", out _, out var after);
        Assert.That(after, Is.EqualTo(before));
    }

    [Test]
    public void LargeCrd_PublishedWithItsFieldShapes_WellUnderASecond()
    {
        // A 1 MB schema of deep objects with descriptions, patterns, enums, int-or-string and list
        // maps. Processor time after a warm-up, because the test machine is shared.
        var crd = LargeCrd();
        Assert.That(crd.ToJsonString().Length, Is.GreaterThan(1_000_000));
        Publish(crd, "1");

        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var documents = Publish(crd, "2");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - before;

        Assert.That(documents.TryGetDocument("apis/example.com/v1", out var json, out _), Is.True);
        Assert.That(json.Length, Is.GreaterThan(1_000_000));
        Assert.That(cpu, Is.LessThan(TimeSpan.FromSeconds(1)), "a 1 MB CRD's document and shapes must be ready in well under a second");
    }

    private static OpenApiDocuments Publish(JsonObject crd, string resourceVersion)
    {
        crd["metadata"]!["resourceVersion"] = resourceVersion;
        var documents = Documents();
        documents.SetCustomResources([crd]);
        Assert.That(CustomResourceShapes.For(crd, "v1").Field("spec")!.Kind, Is.EqualTo(ShapeKind.Struct));
        return documents;
    }

    // Breadth 6, depth 5: 1,555 object levels.
    private static JsonObject LargeCrd()
    {
        JsonObject Level(int depth)
        {
            var properties = new JsonObject
            {
                ["name"] = new JsonObject { ["type"] = "string", ["description"] = new string('d', 300), ["pattern"] = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
                ["mode"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("Always", "Never"), ["default"] = "Always" },
                ["port"] = new JsonObject { ["x-kubernetes-int-or-string"] = true },
                ["env"] = new JsonObject
                {
                    ["type"] = "array", ["x-kubernetes-list-type"] = "map", ["x-kubernetes-list-map-keys"] = new JsonArray("name"),
                    ["items"] = new JsonObject { ["type"] = "object", ["required"] = new JsonArray("name"), ["properties"] = new JsonObject { ["name"] = new JsonObject { ["type"] = "string" } } },
                },
            };
            for (var i = 0; depth < 4 && i < 6; i++)
            {
                properties["child" + i] = Level(depth + 1);
            }
            return new JsonObject { ["type"] = "object", ["description"] = new string('x', 100), ["properties"] = properties };
        }

        var crd = CustomResourceFixtures.Gadgets();
        crd["metadata"]!["uid"] = "big";
        crd["spec"]!["versions"]![0]!["schema"] = new JsonObject
        {
            ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["spec"] = Level(0) } },
        };
        return crd;
    }
}
