using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MiniKube.ApiServer.OpenApi;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.OpenApi;

public class OpenApiDocumentsTests
{
    private static readonly OpenApiDocuments Documents = new(ResourceCatalog.All, "v1.32.0", () => ModelDescriptions.Empty);

    private static JsonObject Document(string path)
    {
        Assert.That(Documents.TryGetDocument(path, out var json, out _), Is.True, path);
        return JsonNode.Parse(json.Span)!.AsObject();
    }

    private static JsonObject Schema(JsonObject document, string name) =>
        document["components"]!["schemas"]![name]?.AsObject() ?? throw new AssertionException($"no schema {name}");

    [Test]
    public void Index_NamesEveryGroupVersionWithTheDocumentHash()
    {
        var index = JsonNode.Parse(Documents.Index.Span)!["paths"]!.AsObject();

        var expected = ResourceCatalog.GroupVersions.Select(gv => gv == "v1" ? "api/v1" : "apis/" + gv);
        Assert.That(index.Select(p => p.Key), Is.EquivalentTo(expected));
        Assert.That(Documents.TryGetDocument("apis/apps/v1", out var json, out var etag), Is.True);
        var hash = Convert.ToHexString(SHA512.HashData(json.Span));
        Assert.That(index["apis/apps/v1"]!["serverRelativeURL"]!.GetValue<string>(), Is.EqualTo("/openapi/v3/apis/apps/v1?hash=" + hash));
        Assert.That(etag, Is.EqualTo("\"" + hash + "\""));
        Assert.That(Documents.IndexETag, Is.EqualTo("\"" + Convert.ToHexString(SHA512.HashData(Documents.Index.Span)) + "\""));
    }

    [TestCase("api/v1")]
    [TestCase("/openapi/v3/api/v1")]
    [TestCase("/openapi/v3/api/v1?hash=ABC&timeout=32s")]
    public void TryGetDocument_AcceptsIndexAndRequestPaths(string path)
    {
        Assert.That(Documents.TryGetDocument(path, out var json, out _), Is.True);
        Assert.That(JsonNode.Parse(json.Span)!["paths"]!.AsObject().ContainsKey("/api/v1/namespaces/{namespace}/pods/{name}"), Is.True);
    }

    [TestCase("apis/nope/v1")]
    [TestCase("apis/apps")]
    [TestCase("")]
    public void TryGetDocument_UnknownPath_ReturnsFalse(string path)
    {
        Assert.That(Documents.TryGetDocument(path, out _, out var etag), Is.False);
        Assert.That(etag, Is.Empty);
    }

    [Test]
    public void Document_HasOpenApiHeader()
    {
        var doc = Document("apis/apps/v1");

        Assert.That(doc["openapi"]!.GetValue<string>(), Is.EqualTo("3.0.0"));
        Assert.That(doc["info"]!["title"]!.GetValue<string>(), Is.EqualTo("Kubernetes"));
        Assert.That(doc["info"]!["version"]!.GetValue<string>(), Is.EqualTo("v1.32.0"));
    }

