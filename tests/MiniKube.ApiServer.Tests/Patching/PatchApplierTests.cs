using System.Text.Json.Nodes;
using k8s.Models;
using MiniKube.ApiServer.Patching;
using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Tests.Patching;

public class PatchApplierTests
{
    private static readonly SchemaNode DeploymentSchema = ModelSchema.For(typeof(V1Deployment));

    private const string Live = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
         "spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.25"},{"name":"side","image":"busybox"}]}}}}
        """;

    [TestCase("application/json-patch+json", """[{"op":"replace","path":"/spec/replicas","value":5}]""", """{"replicas":5}""")]
    [TestCase("application/merge-patch+json", """{"spec":{"replicas":2}}""", """{"replicas":2}""")]
    [TestCase("application/strategic-merge-patch+json", """{"spec":{"replicas":2}}""", """{"replicas":2}""")]
    [TestCase("application/apply-patch+yaml", "spec:\n  replicas: 4\n", """{"replicas":4}""")]
    [TestCase("application/merge-patch+json; charset=utf-8", """{"spec":{"replicas":6}}""", """{"replicas":6}""")]
    public void Apply_EachMediaType_UsesItsEngine(string contentType, string body, string expectedReplicas)
    {
        var result = PatchApplier.Apply(contentType, Json.Object(Live), Json.Bytes(body), DeploymentSchema);

        Assert.That(JsonNode.DeepEquals(result["spec"]!["replicas"], JsonNode.Parse(expectedReplicas)!["replicas"]), Is.True);
    }

    [Test]
    public void Apply_ContainerListPatch_DiffersBetweenMergeAndStrategic()
    {
        var body = Json.Bytes("""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.26"}]}}}}""");

        var merged = PatchApplier.Apply("application/merge-patch+json", Json.Object(Live), body, DeploymentSchema);
        var strategic = PatchApplier.Apply("application/strategic-merge-patch+json", Json.Object(Live), body, DeploymentSchema);

        Json.AssertEqual(merged["spec"]!["template"]!["spec"]!["containers"], """[{"name":"app","image":"nginx:1.26"}]""");
        Json.AssertEqual(strategic["spec"]!["template"]!["spec"]!["containers"], """[{"name":"app","image":"nginx:1.26"},{"name":"side","image":"busybox"}]""");
    }

    [TestCase("application/json-patch+json", """[{"op":"add","path":"/spec/template/spec/containers/0/env","value":[{"name":"A"}]},{"op":"remove","path":"/metadata/labels/app"}]""")]
    [TestCase("application/merge-patch+json", """{"metadata":{"labels":{"app":null}},"spec":{"template":{"spec":{"containers":[]}}}}""")]
    [TestCase("application/strategic-merge-patch+json", """{"metadata":{"labels":{"$patch":"delete"}},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"side"},{"name":"app"}],"containers":[{"name":"app","$patch":"delete"}]}}}}""")]
    [TestCase("application/apply-patch+yaml", """{"metadata":{"labels":{"app":null}},"spec":{"template":{"spec":{"containers":[{"name":"app","image":"x"}]}}}}""")]
    public void Apply_AnyPatch_LeavesTheLiveObjectUntouched(string contentType, string body)
    {
        var live = Json.Object(Live);

        var result = PatchApplier.Apply(contentType, live, Json.Bytes(body), DeploymentSchema);

        Json.AssertEqual(live, Live);
        Assert.That(JsonNode.DeepEquals(result, live), Is.False);
    }

    [Test]
    public void Apply_FailingJsonPatch_LeavesTheLiveObjectUntouched()
    {
        var live = Json.Object(Live);
        var body = Json.Bytes("""[{"op":"replace","path":"/spec/replicas","value":9},{"op":"test","path":"/spec/replicas","value":1}]""");

        Assert.Throws<PatchException>(() => PatchApplier.Apply("application/json-patch+json", live, body, DeploymentSchema));

        Json.AssertEqual(live, Live);
    }

    [Test]
    public void Apply_ApplyPatchWithNothingLive_CreatesTheObject()
    {
        var body = Json.Bytes("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}}""");

        var result = PatchApplier.Apply("application/apply-patch+yaml", null, body, ModelSchema.For(typeof(V1ConfigMap)));

        Json.AssertEqual(result, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}}""");
    }

    [TestCase("application/merge-patch+json")]
    [TestCase("application/json-patch+json")]
    public void Apply_OtherPatchWithNothingLive_IsACallerError(string contentType)
    {
        Assert.Throws<ArgumentNullException>(() => PatchApplier.Apply(contentType, null, Json.Bytes("{}"), DeploymentSchema));
    }

    [Test]
    public void Apply_ApplyPatchThatIsNotAMap_IsBadRequest()
    {
        var error = Assert.Throws<PatchException>(() =>
            PatchApplier.Apply("application/apply-patch+yaml", null, Json.Bytes("- a\n- b\n"), DeploymentSchema));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
        Assert.That(error.Message, Does.StartWith("error decoding patch: "));
    }

    [Test]
    public void Apply_StrategicPatchForKindWithoutSchema_Is415()
    {
        var error = Assert.Throws<PatchException>(() =>
            PatchApplier.Apply("application/strategic-merge-patch+json", Json.Object("{}"), Json.Bytes("{}"), schema: null));

        Assert.That(error!.StatusCode, Is.EqualTo(415));
    }

    [Test]
    public void Apply_MergePatchForKindWithoutSchema_Works()
    {
        var result = PatchApplier.Apply("application/merge-patch+json", Json.Object("""{"spec":{"a":1}}"""), Json.Bytes("""{"spec":{"b":2}}"""), schema: null);

        Json.AssertEqual(result, """{"spec":{"a":1,"b":2}}""");
    }

    [Test]
    public void Apply_JsonPatchReplacingTheRootWithAList_IsInvalid()
    {
        var error = Assert.Throws<PatchException>(() => PatchApplier.Apply(
            "application/json-patch+json", Json.Object(Live), Json.Bytes("""[{"op":"replace","path":"","value":[1]}]"""), DeploymentSchema));

        Assert.That(error!.StatusCode, Is.EqualTo(422));
    }

    [Test]
    public void Apply_BodyOverThreeMebibytes_IsRequestEntityTooLarge()
    {
        var body = Json.Bytes("{\"a\":\"" + new string('x', 3 * 1024 * 1024) + "\"}");

        var error = Assert.Throws<PatchException>(() => PatchApplier.Apply("application/merge-patch+json", Json.Object(Live), body, DeploymentSchema));

        Assert.That(error!.StatusCode, Is.EqualTo(413));
        Assert.That(error.Message, Is.EqualTo("Request entity too large: limit is 3145728"));
    }

    [Test]
    public void Apply_DeeplyNestedMergePatch_IsRefusedBeforeMerging()
    {
        var body = Json.Bytes(string.Concat(Enumerable.Repeat("{\"a\":", 50_000)) + "1" + new string('}', 50_000));

        var error = Assert.Throws<PatchException>(() => PatchApplier.Apply("application/strategic-merge-patch+json", Json.Object(Live), body, DeploymentSchema));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
    }

    [Test]
    public void Apply_UnsupportedMediaType_Is415()
    {
        var error = Assert.Throws<PatchException>(() => PatchApplier.Apply("application/json", Json.Object(Live), Json.Bytes("{}"), DeploymentSchema));

        Assert.That(error!.StatusCode, Is.EqualTo(415));
    }
}
