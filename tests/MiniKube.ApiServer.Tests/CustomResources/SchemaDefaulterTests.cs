using MiniKube.ApiServer.CustomResources;
using static MiniKube.ApiServer.Tests.CustomResources.SchemaFixtures;

namespace MiniKube.ApiServer.Tests.CustomResources;

public class SchemaDefaulterTests
{
    [Test]
    public void Apply_AbsentFields_GetDefaultsTopDown()
    {
        // The default of "limits" is itself completed by the default of its "cpu" property.
        var schema = Spec("""
            {"replicas":{"type":"integer","default":1},
             "limits":{"type":"object","default":{},"properties":{"cpu":{"type":"string","default":"100m"},"memory":{"type":"string"}}}}
            """);
        var obj = Json("""{"spec":{}}""");

        SchemaDefaulter.Apply(obj, schema);

        Assert.That(obj["spec"]!.ToJsonString(), Is.EqualTo("""{"replicas":1,"limits":{"cpu":"100m"}}"""));
    }

    [Test]
    public void Apply_PresentValues_AreKept()
    {
        var schema = Spec("""{"replicas":{"type":"integer","default":1}}""");
        var obj = Json("""{"spec":{"replicas":0}}""");

        SchemaDefaulter.Apply(obj, schema);

        Assert.That(obj["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(0));
    }

    [Test]
    public void Apply_Nulls_DefaultedOnlyWhenNotNullable()
    {
        var schema = Spec("""{"a":{"type":"string","default":"x"},"b":{"type":"string","nullable":true,"default":"y"}}""");
        var obj = Json("""{"spec":{"a":null,"b":null}}""");

        SchemaDefaulter.Apply(obj, schema);

        Assert.That(obj["spec"]!.ToJsonString(), Is.EqualTo("""{"a":"x","b":null}"""));
    }

    [Test]
    public void Apply_ItemsAndAdditionalProperties_AreDefaulted()
    {
        var schema = Spec("""
            {"ports":{"type":"array","items":{"type":"object","properties":{"protocol":{"type":"string","default":"TCP"},"port":{"type":"integer"}}}},
             "limits":{"type":"object","additionalProperties":{"type":"object","properties":{"unit":{"type":"string","default":"Mi"}}}},
             "names":{"type":"array","items":{"type":"string","default":"unnamed"}}}
            """);
        var obj = Json("""{"spec":{"ports":[{"port":80},{"port":53,"protocol":"UDP"}],"limits":{"mem":{}},"names":["a",null]}}""");

        SchemaDefaulter.Apply(obj, schema);

        Assert.That(obj["spec"]!.ToJsonString(), Is.EqualTo(
            """{"ports":[{"port":80,"protocol":"TCP"},{"port":53,"protocol":"UDP"}],"limits":{"mem":{"unit":"Mi"}},"names":["a","unnamed"]}"""));
    }

    [Test]
    public void Apply_DefaultValue_IsCopiedNotShared()
    {
        var schema = Spec("""{"a":{"type":"object","default":{"x":1},"properties":{"x":{"type":"integer"}}}}""");
        var first = Json("""{"spec":{}}""");
        var second = Json("""{"spec":{}}""");

        SchemaDefaulter.Apply(first, schema);
        SchemaDefaulter.Apply(second, schema);
        first["spec"]!["a"]!["x"] = 2;

        Assert.That(second["spec"]!["a"]!["x"]!.GetValue<int>(), Is.EqualTo(1));
    }
}