    [Test]
    public void PatchOperation_CarriesKindFieldValidationAndPatchMediaTypes()
    {
        var patch = Document("apis/apps/v1")["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!;

        Assert.That(patch["x-kubernetes-action"]!.GetValue<string>(), Is.EqualTo("patch"));
        Assert.That(JsonNode.DeepEquals(patch["x-kubernetes-group-version-kind"], JsonNode.Parse("""{"group":"apps","kind":"Deployment","version":"v1"}""")), Is.True);
        var parameters = patch["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>());
        Assert.That(parameters, Does.Contain("fieldValidation"));
        var content = patch["requestBody"]!["content"]!.AsObject();
        Assert.That(content.Select(c => c.Key), Is.EquivalentTo(new[]
        {
            "application/json-patch+json", "application/merge-patch+json",
            "application/strategic-merge-patch+json", "application/apply-patch+yaml",
        }));
        Assert.That(content.Select(c => c.Value!["schema"]!["$ref"]!.GetValue<string>()).Distinct(),
            Is.EqualTo(new[] { "#/components/schemas/io.k8s.api.apps.v1.Deployment" }));
    }

    [Test]
    public void Paths_FollowVerbsAndScope()
    {
        var core = Document("api/v1")["paths"]!.AsObject();

        Assert.That(Operations(core, "/api/v1/namespaces/{namespace}/pods"), Is.EquivalentTo(new[] { "get", "post", "delete" }));
        Assert.That(Operations(core, "/api/v1/namespaces/{namespace}/pods/{name}"), Is.EquivalentTo(new[] { "get", "put", "patch", "delete" }));
        Assert.That(Operations(core, "/api/v1/namespaces/{namespace}/pods/{name}/status"), Is.EquivalentTo(new[] { "get", "put", "patch" }));
        Assert.That(Operations(core, "/api/v1/namespaces/{namespace}/pods/{name}/binding"), Is.EquivalentTo(new[] { "post" }));
        Assert.That(Operations(core, "/api/v1/pods"), Is.EquivalentTo(new[] { "get" }));
        Assert.That(Operations(core, "/api/v1/nodes/{name}"), Is.EquivalentTo(new[] { "get", "put", "patch", "delete" }));
        Assert.That(core.ContainsKey("/api/v1/namespaces/{namespace}/nodes"), Is.False);
        Assert.That(Operations(core, "/api/v1/componentstatuses/{name}"), Is.EquivalentTo(new[] { "get" }));
        Assert.That(core.ContainsKey("/api/v1/namespaces/{namespace}/pods/{name}/exec"), Is.False, "connect subresources carry no kind");
        var list = core["/api/v1/namespaces/{namespace}/pods"]!["get"]!;
        Assert.That(list["x-kubernetes-action"]!.GetValue<string>(), Is.EqualTo("list"));
        Assert.That(list["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>(),
            Is.EqualTo("#/components/schemas/io.k8s.api.core.v1.PodList"));
        Assert.That(core["/api/v1/pods"]!["get"]!["operationId"]!.GetValue<string>(), Is.EqualTo("listCoreV1PodForAllNamespaces"));
    }

    [Test]
    public void ScaleSubresource_UsesAutoscalingScale()
    {
        var doc = Document("apis/apps/v1");
        var patch = doc["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]!["patch"]!;

        Assert.That(JsonNode.DeepEquals(patch["x-kubernetes-group-version-kind"], JsonNode.Parse("""{"group":"autoscaling","kind":"Scale","version":"v1"}""")), Is.True);
        Assert.That(patch["operationId"]!.GetValue<string>(), Is.EqualTo("patchAppsV1NamespacedDeploymentScale"));
        Assert.That(Schema(doc, "io.k8s.api.autoscaling.v1.Scale")["x-kubernetes-group-version-kind"], Is.Not.Null);
    }

    [Test]
    public void EveryOperation_CarriesActionAndKind()
    {
        foreach (var path in Documents.DocumentPaths)
        {
            foreach (var (route, item) in Document(path)["paths"]!.AsObject())
            {
                foreach (var (method, operation) in item!.AsObject().Where(o => o.Key != "parameters"))
                {
                    Assert.That(operation!["x-kubernetes-action"], Is.Not.Null, $"{method} {route}");
                    Assert.That(operation["x-kubernetes-group-version-kind"]!["kind"], Is.Not.Null, $"{method} {route}");
                }
            }
        }
    }

    [Test]
    public void EveryReference_ResolvesWithinItsDocument()
    {
        foreach (var path in Documents.DocumentPaths)
        {
            var doc = Document(path);
            var schemas = doc["components"]!["schemas"]!.AsObject();
            var refs = References(doc).ToList();
            Assert.That(refs, Is.Not.Empty);
            foreach (var reference in refs)
            {
                Assert.That(reference, Does.StartWith("#/components/schemas/"));
                Assert.That(schemas.ContainsKey(reference["#/components/schemas/".Length..]), Is.True, $"{path}: {reference}");
            }
        }
    }

    [Test]
    public void Schemas_UseUpstreamNamesAndKinds()
    {
        var apps = Document("apis/apps/v1");
        var names = apps["components"]!["schemas"]!.AsObject().Select(s => s.Key).ToList();

        Assert.That(names, Is.SupersetOf(new[]
        {
            "io.k8s.api.apps.v1.Deployment", "io.k8s.api.apps.v1.DeploymentList", "io.k8s.api.apps.v1.DeploymentSpec",
            "io.k8s.api.core.v1.PodTemplateSpec", "io.k8s.api.core.v1.PodSpec", "io.k8s.api.core.v1.Container",
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
            "io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
            "io.k8s.apimachinery.pkg.api.resource.Quantity", "io.k8s.api.core.v1.PersistentVolumeClaim",
        }));
        Assert.That(JsonNode.DeepEquals(Schema(apps, "io.k8s.api.apps.v1.Deployment")["x-kubernetes-group-version-kind"],
            JsonNode.Parse("""[{"group":"apps","kind":"Deployment","version":"v1"}]""")), Is.True);
        var list = Schema(apps, "io.k8s.api.apps.v1.DeploymentList");
        Assert.That(list["x-kubernetes-group-version-kind"]![0]!["kind"]!.GetValue<string>(), Is.EqualTo("DeploymentList"));
        Assert.That(list["required"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { "items" }));
        Assert.That(Schema(apps, "io.k8s.api.core.v1.PodSpec")["x-kubernetes-group-version-kind"], Is.Null);
    }

    [Test]
    public void Schemas_RenderFieldShapes()
    {
        var core = Document("api/v1");
        var container = Schema(core, "io.k8s.api.core.v1.Container")["properties"]!;
        var podSpec = Schema(core, "io.k8s.api.core.v1.PodSpec")["properties"]!;
        var meta = Schema(core, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")["properties"]!;

        Assert.That(Shape(container["image"]), Is.EqualTo("""{"type":"string"}"""));
        Assert.That(Shape(container["ports"]), Is.EqualTo(
            """{"items":{"$ref":"#/components/schemas/io.k8s.api.core.v1.ContainerPort"},"type":"array","x-kubernetes-patch-merge-key":"containerPort","x-kubernetes-patch-strategy":"merge"}"""));
        Assert.That(Shape(podSpec["volumes"]!["x-kubernetes-patch-strategy"]), Is.EqualTo("\"merge,retainKeys\""));
        Assert.That(Shape(meta["labels"]), Is.EqualTo("""{"additionalProperties":{"type":"string"},"type":"object"}"""));
        Assert.That(Shape(meta["finalizers"]), Is.EqualTo("""{"items":{"type":"string"},"type":"array","x-kubernetes-patch-strategy":"merge"}"""));
        Assert.That(Shape(meta["creationTimestamp"]), Is.EqualTo("""{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time"}"""));
        Assert.That(Shape(meta["generation"]), Is.EqualTo("""{"format":"int64","type":"integer"}"""));
        Assert.That(Shape(Schema(core, "io.k8s.api.core.v1.ContainerPort")["properties"]!["containerPort"]), Is.EqualTo("""{"format":"int32","type":"integer"}"""));
        Assert.That(Shape(Schema(core, "io.k8s.api.core.v1.Secret")["properties"]!["data"]),
            Is.EqualTo("""{"additionalProperties":{"format":"byte","type":"string"},"type":"object"}"""));
        Assert.That(Shape(Schema(core, "io.k8s.api.core.v1.ResourceRequirements")["properties"]!["limits"]),
            Is.EqualTo("""{"additionalProperties":{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"},"type":"object"}"""));
        Assert.That(Schema(core, "io.k8s.apimachinery.pkg.util.intstr.IntOrString")["x-kubernetes-int-or-string"]!.GetValue<bool>(), Is.True);
        Assert.That(Schema(core, "io.k8s.apimachinery.pkg.apis.meta.v1.Time")["format"]!.GetValue<string>(), Is.EqualTo("date-time"));
        Assert.That(Schema(core, "io.k8s.api.core.v1.Container")["required"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { "name" }));
    }

    [Test]
    public void Schemas_PlaceSharedTypesInTheirGoPackage()
    {
        Assert.That(Schema(Document("apis/batch/v1"), "io.k8s.api.batch.v1.JobTemplateSpec"), Is.Not.Null);
        Assert.That(Schema(Document("apis/storage.k8s.io/v1"), "io.k8s.api.core.v1.TopologySelectorTerm"), Is.Not.Null);
        Assert.That(Schema(Document("apis/discovery.k8s.io/v1"), "io.k8s.api.discovery.v1.EndpointPort"), Is.Not.Null);
        Assert.That(Schema(Document("apis/discovery.k8s.io/v1"), "io.k8s.api.core.v1.ObjectReference"), Is.Not.Null);
        Assert.That(Schema(Document("api/v1"), "io.k8s.api.core.v1.EndpointPort"), Is.Not.Null);
        Assert.That(Schema(Document("apis/coordination.k8s.io/v1"), "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"), Is.Not.Null);
        Assert.That(Schema(Document("apis/policy/v1"), "io.k8s.apimachinery.pkg.apis.meta.v1.Condition"), Is.Not.Null);
    }

    [Test]
    public void Descriptions_WhenPresent_DescribeTypesAndWrapDescribedReferences()
    {
        var docs = ModelDescriptions.Read(Gzip("""
            T:k8s.Models.V1Pod	Pod is a collection of containers.
            P:k8s.Models.V1Pod.Spec	Specification of the desired behavior of the pod.
            P:k8s.Models.V1Container.Image	Container image name.
            """));
        var documents = new OpenApiDocuments(ResourceCatalog.All, "v1.32.0", () => docs);
        Assert.That(documents.TryGetDocument("api/v1", out var json, out _), Is.True);
        var core = JsonNode.Parse(json.Span)!.AsObject();

        var pod = Schema(core, "io.k8s.api.core.v1.Pod");
        Assert.That(pod["description"]!.GetValue<string>(), Is.EqualTo("Pod is a collection of containers."));
        Assert.That(Shape(pod["properties"]!["spec"]), Is.EqualTo(
            """{"allOf":[{"$ref":"#/components/schemas/io.k8s.api.core.v1.PodSpec"}],"description":"Specification of the desired behavior of the pod."}"""));
        Assert.That(Schema(core, "io.k8s.api.core.v1.Container")["properties"]!["image"]!["description"]!.GetValue<string>(), Is.EqualTo("Container image name."));
        Assert.That(Documents.TryGetDocument("api/v1", out var plain, out _), Is.True);
        Assert.That(plain.Length, Is.LessThan(json.Length));
    }

    [Test]
    public void ModelDescriptions_LoadEmbedded_WithoutResource_IsEmpty()
    {
        // The resource comes from an optional build step; the code must work without it.
        var embedded = ModelDescriptions.LoadEmbedded();
        Assert.That(embedded.Count == 0 || embedded.ForType(typeof(k8s.Models.V1Pod)) is not null, Is.True);
    }

    private static IEnumerable<string> Operations(JsonObject paths, string path) =>
        paths[path]!.AsObject().Select(o => o.Key).Where(k => k != "parameters");

    private static string Shape(JsonNode? node) => node!.ToJsonString();

    private static IEnumerable<string> References(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    // JSONSchemaProps (CRDs) has a property named "$ref": its schema is an object, not a reference.
                    if (key == "$ref" && value is JsonValue)
                    {
                        yield return value!.GetValue<string>();
                    }
                    foreach (var inner in References(value))
                    {
                        yield return inner;
                    }
                }
                break;
            case JsonArray array:
                foreach (var inner in array.SelectMany(References))
                {
                    yield return inner;
                }
                break;
            default:
                break;
        }
    }

    private static MemoryStream Gzip(string lines)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(lines.Replace("\r", "", StringComparison.Ordinal)));
        }
        buffer.Position = 0;
        return buffer;
    }
}
