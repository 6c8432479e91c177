using System.Text.Json.Nodes;
using k8s.Models;
using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Tests.Schema;

public class FieldPrunerTests
{
    private static readonly SchemaNode Deployment = ModelSchema.For(typeof(V1Deployment));
    private static readonly SchemaNode Pod = ModelSchema.For(typeof(V1Pod));

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    [Test]
    public void Prune_KnownFieldsOnly_ChangesNothing()
    {
        var json = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},
                                 "spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}],
                                                        "resources":{"limits":{"cpu":"100m","memory":1024}}}]}},
                     "strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":1}}},
             "status":{"replicas":2}}
            """;
        var obj = Parse(json);

        var result = FieldPruner.Prune(obj, Deployment);

        Assert.That(result.UnknownFields, Is.Empty);
        Assert.That(result.TypeError, Is.Null);
        Assert.That(JsonNode.DeepEquals(obj, Parse(json)), Is.True);
    }

    [Test]
    public void Prune_UnknownFields_RemovesThemAndReportsUpstreamPaths()
    {
        var obj = Parse("""
            {"kind":"Deployment","x":1,
             "spec":{"foo":true,"template":{"spec":{"containers":[{"name":"a"},{"name":"b","imagee":"nginx"}]}}}}
            """);

        var result = FieldPruner.Prune(obj, Deployment);

        Assert.That(result.UnknownFields, Is.EqualTo(new[] { "x", "spec.foo", "spec.template.spec.containers[1].imagee" }));
        Assert.That(obj.ContainsKey("x"), Is.False);
        Assert.That(obj["spec"]!.AsObject().ContainsKey("foo"), Is.False);
        Assert.That(obj["spec"]!["template"]!["spec"]!["containers"]![1]!.AsObject().ContainsKey("imagee"), Is.False);
        Assert.That(obj["spec"]!["template"]!["spec"]!["containers"]![1]!["name"]!.GetValue<string>(), Is.EqualTo("b"));
        Assert.That(result.TypeError, Is.Null);
    }

    [Test]
    public void Prune_FieldNamesAreCaseSensitive()
    {
        var obj = Parse("""{"spec":{"containers":[{"Name":"a"}]}}""");

        var result = FieldPruner.Prune(obj, Pod);

        Assert.That(result.UnknownFields, Is.EqualTo(new[] { "spec.containers[0].Name" }));
    }

    [Test]
    public void Prune_UnknownFieldInNestedList_IndexesEachList()
    {
        var obj = Parse("""{"spec":{"containers":[{"name":"a","resources":{"claims":[{"name":"x","bogus":1}]}}]}}""");

        var result = FieldPruner.Prune(obj, Pod);

        Assert.That(result.UnknownFields, Is.EqualTo(new[] { "spec.containers[0].resources.claims[0].bogus" }));
    }

    [Test]
    public void StrictDecodingError_ListsEveryUnknownField()
    {
        var result = FieldPruner.Prune(Parse("""{"spec":{"foo":1},"x":2}"""), Deployment);

        Assert.That(result.StrictDecodingError, Is.EqualTo("""strict decoding error: unknown field "spec.foo", unknown field "x" """.TrimEnd()));
        Assert.That(result.Warnings, Is.EqualTo(new[] { """unknown field "spec.foo" """.TrimEnd(), """unknown field "x" """.TrimEnd() }));
        Assert.That(result.DecodeError(strict: true), Is.EqualTo(result.StrictDecodingError));
        Assert.That(result.DecodeError(strict: false), Is.Null);
    }

    [Test]
    public void DecodeFailure_Strict_WrapsLikeTransformDecodeError()
    {
        var result = FieldPruner.Prune(Parse("""{"spec":{"foo":1}}"""), Deployment);

        Assert.That(result.DecodeFailure("Deployment", "v1", strict: true),
            Is.EqualTo("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.foo\""));
        Assert.That(result.DecodeFailure("Deployment", "v1", strict: false), Is.Null);
    }

    [Test]
    public void Prune_StringForInteger_ReportsGoDecodeError()
    {
        var result = FieldPruner.Prune(Parse("""{"spec":{"replicas":"3"}}"""), Deployment);

        Assert.That(result.TypeError, Is.EqualTo("json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"));
        Assert.That(result.DecodeError(strict: false), Is.EqualTo(result.TypeError));
    }

    [Test]
    public void Prune_NumberInStringMap_ReportsOwningStructAndFieldPath()
    {
        var result = FieldPruner.Prune(Parse("""{"metadata":{"labels":{"app":1}}}"""), Pod);

        Assert.That(result.TypeError, Is.EqualTo("json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"));
    }

    [Test]
    public void Prune_TypeErrorInsideArray_OmitsIndexesLikeGo()
    {
        var result = FieldPruner.Prune(Parse("""{"spec":{"containers":[{"name":"a","image":5}]}}"""), Pod);

        Assert.That(result.TypeError, Is.EqualTo("json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string"));
    }

    [TestCase("""{"spec":{"containers":{}}}""", "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container")]
    [TestCase("""{"spec":[]}""", "json: cannot unmarshal array into Go struct field Pod.spec of type v1.PodSpec")]
    [TestCase("""{"spec":{"hostNetwork":"yes"}}""", "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool")]
    [TestCase("""{"spec":{"activeDeadlineSeconds":1.5}}""", "json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64")]
    [TestCase("""{"spec":{"priority":3000000000}}""", "json: cannot unmarshal number 3000000000 into Go struct field PodSpec.spec.priority of type int32")]
    [TestCase("""{"spec":{"containers":[{"name":"a","livenessProbe":{"httpGet":{"port":true}}}]}}""", "json: cannot unmarshal bool into Go struct field HTTPGetAction.spec.containers.livenessProbe.httpGet.port of type int32")]
    [TestCase("""{"metadata":{"creationTimestamp":5}}""", "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string")]
    [TestCase("""{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":true}}}]}}""", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")]
    [TestCase("""{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"lots"}}}]}}""", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")]
    public void Prune_WrongType_ReportsGoStyleError(string json, string expected)
    {
        var result = FieldPruner.Prune(Parse(json), Pod);

        Assert.That(result.TypeError, Is.EqualTo(expected));
    }

    [Test]
    public void Prune_BadTime_ReportsParseError()
    {
        var result = FieldPruner.Prune(Parse("""{"metadata":{"creationTimestamp":"yesterday"}}"""), Pod);

        Assert.That(result.TypeError, Does.StartWith("parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\""));
    }

    [Test]
    public void Prune_SecretData_MustBeBase64()
    {
        var secret = ModelSchema.For(typeof(V1Secret));

        Assert.That(FieldPruner.Prune(Parse("""{"data":{"k":"aGVsbG8="}}"""), secret).TypeError, Is.Null);
        Assert.That(FieldPruner.Prune(Parse("""{"data":{"k":"he!lo"}}"""), secret).TypeError, Is.EqualTo("illegal base64 data at input byte 2"));
        Assert.That(FieldPruner.Prune(Parse("""{"data":{"k":1}}"""), secret).TypeError,
            Is.EqualTo("json: cannot unmarshal number into Go struct field Secret.data of type []uint8"));
    }

    [Test]
    public void Prune_ValidScalarVariants_AreAccepted()
    {
        var obj = Parse("""
            {"metadata":{"creationTimestamp":"2024-01-02T03:04:05Z","deletionTimestamp":null,"labels":null},
             "spec":{"priority":-5,"containers":[{"name":"a","ports":[{"containerPort":80}],
                     "livenessProbe":{"httpGet":{"port":"http"},"tcpSocket":{"port":8080}},
                     "resources":{"requests":{"cpu":0.5,"memory":"1Gi"}}}],
                     "overhead":{"cpu":"250m"}}}
            """);

        var result = FieldPruner.Prune(obj, Pod);

        Assert.That(result.TypeError, Is.Null);
        Assert.That(result.UnknownFields, Is.Empty);
    }

    [Test]
    public void Prune_TypeErrorAndUnknownField_KeepsFirstTypeErrorAndStillPrunes()
    {
        var obj = Parse("""{"spec":{"replicas":"x","minReadySeconds":"y","bogus":1}}""");

        var result = FieldPruner.Prune(obj, Deployment);

        Assert.That(result.TypeError, Does.Contain("spec.replicas"));
        Assert.That(result.UnknownFields, Is.EqualTo(new[] { "spec.bogus" }));
        Assert.That(result.DecodeError(strict: true), Is.EqualTo(result.TypeError), "a type error trumps strict errors, as in the Go decoder");
    }

    [Test]
    public void Prune_FreeFormFields_KeepEverything()
    {
        var revision = ModelSchema.For(typeof(V1ControllerRevision));
        var obj = Parse("""{"revision":1,"data":{"spec":{"anything":[1,"two"]}}}""");

        var result = FieldPruner.Prune(obj, revision);

        Assert.That(result.UnknownFields, Is.Empty);
        Assert.That(obj["data"]!["spec"]!["anything"]!.AsArray(), Has.Count.EqualTo(2));
    }

    [Test]
    public void Quote_EscapesLikeGoStrconv()
    {
        Assert.That(FieldPruner.Quote("a\"b\\c\nd"), Is.EqualTo("\"a\\\"b\\\\c\\nd\""));
    }
}
