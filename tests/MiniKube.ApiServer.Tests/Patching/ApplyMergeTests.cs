using System.Text.Json.Nodes;
using k8s.Models;
using MiniKube.ApiServer.Patching;
using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Tests.Patching;

public class ApplyMergeTests
{
    private static readonly SchemaNode DeploymentSchema = ModelSchema.For(typeof(V1Deployment));

    [Test]
    public void Apply_NothingLive_CreatesFromTheConfigurationWithoutNulls()
    {
        var applied = Json.Object("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"demo","labels":null},"spec":{"replicas":2}}""");

        var result = ApplyMerge.Apply(null, applied, DeploymentSchema);

        Json.AssertEqual(result, """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"demo"},"spec":{"replicas":2}}""");
        Assert.That(result, Is.Not.SameAs(applied));
    }

    [Test]
    public void Apply_LiveObject_MergesMapsKeyedListsAndSetsAndReplacesAtomicLists()
    {
        var live = Json.Object("""
            {"metadata":{"name":"demo","uid":"u1","labels":{"app":"demo","team":"x"},"finalizers":["a","b"]},
             "spec":{"replicas":1,"template":{"spec":{
               "containers":[{"name":"app","image":"nginx:1.25","args":["-a"],"env":[{"name":"A","value":"1"}]},{"name":"side","image":"busybox"}],
               "tolerations":[{"key":"k1"}]}}},
             "status":{"replicas":1}}
            """);
        var applied = Json.Object("""
            {"metadata":{"name":"demo","labels":{"app":"demo2"},"finalizers":["c"]},
             "spec":{"replicas":3,"template":{"spec":{
               "containers":[{"name":"app","image":"nginx:1.26","args":["-b"],"env":[{"name":"B","value":"2"}]},{"name":"new","image":"x"}],
               "tolerations":[{"key":"k2"}]}}}}
            """);

        var result = ApplyMerge.Apply(live, applied, DeploymentSchema);

        Json.AssertEqual(result, """
            {"metadata":{"name":"demo","uid":"u1","labels":{"app":"demo2","team":"x"},"finalizers":["a","b","c"]},
             "spec":{"replicas":3,"template":{"spec":{
               "containers":[{"name":"app","image":"nginx:1.26","args":["-b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
                             {"name":"side","image":"busybox"},{"name":"new","image":"x"}],
               "tolerations":[{"key":"k2"}]}}},
             "status":{"replicas":1}}
            """);
    }

    [Test]
    public void Apply_ExplicitNull_RemovesTheField()
    {
        var result = ApplyMerge.Apply(Json.Object("""{"spec":{"replicas":1,"paused":true}}"""), Json.Object("""{"spec":{"paused":null}}"""), DeploymentSchema);

        Json.AssertEqual(result, """{"spec":{"replicas":1}}""");
    }

    [Test]
    public void Apply_KeyedListElementWithoutKey_IsBadRequest()
    {
        var live = Json.Object("""{"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}}""");

        var error = Assert.Throws<PatchException>(() =>
            ApplyMerge.Apply(live, Json.Object("""{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"""), DeploymentSchema));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
        Assert.That(error.Message, Does.Contain("omits key field \"name\""));
    }

    [TestCase(11)]
    [TestCase(12)]
    public void Apply_ConfigurationEqualToLive_IsIdentity(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 50; round++)
        {
            var live = StrategicMergePatchTests.RandomPod(random);

            var result = ApplyMerge.Apply((JsonObject)live.DeepClone(), live, ModelSchema.For(typeof(V1Pod)));

            Assert.That(JsonNode.DeepEquals(result, live), Is.True, $"seed {seed} round {round}");
        }
    }
}
