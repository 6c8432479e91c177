using System.Text.Json.Nodes;
using MiniKube.ApiServer.Patching;

namespace MiniKube.ApiServer.Tests.Patching;

public class JsonMergePatchTests
{
    // RFC 7386 appendix A, plus the shapes kubectl label/annotate/scale send.
    [TestCase("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [TestCase("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [TestCase("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [TestCase("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [TestCase("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [TestCase("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [TestCase("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [TestCase("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [TestCase("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [TestCase("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    [TestCase("""{"a":1}""", """{"a":{"x":null,"y":[null]}}""", """{"a":{"y":[null]}}""")]
    [TestCase("""{"metadata":{"labels":{"tier":"db"}}}""", """{"metadata":{"labels":{"tier":null}}}""", """{"metadata":{"labels":{}}}""")]
    [TestCase("""{"spec":{"replicas":1,"selector":{}}}""", """{"spec":{"replicas":3}}""", """{"spec":{"replicas":3,"selector":{}}}""")]
    public void Apply_Patch_FollowsRfc7386(string target, string patch, string expected)
    {
        var result = JsonMergePatch.Apply(Json.Object(target), JsonNode.Parse(patch));

        Json.AssertEqual(result, expected);
    }

    [TestCase("null")]
    [TestCase("[1]")]
    [TestCase("\"x\"")]
    public void Apply_PatchNotAnObject_IsBadRequest(string patch)
    {
        var error = Assert.Throws<PatchException>(() => JsonMergePatch.Apply(new JsonObject(), JsonNode.Parse(patch)));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
        Assert.That(error.Message, Is.EqualTo("Invalid JSON Patch"));
    }

    [Test]
    public void Apply_Patch_IsNotChanged()
    {
        var patch = JsonNode.Parse("""{"a":{"b":null,"c":[1]}}""");
        var before = patch!.ToJsonString();

        JsonMergePatch.Apply(new JsonObject(), patch);

        Assert.That(patch.ToJsonString(), Is.EqualTo(before));
    }

    [TestCase(5)]
    [TestCase(55)]
    public void Apply_EmptyPatchOrSelf_IsIdentity(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 50; round++)
        {
            var target = RandomJson.Object(random, 4);
            var withoutNulls = target.DeepClone();

            Json.AssertEqual(JsonMergePatch.Apply((JsonObject)target.DeepClone(), new JsonObject()), target.ToJsonString());
            Json.AssertEqual(JsonMergePatch.Apply((JsonObject)target.DeepClone(), withoutNulls), target.ToJsonString());
        }
    }
}
