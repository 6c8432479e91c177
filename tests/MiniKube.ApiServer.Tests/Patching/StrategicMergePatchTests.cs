using System.Text.Json.Nodes;
using k8s.Models;
using MiniKube.ApiServer.Patching;
using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Tests.Patching;

public class StrategicMergePatchTests
{
    private static readonly SchemaNode DeploymentSchema = ModelSchema.For(typeof(V1Deployment));
    private static readonly SchemaNode PodSchema = ModelSchema.For(typeof(V1Pod));

    private const string LiveDeployment = """
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"demo","namespace":"default","labels":{"app":"demo"},
                     "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"old"}},
         "spec":{"replicas":1,
                 "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
                 "template":{"metadata":{"labels":{"app":"demo"}},
                   "spec":{"containers":[
                       {"name":"app","image":"nginx",
                        "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
                        "ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}]},
                       {"name":"sidecar","image":"busybox"}],
                     "volumes":[{"name":"v1","emptyDir":{}}]}}}}
        """;

    [Test]
    public void Apply_ObservedClientSideApplyPatch_RemovesAndSwitchesAsKubectlIntends()
    {
        // API-GUIDE §6.3: removing env B, port 443 and the sidecar, switching the strategy, changing a volume source.
        var patch = """
            {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new"}},
             "spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"},
              "template":{"spec":{
                "$setElementOrder/containers":[{"name":"app"}],
                "$setElementOrder/volumes":[{"name":"v1"}],
                "containers":[
                  {"$setElementOrder/env":[{"name":"A"}],"$setElementOrder/ports":[{"containerPort":80}],
                   "env":[{"$patch":"delete","name":"B"}],"name":"app","ports":[{"$patch":"delete","containerPort":443}]},
                  {"$patch":"delete","name":"sidecar"}],
                "volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"cm"},"emptyDir":null,"name":"v1"}]}}}}
            """;

        var result = Patch(LiveDeployment, patch, DeploymentSchema);

        Json.AssertEqual(result, """
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"demo","namespace":"default","labels":{"app":"demo"},
                         "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new"}},
             "spec":{"replicas":1,"strategy":{"type":"Recreate"},
                     "template":{"metadata":{"labels":{"app":"demo"}},
                       "spec":{"containers":[
                           {"name":"app","image":"nginx","env":[{"name":"A","value":"1"}],"ports":[{"containerPort":80,"protocol":"TCP"}]}],
                         "volumes":[{"name":"v1","configMap":{"name":"cm"}}]}}}}
            """);
    }

    [Test]
    public void Apply_RetainKeysWithoutSchemaStrategy_StillClearsUnlistedKeys()
    {
        var result = Patch("""{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}""",
            """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}""", DeploymentSchema);

        Json.AssertEqual(result, """{"spec":{"strategy":{"type":"Recreate"}}}""");
    }

    [Test]
    public void Apply_RetainKeysNotListingAPatchedKey_IsBadRequest()
    {
        var error = Assert.Throws<PatchException>(() => Patch("""{"spec":{"strategy":{}}}""",
            """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":{"maxSurge":1}}}}""", DeploymentSchema));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
        Assert.That(error.Message, Is.EqualTo("invalid patch format of retainKeys"));
    }

    [Test]
    public void Apply_KubectlEditPatch_ChangesTheImageAndKeepsTheRest()
    {
        var live = """{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26","ports":[{"containerPort":80}]}],"restartPolicy":"Always"}}""";
        var patch = """{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"image":"nginx:1.27","name":"nginx"}]}}""";

        var result = Patch(live, patch, PodSchema);

        Json.AssertEqual(result, """{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":80}]}],"restartPolicy":"Always"}}""");
    }

