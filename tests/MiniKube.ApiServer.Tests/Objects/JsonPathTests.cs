using System.Text.Json.Nodes;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Tests.Objects;

/// <summary>The client-go jsonpath dialect of printer columns, selectable fields and scale paths.</summary>
public class JsonPathTests
{
    private static readonly JsonObject Pod = JsonNode.Parse("""
        {"metadata":{"name":"web","labels":{"app.kubernetes.io/name":"web","tier":"fe"}},
         "spec":{"replicas":3,"ratio":1.5,"paused":false,"empty":null,
                 "containers":[{"name":"a","image":"nginx","ports":[{"containerPort":80}]},
                               {"name":"b","image":"redis","ports":[{"containerPort":6379},{"containerPort":6380}]}]},
         "status":{"conditions":[{"type":"Ready","status":"True","count":2},{"type":"Synced","status":"False","count":5}]}}
        """)!.AsObject();

    private static string[] Eval(string path) =>
        [.. JsonPath.Parse(path).Evaluate(Pod).Select(n => n is null ? "null" : n.ToJsonString())];

    [TestCase(".spec.replicas", "3")]
    [TestCase("{.spec.replicas}", "3")]
    [TestCase("$.spec.replicas", "3")]
    [TestCase(".metadata.labels['app.kubernetes.io/name']", "\"web\"")]
    [TestCase(".metadata.labels[\"tier\"]", "\"fe\"")]
    [TestCase(".spec.containers[0].image", "\"nginx\"")]
    [TestCase(".spec.containers[-1].name", "\"b\"")]
    [TestCase(".status.conditions[?(@.type==\"Ready\")].status", "\"True\"")]
    [TestCase(".status.conditions[?(@.type=='Synced')].status", "\"False\"")]
    [TestCase(".status.conditions[?(@.count>3)].type", "\"Synced\"")]
    [TestCase(".status.conditions[?(@.count<=2)].type", "\"Ready\"")]
    [TestCase(".status.conditions[?(@.type!=\"Ready\")].type", "\"Synced\"")]
    [TestCase(".spec.empty", "null")]
    public void Evaluate_OneResult(string path, string expected)
    {
        Assert.That(Eval(path), Is.EqualTo(new[] { expected }));
    }

    [TestCase(".spec.containers[*].name", new[] { "\"a\"", "\"b\"" })]
    [TestCase(".spec.containers[*].ports[*].containerPort", new[] { "80", "6379", "6380" })]
    [TestCase("..containerPort", new[] { "80", "6379", "6380" })]
    [TestCase(".spec.containers[0:1].name", new[] { "\"a\"" })]
    [TestCase(".spec.containers[:].name", new[] { "\"a\"", "\"b\"" })]
    [TestCase(".metadata.labels.*", new[] { "\"web\"", "\"fe\"" })]
    [TestCase(".metadata['name','labels'].tier", new[] { "\"fe\"" })]
    [TestCase(".spec.containers[?(@.ports[1])].name", new[] { "\"b\"" })]
    [TestCase(".status.conditions[?(@.type)].type", new[] { "\"Ready\"", "\"Synced\"" })]
    public void Evaluate_SeveralResults_InDocumentOrder(string path, string[] expected)
    {
        Assert.That(Eval(path), Is.EqualTo(expected));
    }

    [TestCase(".spec.missing")]
    [TestCase(".spec.replicas.deeper")]
    [TestCase(".spec.containers[5].name")]
    [TestCase(".spec.containers.name")]
    [TestCase(".status.conditions[?(@.type==\"Gone\")].status")]
    public void Evaluate_MissingPath_IsEmpty(string path)
    {
        Assert.That(Eval(path), Is.Empty);
        Assert.That(JsonPath.Parse(path).TryFirst(Pod, out _), Is.False);
    }

    [TestCase(".spec.containers[")]
    [TestCase(".spec[abc]")]
    [TestCase(".spec.")]
    [TestCase("{.spec")]
    [TestCase("spec")]
    [TestCase(".a[?(@.x ~ 1)]")]
    [TestCase(".a[1:2:0]")]
    public void TryParse_Malformed_GivesReason(string path)
    {
        Assert.That(JsonPath.TryParse(path, out var parsed, out var error), Is.False);
        Assert.That(parsed, Is.Null);
        Assert.That(error, Is.Not.Empty);
    }

    [Test]
    public void TryFirst_TakesTheFirstOfSeveral()
    {
        Assert.That(JsonPath.Parse(".spec.containers[*].image").TryFirst(Pod, out var value), Is.True);
        Assert.That((string?)value, Is.EqualTo("nginx"));
    }
}
