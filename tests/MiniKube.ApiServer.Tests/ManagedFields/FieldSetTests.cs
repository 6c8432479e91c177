using System.Text.Json.Nodes;
using MiniKube.ApiServer.ManagedFields;

namespace MiniKube.ApiServer.Tests.ManagedFields;

public class FieldSetTests
{
    [Test]
    public void FromFieldsV1_ThenToFieldsV1_RoundTripsUpstreamText()
    {
        const string text = """{"f:finalizers":{"v:\"a\"":{}},"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}""";

        var set = FieldSet.FromFieldsV1(JsonNode.Parse(text));

        var relaxed = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        Assert.That(set.ToFieldsV1().ToJsonString(relaxed), Is.EqualTo(text));
    }

    [Test]
    public void ToFieldsV1_SortsFieldsThenKeysThenValues()
    {
        var set = new FieldSet();
        set.Insert(PathElement.SetValue(JsonValue.Create("b")));
        set.Insert(PathElement.Key([KeyValuePair.Create("name", (JsonNode?)JsonValue.Create("x"))]));
        set.Insert(PathElement.Field("z"));
        set.Insert(PathElement.SetValue(JsonValue.Create(3)));
        set.Insert(PathElement.Field("a"));

        var keys = set.ToFieldsV1().Select(p => p.Key).ToList();

        Assert.That(keys, Is.EqualTo(new[] { "f:a", "f:z", "k:{\"name\":\"x\"}", "v:3", "v:\"b\"" }));
    }

    [Test]
    public void Key_SortsItsFieldsByName()
    {
        var key = PathElement.Key([KeyValuePair.Create("protocol", (JsonNode?)JsonValue.Create("TCP")), KeyValuePair.Create("containerPort", (JsonNode?)JsonValue.Create(80))]);

        Assert.That(key.Text, Is.EqualTo("k:{\"containerPort\":80,\"protocol\":\"TCP\"}"));
        Assert.That(key.ToString(), Is.EqualTo("[containerPort=80,protocol=\"TCP\"]"));
    }

    [Test]
    public void DifferenceAndIntersection_AreNotRecursive_RecursiveDifferenceIs()
    {
        var a = Set(".spec", ".spec.replicas", ".status.phase");
        var b = Set(".spec");

        Assert.That(Paths(a.Difference(b)), Is.EqualTo(new[] { ".spec.replicas", ".status.phase" }));
        Assert.That(Paths(a.Intersection(b)), Is.EqualTo(new[] { ".spec" }));
        Assert.That(Paths(a.RecursiveDifference(b)), Is.EqualTo(new[] { ".status.phase" }));
        Assert.That(Paths(a.Union(Set(".metadata.name"))), Is.EqualTo(new[] { ".spec", ".metadata.name", ".spec.replicas", ".status.phase" }));
    }

    [TestCase("""{"f:a":"x"}""")]
    [TestCase("""{"q:a":{}}""")]
    [TestCase("""{"k:{bad":{}}""")]
    [TestCase("""[]""")]
    public void FromFieldsV1_Malformed_Throws(string text)
    {
        Assert.Throws<FormatException>(() => FieldSet.FromFieldsV1(JsonNode.Parse(text)));
    }

    internal static FieldSet Set(params string[] dotted)
    {
        var set = new FieldSet();
        foreach (var path in dotted)
        {
            set.Insert(path.Split('.', StringSplitOptions.RemoveEmptyEntries).Select(PathElement.Field).ToArray());
        }
        return set;
    }

    internal static List<string> Paths(FieldSet set) => set.Paths().Select(PathElement.Print).ToList();
}