    [Test]
    public void Apply_LabelAndAnnotationPatch_MergesMapsAndNullDeletes()
    {
        var live = """{"metadata":{"name":"p","labels":{"app":"web","old":"x"},"annotations":{"a":"1"}}}""";
        var patch = """{"metadata":{"labels":{"tier":"web","old":null,"never":null},"annotations":{"note":"hello"}}}""";

        var result = Patch(live, patch, PodSchema);

        Json.AssertEqual(result, """{"metadata":{"name":"p","labels":{"app":"web","tier":"web"},"annotations":{"a":"1","note":"hello"}}}""");
    }

    [TestCase("""{"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}}""", """["a","c"]""")]
    [TestCase("""{"metadata":{"$deleteFromPrimitiveList/finalizers":["b","nope"],"finalizers":["d"]}}""", """["d","a","c"]""")]
    [TestCase("""{"metadata":{"finalizers":["c","d"]}}""", """["a","b","c","d"]""")]
    [TestCase("""{"metadata":{"$setElementOrder/finalizers":["d","a","c"],"finalizers":["d"],"$deleteFromPrimitiveList/finalizers":["b"]}}""", """["d","a","c"]""")]
    [TestCase("""{"metadata":{"finalizers":[]}}""", """["a","b","c"]""")]
    [TestCase("""{"metadata":{"finalizers":["a","a"]}}""", """["a","b","c"]""")]
    public void Apply_FinalizerPatches_TreatFinalizersAsASet(string patch, string finalizers)
    {
        var result = Patch("""{"metadata":{"name":"p","finalizers":["a","b","c"]}}""", patch, PodSchema);

        Json.AssertEqual(result["metadata"]!["finalizers"], finalizers);
    }

    [Test]
    public void Apply_NullFinalizers_RemovesTheList()
    {
        var result = Patch("""{"metadata":{"name":"p","finalizers":["a"]}}""", """{"metadata":{"finalizers":null}}""", PodSchema);

        Json.AssertEqual(result, """{"metadata":{"name":"p"}}""");
    }

    [Test]
    public void Apply_DeleteFromPrimitiveListOfAbsentList_AddsNothing()
    {
        var result = Patch("""{"metadata":{"name":"p"}}""", """{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}}""", PodSchema);

        Json.AssertEqual(result, """{"metadata":{"name":"p"}}""");
    }

    [Test]
    public void Apply_ListWithoutMergeStrategy_IsReplaced()
    {
        var live = """{"spec":{"containers":[{"name":"c","args":["a","b"]}],"tolerations":[{"key":"k1"},{"key":"k2"}]}}""";
        var patch = """{"spec":{"containers":[{"name":"c","args":["z"]}],"tolerations":[{"key":"k3"}]}}""";

        var result = Patch(live, patch, PodSchema);

        Json.AssertEqual(result, """{"spec":{"containers":[{"name":"c","args":["z"]}],"tolerations":[{"key":"k3"}]}}""");
    }

    [Test]
    public void Apply_NewElementWithoutElementOrder_GoesBeforeLiveOnesAsUpstream()
    {
        var live = """{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""";

        var result = Patch(live, """{"spec":{"containers":[{"name":"c","image":"x","env":null}]}}""", PodSchema);

        Json.AssertEqual(result, """{"spec":{"containers":[{"name":"c","image":"x"},{"name":"a"},{"name":"b"}]}}""");
    }

    [Test]
    public void Apply_ModifiedAndNewElements_KeepLiveNeighboursInOrder()
    {
        var live = """{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""";

        var result = Patch(live, """{"spec":{"containers":[{"name":"b","image":"y"},{"name":"c"}]}}""", PodSchema);

        Json.AssertEqual(result, """{"spec":{"containers":[{"name":"a"},{"name":"b","image":"y"},{"name":"c"}]}}""");
    }

