using System.Text;
using System.Text.Json.Nodes;
using MiniKube.ApiServer.Patching;

namespace MiniKube.ApiServer.Tests.Patching;

public class JsonPatchTests
{
    [TestCase("""{"a":1}""", """[{"op":"add","path":"/b","value":{"c":[2]}}]""", """{"a":1,"b":{"c":[2]}}""")]
    [TestCase("""{"a":1}""", """[{"op":"add","path":"/a","value":5}]""", """{"a":5}""")]
    [TestCase("""{"l":[1,2]}""", """[{"op":"add","path":"/l/1","value":9}]""", """{"l":[1,9,2]}""")]
    [TestCase("""{"l":[1,2]}""", """[{"op":"add","path":"/l/-","value":9}]""", """{"l":[1,2,9]}""")]
    [TestCase("""{"l":[1,2]}""", """[{"op":"add","path":"/l/2","value":9}]""", """{"l":[1,2,9]}""")]
    [TestCase("""{"l":[1,2]}""", """[{"op":"add","path":"/l/-3","value":9}]""", """{"l":[9,1,2]}""")]
    [TestCase("""{"l":[1,2]}""", """[{"op":"add","path":"/l/0"}]""", """{"l":[null,1,2]}""")]
    [TestCase("""{"a":1,"b":2}""", """[{"op":"remove","path":"/a"}]""", """{"b":2}""")]
    [TestCase("""{"l":[1,2,3]}""", """[{"op":"remove","path":"/l/0"}]""", """{"l":[2,3]}""")]
    [TestCase("""{"l":[1,2,3]}""", """[{"op":"remove","path":"/l/-1"}]""", """{"l":[1,2]}""")]
    [TestCase("""{"spec":{"replicas":1}}""", """[{"op":"replace","path":"/spec/replicas","value":5}]""", """{"spec":{"replicas":5}}""")]
    [TestCase("""{"spec":{}}""", """[{"op":"replace","path":"/spec/replicas","value":5}]""", """{"spec":{"replicas":5}}""")]
    [TestCase("""{"l":["a","b"]}""", """[{"op":"replace","path":"/l/1","value":"c"}]""", """{"l":["a","c"]}""")]
    [TestCase("""{"a":{"x":1}}""", """[{"op":"move","from":"/a","path":"/b"}]""", """{"b":{"x":1}}""")]
    [TestCase("""{"l":[1,2,3]}""", """[{"op":"move","from":"/l/0","path":"/l/-"}]""", """{"l":[2,3,1]}""")]
    [TestCase("""{"a":{"x":[1]}}""", """[{"op":"copy","from":"/a","path":"/b"},{"op":"add","path":"/b/x/-","value":2}]""", """{"a":{"x":[1]},"b":{"x":[1,2]}}""")]
    [TestCase("""{"a":{"x":1}}""", """[{"op":"test","path":"/a","value":{"x":1.0}},{"op":"add","path":"/ok","value":true}]""", """{"a":{"x":1},"ok":true}""")]
    [TestCase("""{"a":1}""", """[{"op":"test","path":"/missing","value":null}]""", """{"a":1}""")]
    [TestCase("""{"a":1}""", """[{"op":"test","path":"","value":{"a":1}}]""", """{"a":1}""")]
    [TestCase("""{"a":1}""", """[{"op":"replace","path":"","value":{"b":2}}]""", """{"b":2}""")]
    [TestCase("""{"metadata":{"annotations":{}}}""", """[{"op":"add","path":"/metadata/annotations/example.com~1note","value":"x"},{"op":"add","path":"/metadata/annotations/t~0","value":"y"}]""", """{"metadata":{"annotations":{"example.com/note":"x","t~":"y"}}}""")]
    [TestCase("""{"a":1}""", "[]", """{"a":1}""")]
    public void Apply_ValidPatch_ProducesExpectedDocument(string document, string patch, string expected)
    {
        var result = JsonPatch.Apply(JsonNode.Parse(document)!, JsonNode.Parse(patch));

        Json.AssertEqual(result, expected);
    }

