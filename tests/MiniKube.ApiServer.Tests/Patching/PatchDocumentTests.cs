using System.Text;
using MiniKube.ApiServer.Patching;

namespace MiniKube.ApiServer.Tests.Patching;

public class PatchDocumentTests
{
    [Test]
    public void Parse_JsonBody_ReturnsTheNodes()
    {
        Json.AssertEqual(PatchDocument.Parse(Json.Bytes("""{"a":[1,"x",null]}"""), PatchFormat.MergePatch), """{"a":[1,"x",null]}""");
    }

    [TestCase(PatchFormat.JsonPatch, "{\"a\":")]
    [TestCase(PatchFormat.MergePatch, "{\"a\":")]
    [TestCase(PatchFormat.StrategicMergePatch, "{\"a\":")]
    [TestCase(PatchFormat.MergePatch, "{\"a\":1,\"a\":2}")]
    public void Parse_InvalidJson_IsBadRequestInvalidJsonPatch(PatchFormat format, string body)
    {
        var error = Assert.Throws<PatchException>(() => PatchDocument.Parse(Json.Bytes(body), format));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
        Assert.That(error.Message, Is.EqualTo("invalid JSON patch"));
    }

    [TestCase(PatchFormat.MergePatch, 256, false)]
    [TestCase(PatchFormat.MergePatch, 257, true)]
    [TestCase(PatchFormat.MergePatch, 100_000, true)]
    [TestCase(PatchFormat.ApplyPatch, 100_000, true)]
    public void Parse_NestedJson_IsBoundedByMaxDepth(PatchFormat format, int depth, bool refused)
    {
        var body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth));

        if (refused)
        {
            var error = Assert.Throws<PatchException>(() => PatchDocument.Parse(body, format));
            Assert.That(error!.StatusCode, Is.EqualTo(400));
        }
        else
        {
            Assert.That(PatchDocument.Parse(body, format), Is.Not.Null);
        }
    }

    [Test]
    public void Parse_DeeplyNestedYaml_IsRefused()
    {
        var body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("[", 5000)) + new string(']', 5000));

        var error = Assert.Throws<PatchException>(() => PatchDocument.Parse(body, PatchFormat.ApplyPatch));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
    }

    [Test]
    public void Parse_YamlApplyPatch_ResolvesScalarsByTheCoreSchema()
    {
        var yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: demo
              labels: {app: web, "quoted": "true"}
            data:
              count: "3"
              empty: ''
            spec:
              int: 42
              negative: -7
              float: 1.5
              yes: yes
              on: true
              nothing: ~
              blank:
              forced: !!str 12
              list:
                - a
                - 2
                - false
              block: |
                line one
                line two
            """;

        var result = PatchDocument.Parse(Encoding.UTF8.GetBytes(yaml), PatchFormat.ApplyPatch);

        Json.AssertEqual(result, """
            {"apiVersion":"v1","kind":"ConfigMap",
             "metadata":{"name":"demo","labels":{"app":"web","quoted":"true"}},
             "data":{"count":"3","empty":""},
             "spec":{"int":42,"negative":-7,"float":1.5,"yes":"yes","on":true,"nothing":null,"blank":null,"forced":"12",
                     "list":["a",2,false],"block":"line one\nline two"}}
            """);
    }

    [Test]
    public void Parse_ApplyPatchAsJson_KeepsNumbersAsWritten()
    {
        var result = PatchDocument.Parse(Json.Bytes("""{"spec":{"replicas":3,"ratio":1.0}}"""), PatchFormat.ApplyPatch);

        Assert.That(result!["spec"]!["ratio"]!.ToJsonString(), Is.EqualTo("1.0"));
    }

    [Test]
    public void Parse_FlowYamlStartingWithABrace_IsReadAsYaml()
    {
        Json.AssertEqual(PatchDocument.Parse(Json.Bytes("{a: 1, b: [x]}"), PatchFormat.ApplyPatch), """{"a":1,"b":["x"]}""");
    }

    [Test]
    public void Parse_YamlAliases_AreRefused()
    {
        var yaml = """
            a: &a ["x","x","x","x","x","x","x","x","x"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            """;

        var error = Assert.Throws<PatchException>(() => PatchDocument.Parse(Encoding.UTF8.GetBytes(yaml), PatchFormat.ApplyPatch));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
        Assert.That(error.Message, Does.Contain("aliases"));
    }

    [TestCase("a: [1")]
    [TestCase("? [a]\n: 1")]
    public void Parse_BrokenYaml_IsBadRequest(string yaml)
    {
        var error = Assert.Throws<PatchException>(() => PatchDocument.Parse(Encoding.UTF8.GetBytes(yaml), PatchFormat.ApplyPatch));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
        Assert.That(error.Message, Does.StartWith("error decoding patch: "));
    }

    [Test]
    public void Parse_MultiDocumentYaml_ReadsTheFirst()
    {
        Json.AssertEqual(PatchDocument.Parse(Encoding.UTF8.GetBytes("a: 1\n---\nb: 2\n"), PatchFormat.ApplyPatch), """{"a":1}""");
    }
}