    // Element-order cases as upstream's patch_test.go describes them (mergingList keyed by name).
    [TestCase(
        """[{"name":"1","other":"a"},{"name":"2","value":2,"other":"b"}]""",
        """{"$setElementOrder/containers":[{"name":"4"},{"name":"1"},{"name":"2"},{"name":"3"}],"containers":[{"name":"4","value":4},{"name":"3","value":3}]}""",
        """[{"name":"4","value":4},{"name":"1","other":"a"},{"name":"2","value":2,"other":"b"},{"name":"3","value":3}]""")]
    [TestCase(
        """[{"name":"1","other":"a"},{"name":"3","value":3},{"name":"4","value":4},{"name":"2","value":2},{"name":"9"}]""",
        """{"$setElementOrder/containers":[{"name":"4"},{"name":"2"},{"name":"3"},{"name":"1"}]}""",
        """[{"name":"4","value":4},{"name":"2","value":2},{"name":"3","value":3},{"name":"1","other":"a"},{"name":"9"}]""")]
    [TestCase(
        """[{"name":"1","other":"a"},{"name":"2","value":2},{"name":"9"},{"name":"3","value":3},{"name":"4","value":4}]""",
        """{"$setElementOrder/containers":[{"name":"2"},{"name":"1"},{"name":"4"},{"name":"3"}]}""",
        """[{"name":"2","value":2},{"name":"1","other":"a"},{"name":"9"},{"name":"4","value":4},{"name":"3","value":3}]""")]
    [TestCase(
        """[{"name":"1","other":"a"},{"name":"2","value":2},{"name":"7"},{"name":"9"},{"name":"8"},{"name":"3","value":3},{"name":"4","value":4}]""",
        """{"$setElementOrder/containers":[{"name":"2"},{"name":"1"},{"name":"4"},{"name":"3"}]}""",
        """[{"name":"2","value":2},{"name":"1","other":"a"},{"name":"7"},{"name":"9"},{"name":"8"},{"name":"4","value":4},{"name":"3","value":3}]""")]
    public void Apply_SetElementOrder_OrdersLikeUpstream(string liveList, string specPatch, string expected)
    {
        // The pod schema only supplies the merge key; extra fields ride along as unknown JSON.
        var result = Patch("""{"spec":{"containers":""" + liveList + "}}", """{"spec":""" + specPatch + "}", PodSchema);

        Json.AssertEqual(result["spec"]!["containers"], expected);
    }

    [Test]
    public void Apply_SetElementOrderNamingAbsentElements_IgnoresThem()
    {
        var result = Patch("""{"spec":{"containers":[{"name":"1"},{"name":"3"}]}}""",
            """{"spec":{"$setElementOrder/containers":[{"name":"3"},{"name":"2"},{"name":"1"}],"containers":[{"name":"3","image":"x"},{"$patch":"delete","name":"9"},{"name":"1","image":"y"}]}}""", PodSchema);

        Json.AssertEqual(result["spec"]!["containers"], """[{"name":"3","image":"x"},{"name":"1","image":"y"}]""");
    }

    [Test]
    public void Apply_SetElementOrderOfPrimitives_OrdersTheSet()
    {
        var result = Patch("""{"metadata":{"finalizers":["1","2","4"]}}""",
            """{"metadata":{"$setElementOrder/finalizers":["1","2","3"],"finalizers":["3"]}}""", PodSchema);

        Json.AssertEqual(result["metadata"]!["finalizers"], """["1","2","3","4"]""");
    }

    [Test]
    public void Apply_SetElementOrderForAbsentList_TakesThePatchList()
    {
        var result = Patch("""{"spec":{}}""",
            """{"spec":{"$setElementOrder/volumes":[{"name":"b"},{"name":"a"}],"volumes":[{"name":"b","emptyDir":{"$patch":"replace"}},{"name":"a","emptyDir":{}}]}}""", PodSchema);

        Json.AssertEqual(result["spec"]!["volumes"], """[{"name":"b","emptyDir":{}},{"name":"a","emptyDir":{}}]""");
    }