    [TestCase("""[{"op":"add","path":"/x/y","value":1}]""", "add operation does not apply: doc is missing path: \"/x/y\": missing value")]
    [TestCase("""[{"op":"replace","path":"/spec/foo/bar","value":1}]""", "replace operation does not apply: doc is missing path: /spec/foo/bar: missing value")]
    [TestCase("""[{"op":"replace","path":"/l/7","value":1}]""", "replace operation does not apply: doc is missing key: /l/7: missing value")]
    [TestCase("""[{"op":"remove","path":"/missing"}]""", "error in remove for path: '/missing': Unable to remove nonexistent key: missing: missing value")]
    [TestCase("""[{"op":"remove","path":"/l/3"}]""", "error in remove for path: '/l/3': Unable to access invalid index: 3: invalid index referenced")]
    [TestCase("""[{"op":"add","path":"/l/4","value":1}]""", "error in add for path: '/l/4': Unable to access invalid index: 4: invalid index referenced")]
    [TestCase("""[{"op":"add","path":"/l/x","value":1}]""", "error in add for path: '/l/x': value was not a proper array index: 'x'")]
    [TestCase("""[{"op":"test","path":"/spec/replicas","value":2}]""", "testing value /spec/replicas failed: test failed")]
    [TestCase("""[{"op":"test","path":"/missing","value":2}]""", "testing value /missing failed: test failed")]
    [TestCase("""[{"op":"move","from":"/nope","path":"/b"}]""", "move operation does not apply: doc is missing from path: /nope: missing value")]
    [TestCase("""[{"op":"copy","from":"/spec","path":"/x/y"}]""", "copy operation does not apply: doc is missing destination path: /x/y: missing value")]
    [TestCase("""[{"op":"add","path":"spec/x","value":1}]""", "add operation does not apply: doc is missing path: \"spec/x\": missing value")]
    [TestCase("""[{"op":"test","path":"/l/9","value":1}]""", "error in test for path: '/l/9': Unable to access invalid index: 9: invalid index referenced")]
    [TestCase("""[{"op":"frob","path":"/a"}]""", "Unexpected kind: frob")]
    [TestCase("""[{"path":"/a"}]""", "Unexpected kind: unknown")]
    [TestCase("""[{"op":"add","value":1}]""", "add operation failed to decode path: missing value")]
    [TestCase("""[{"op":"replace","path":"","value":3}]""", "replace operation value must be object or array")]
    public void Apply_OperationThatDoesNotApply_Is422WithUpstreamDetail(string patch, string detail)
    {
        var document = JsonNode.Parse("""{"spec":{"replicas":1},"l":[1,2,3]}""")!;

        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(document, JsonNode.Parse(patch)));

