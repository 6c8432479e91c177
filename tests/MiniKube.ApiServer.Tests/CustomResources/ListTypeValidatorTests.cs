using MiniKube.ApiServer.CustomResources;
using static MiniKube.ApiServer.Tests.CustomResources.SchemaFixtures;

namespace MiniKube.ApiServer.Tests.CustomResources;

public class ListTypeValidatorTests
{
    private static List<string> Errors(string properties, string spec) =>
        Messages(ListTypeValidator.Validate(Json("{\"spec\":" + spec + "}"), Spec(properties)));

    [Test]
    public void Validate_SetWithRepeats_ReportsEachRepeatOnce()
    {
        var errors = Errors("""{"s":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}""", """{"s":["a","b","a","a","b"]}""");

        Assert.That(errors, Is.EqualTo(new[] { "spec.s[2]: Duplicate value: \"a\"", "spec.s[4]: Duplicate value: \"b\"" }));
    }

    [Test]
    public void Validate_SetOfNumbersAndObjects_ComparesWholeValues()
    {
        Assert.That(Errors("""{"s":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"integer"}}}""", """{"s":[1,2,1]}"""),
            Is.EqualTo(new[] { "spec.s[2]: Duplicate value: 1" }));
        Assert.That(Errors("""{"s":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"object","x-kubernetes-map-type":"atomic"}}}""", """{"s":[{"a":1,"b":"x"},{"b":"x","a":1}]}"""),
            Is.EqualTo(new[] { "spec.s[1]: Duplicate value: map[string]interface {}{\"a\":1, \"b\":\"x\"}" }));
    }

    [Test]
    public void Validate_MapWithDuplicateKey_ReportsTheKeyAsAGoMap()
    {
        var errors = Errors("""{"env":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],"items":{"type":"object","properties":{"name":{"type":"string"},"value":{"type":"string"}}}}}""",
            """{"env":[{"name":"a","value":"1"},{"name":"b"},{"name":"a","value":"2"}]}""");

        Assert.That(errors, Is.EqualTo(new[] { "spec.env[2]: Duplicate value: map[string]interface {}{\"name\":\"a\"}" }));
    }

    [Test]
    public void Validate_MapWithCompositeKeys_ComparesAllKeys()
    {
        const string properties = """{"ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["port","protocol"],"items":{"type":"object","properties":{"port":{"type":"integer"},"protocol":{"type":"string"}}}}}""";

        Assert.That(Errors(properties, """{"ports":[{"port":80,"protocol":"TCP"},{"port":80,"protocol":"UDP"}]}"""), Is.Empty);
        Assert.That(Errors(properties, """{"ports":[{"port":80,"protocol":"TCP"},{"protocol":"TCP","port":80}]}"""),
            Is.EqualTo(new[] { "spec.ports[1]: Duplicate value: map[string]interface {}{\"port\":80, \"protocol\":\"TCP\"}" }));
    }

    [Test]
    public void Validate_MapItemNotAnObject_IsInvalid() =>
        Assert.That(Errors("""{"m":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"}}}}}""", """{"m":[{"k":"a"},"x"]}"""),
            Is.EqualTo(new[] { "spec.m[1]: Invalid value: \"x\": must be an object for an array of list-type map" }));

    [Test]
    public void Validate_ListsInsideMapsAndLists_UseFieldPathKeys() =>
        Assert.That(Errors("""{"groups":{"type":"object","additionalProperties":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}}""", """{"groups":{"admins":["x","x"]}}"""),
            Is.EqualTo(new[] { "spec.groups[admins][1]: Duplicate value: \"x\"" }));

    [Test]
    public void Validate_AtomicList_AllowsRepeats() =>
        Assert.That(Errors("""{"s":{"type":"array","x-kubernetes-list-type":"atomic","items":{"type":"string"}}}""", """{"s":["a","a"]}"""), Is.Empty);
}