    [Test]
    public void Apply_ReplaceDirectiveInList_ReplacesTheWholeList()
    {
        var live = """{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b"}]}}""";

        var result = Patch(live, """{"spec":{"containers":[{"name":"c"},{"$patch":"replace"}]}}""", PodSchema);

        Json.AssertEqual(result, """{"spec":{"containers":[{"name":"c"}]}}""");
    }

    [Test]
    public void Apply_ReplaceDirectiveInMap_ReplacesTheMap()
    {
        var live = """{"metadata":{"labels":{"a":"1","b":"2"}}}""";

        var result = Patch(live, """{"metadata":{"labels":{"$patch":"replace","c":"3"}}}""", PodSchema);

        Json.AssertEqual(result, """{"metadata":{"labels":{"c":"3"}}}""");
    }

    [Test]
    public void Apply_DeleteDirectiveInMap_LeavesAnEmptyMapAsUpstream()
    {
        var live = """{"metadata":{"labels":{"a":"1"}},"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"1"}}}]}}""";

        var result = Patch(live, """{"metadata":{"labels":{"$patch":"delete"}},"spec":{"containers":[{"name":"a","resources":{"$patch":"delete"}}],"securityContext":{"$patch":"delete"}}}""", PodSchema);

        Json.AssertEqual(result, """{"metadata":{"labels":{}},"spec":{"containers":[{"name":"a","resources":{}}]}}""");
    }

    [Test]
    public void Apply_MergeDirective_MergesAsUsual()
    {
        var result = Patch("""{"metadata":{"labels":{"a":"1"}}}""", """{"metadata":{"labels":{"$patch":"merge","b":"2"}}}""", PodSchema);

        Json.AssertEqual(result, """{"metadata":{"labels":{"a":"1","b":"2"}}}""");
    }

    [Test]
    public void Apply_NewValuesCarryingDirectives_AreStrippedOfThem()
    {
        var patch = """
            {"spec":{"containers":[{"name":"new","$setElementOrder/env":[{"name":"X"}],"env":[{"name":"X","value":null}],"$retainKeys":["name"]}],
                     "securityContext":{"$retainKeys":["runAsUser"],"runAsUser":1,"fsGroup":null}}}
            """;

        var result = Patch("""{"spec":{}}""", patch, PodSchema);

        Json.AssertEqual(result, """{"spec":{"containers":[{"name":"new","env":[{"name":"X"}]}],"securityContext":{"runAsUser":1}}}""");
    }

    [Test]
    public void Apply_UnknownFields_BehaveLikeMergePatch()
    {
        var live = """{"spec":{"x-custom":{"list":[1,2],"keep":true}}}""";

        var result = Patch(live, """{"spec":{"x-custom":{"list":[3],"new":{"a":null,"b":1}}}}""", PodSchema);

        Json.AssertEqual(result, """{"spec":{"x-custom":{"list":[3],"keep":true,"new":{"b":1}}}}""");
    }

    [Test]
    public void Apply_NoSchema_BehavesLikeMergePatchOnLists()
    {
        var result = StrategicMergePatch.Apply(Json.Object("""{"l":[1,2],"m":{"a":1}}"""), JsonNode.Parse("""{"l":[3],"m":{"b":2}}"""), null);

        Json.AssertEqual(result, """{"l":[3],"m":{"a":1,"b":2}}""");
    }