        Assert.That(error!.StatusCode, Is.EqualTo(422));
        Assert.That(error.Reason, Is.EqualTo("Invalid"));
        Assert.That(error.Message, Is.EqualTo("the server rejected our request due to an error in our request"));
        Assert.That(error.Detail, Is.EqualTo(detail));
    }

    [Test]
    public void Apply_FailureAfterEarlierOperations_StopsAtTheFailure()
    {
        var patch = JsonNode.Parse("""[{"op":"add","path":"/a","value":1},{"op":"test","path":"/a","value":2},{"op":"add","path":"/b","value":1}]""");

        Assert.Throws<PatchException>(() => JsonPatch.Apply(new JsonObject(), patch));
    }

    [TestCase("""{"op":"add","path":"/a","value":1}""", "object")]
    [TestCase("null", "null")]
    [TestCase("""[{"op":"add","path":"/a","value":1}, 5]""", "number")]
    public void Apply_PatchNotAListOfObjects_IsBadRequest(string patch, string kind)
    {
        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(new JsonObject(), JsonNode.Parse(patch)));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
        Assert.That(error.Message, Does.StartWith($"json: cannot unmarshal {kind} into Go value"));
    }

    [Test]
    public void Apply_MoreThanTenThousandOperations_IsRequestEntityTooLarge()
    {
        var operations = new JsonArray();
        for (var i = 0; i < 10_001; i++)
        {
            operations.Add(new JsonObject { ["op"] = "test", ["path"] = "/a", ["value"] = 1 });
        }

        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(new JsonObject { ["a"] = 1 }, operations));

        Assert.That(error!.StatusCode, Is.EqualTo(413));
        Assert.That(error.Reason, Is.EqualTo("RequestEntityTooLarge"));
        Assert.That(error.Message, Is.EqualTo("Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001"));
    }

    [Test]
    public void Apply_TenThousandOperations_IsAllowed()
    {
        var operations = new JsonArray();
        for (var i = 0; i < 10_000; i++)
        {
            operations.Add(new JsonObject { ["op"] = "add", ["path"] = "/l/-", ["value"] = i });
        }

        var result = JsonPatch.Apply(new JsonObject { ["l"] = new JsonArray() }, operations);

        Assert.That(result["l"]!.AsArray(), Has.Count.EqualTo(10_000));
    }

    [Test]
    public void Apply_CopiesThatDoubleTheDocument_AreRefusedAtTheCopyLimit()
    {
        var document = new JsonObject { ["a"] = new JsonArray(new string('x', 1024)) };
        var operations = new JsonArray();
        for (var i = 0; i < 40; i++)
        {
            // Copying the list into itself doubles it: 40 of these would need terabytes.
            operations.Add(new JsonObject { ["op"] = "copy", ["from"] = "/a", ["path"] = "/a/-" });
        }

        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(document, operations));

        Assert.That(error!.StatusCode, Is.EqualTo(422));
        Assert.That(error.Detail, Does.StartWith("Unable to complete the copy, the accumulated size increase of copy is "));
        Assert.That(error.Detail, Does.EndWith("exceeding the limit 3145728"));
    }

    [Test]
    public void Apply_CopyThatNestsTooDeep_IsRefused()
    {
        var deep = Nested(200);
        var deepPath = "/a" + string.Concat(Enumerable.Repeat("/x", 100)) + "/y";
        var document = new JsonObject { ["a"] = deep };
        var operations = new JsonArray(new JsonObject { ["op"] = "copy", ["from"] = "/a", ["path"] = deepPath });

        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(document, operations));

        Assert.That(error!.StatusCode, Is.EqualTo(422));
        Assert.That(error.Detail, Does.Contain("more than the limit of 256"));
    }

    [Test]
    public void Apply_RepeatedSelfCopies_StayWithinTheDepthLimit()
    {
        var operations = new JsonArray(new JsonObject { ["op"] = "add", ["path"] = "/a", ["value"] = new JsonObject() });
        var path = new StringBuilder("/a");
        for (var i = 0; i < 400; i++)
        {
            path.Append("/a");
            operations.Add(new JsonObject { ["op"] = "copy", ["from"] = "/a", ["path"] = path.ToString() });
        }

        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(new JsonObject(), operations));

        Assert.That(error!.StatusCode, Is.EqualTo(422));
    }

    [TestCase(7)]
    [TestCase(31)]
    [TestCase(1234)]
    public void Apply_AddThenRemoveAtRandomPaths_RestoresTheDocument(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 50; round++)
        {
            var document = RandomJson.Object(random, 4);
            var original = document.DeepClone();
            var path = RandomJson.NewMemberPath(random, document);
            var operations = JsonNode.Parse($$"""[{"op":"add","path":"{{path}}","value":{{RandomJson.Value(random, 2).ToJsonString()}}},{"op":"remove","path":"{{path}}"}]""");

            var result = JsonPatch.Apply(document, operations);

            Assert.That(JsonNode.DeepEquals(result, original), Is.True, $"seed {seed} round {round}: {path}");
        }
    }

    private static JsonObject Nested(int depth)
    {
        var node = new JsonObject();
        for (var i = 1; i < depth; i++)
        {
            node = new JsonObject { ["x"] = node };
        }
        return node;
    }
}