    [TestCase("""{"spec":{"containers":[{"image":"x"}]}}""", 400, "does not contain declared merge key: name")]
    [TestCase("""{"spec":{"containers":[{"$patch":"delete"}]}}""", 400, "does not contain declared merge key: name")]
    [TestCase("""{"spec":{"containers":[{"$patch":"explode","name":"a"}]}}""", 400, "unknown patch type")]
    [TestCase("""{"metadata":{"labels":{"$patch":7}}}""", 400, "unknown patch type")]
    [TestCase("""{"spec":{"$setElementOrder/containers":{"name":"a"}}}""", 400, "invalid patch format of setElementOrder list")]
    [TestCase("""{"spec":{"$setElementOrder/":[]}}""", 400, "invalid patch format of setElementOrder list")]
    [TestCase("""{"metadata":{"$deleteFromPrimitiveList/":["a"]}}""", 400, "invalid patch format of primitive list")]
    [TestCase("""{"spec":{"strategy":{"$retainKeys":"type"}}}""", 400, "invalid patch format of retainKeys")]
    [TestCase("""{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"b"},{"name":"a","image":"x"}]}}""", 400, "doesn't match $setElementOrder list")]
    [TestCase("""{"metadata":{"$setElementOrder/finalizers":["a","b"],"finalizers":["b","a"]}}""", 400, "doesn't match $setElementOrder list")]
    [TestCase("""{"metadata":{"finalizers":[["a"]]}}""", 422, "lists of lists are not supported")]
    [TestCase("""{"metadata":{"finalizers":[1]}}""", 400, "list element types are not identical")]
    public void Apply_MalformedPatch_IsRefused(string patch, int code, string detail)
    {
        var live = """{"metadata":{"labels":{"a":"1"},"finalizers":["a"]},"spec":{"containers":[{"name":"a"}],"strategy":{}}}""";

        var error = Assert.Throws<PatchException>(() => Patch(live, patch, PodSchema));

        Assert.That(error!.StatusCode, Is.EqualTo(code));
        Assert.That(error.Detail, Does.Contain(detail));
    }

    [Test]
    public void Apply_PatchNotAnObject_IsBadRequest()
    {
        var error = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(new JsonObject(), JsonNode.Parse("[1]"), PodSchema));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
    }

    [Test]
    public void Apply_HugePrimitiveList_MergesInLinearTime()
    {
        var values = new JsonArray();
        for (var i = 0; i < 200_000; i++)
        {
            values.Add($"f{i}");
        }
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = values } };
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var result = StrategicMergePatch.Apply(Json.Object("""{"metadata":{"finalizers":["a"]}}"""), patch, PodSchema);

        Assert.That(result["metadata"]!["finalizers"]!.AsArray(), Has.Count.EqualTo(200_001));
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [TestCase(3)]
    [TestCase(17)]
    [TestCase(99)]
    public void Apply_PatchEqualToLive_IsIdentity(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 50; round++)
        {
            var live = RandomPod(random);

            var result = StrategicMergePatch.Apply((JsonObject)live.DeepClone(), live, PodSchema);

            Assert.That(JsonNode.DeepEquals(result, live), Is.True, $"seed {seed} round {round}: {live.ToJsonString()} became {result.ToJsonString()}");
        }
    }

    internal static JsonObject RandomPod(Random random)
    {
        var containers = new JsonArray();
        foreach (var name in new[] { "a", "b", "c", "d" }.OrderBy(_ => random.Next()).Take(random.Next(1, 4)))
        {
            var env = new JsonArray();
            foreach (var variable in new[] { "X", "Y", "Z" }.Where(_ => random.Next(2) == 0))
            {
                env.Add(new JsonObject { ["name"] = variable, ["value"] = random.Next(10).ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }
            containers.Add(new JsonObject { ["name"] = name, ["image"] = "img" + random.Next(3), ["env"] = env, ["args"] = new JsonArray("x", "y") });
        }
        var finalizers = new JsonArray();
        foreach (var finalizer in new[] { "f1", "f2", "f3" }.Where(_ => random.Next(2) == 0))
        {
            finalizers.Add(finalizer);
        }
        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "p", ["labels"] = RandomJson.Object(random, 1), ["finalizers"] = finalizers },
            ["spec"] = new JsonObject { ["containers"] = containers, ["extra"] = RandomJson.Value(random, 3) },
        };
    }

    private static JsonObject Patch(string live, string patch, SchemaNode schema) =>
        StrategicMergePatch.Apply(Json.Object(live), JsonNode.Parse(patch), schema);
}
