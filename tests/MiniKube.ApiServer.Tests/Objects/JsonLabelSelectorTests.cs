using System.Text.Json.Nodes;
using MiniKube.Api;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Tests.Objects;

/// <summary>Selectors read from wire-format JSON; their meaning is MiniKube.Api's LabelSelector (tested there).</summary>
public class JsonLabelSelectorTests
{
    private static JsonObject Labels(string json) => JsonNode.Parse(json)!.AsObject();

    [Test]
    public void From_MatchLabelsAndExpressions_AreAnded()
    {
        var selector = JsonLabelSelector.From(Labels("""
            {"matchLabels":{"app":"web"},
             "matchExpressions":[{"key":"tier","operator":"In","values":["fe","be"]},
                                 {"key":"canary","operator":"DoesNotExist"},
                                 {"key":"zone","operator":"Exists"},
                                 {"key":"env","operator":"NotIn","values":["dev"]}]}
            """));

        Assert.That(selector.Matches(Labels("""{"app":"web","tier":"be","zone":"a"}""")), Is.True);
        Assert.That(selector.Matches(Labels("""{"app":"web","tier":"be","zone":"a","canary":"1"}""")), Is.False);
        Assert.That(selector.Matches(Labels("""{"app":"web","tier":"be","zone":"a","env":"dev"}""")), Is.False);
        Assert.That(selector.Matches(Labels("""{"app":"web","tier":"be"}""")), Is.False);
        Assert.That(selector.ToString(), Is.EqualTo("app=web,!canary,env notin (dev),tier in (be,fe),zone"));
    }

    [Test]
    public void From_NullSelectsNothingAndEmptySelectsEverything()
    {
        Assert.That(JsonLabelSelector.From(null).Matches(Labels("{}")), Is.False);
        Assert.That(JsonLabelSelector.From(null).IsEverything, Is.False);
        Assert.That(JsonLabelSelector.From(Labels("{}")).Matches(Labels("""{"a":"b"}""")), Is.True);
        Assert.That(JsonLabelSelector.From(Labels("""{"matchLabels":{}}""")).IsEverything, Is.True);
    }

    [Test]
    public void From_BadOperatorOrEmptyIn_Throws()
    {
        var op = Assert.Throws<InvalidSelectorException>(() =>
            JsonLabelSelector.From(Labels("""{"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]}""")));
        Assert.That(op!.Message, Is.EqualTo("\"Gt\" is not a valid label selector operator"));

        var empty = Assert.Throws<InvalidSelectorException>(() =>
            JsonLabelSelector.From(Labels("""{"matchExpressions":[{"key":"a","operator":"In","values":[]}]}""")));
        Assert.That(empty!.Message, Is.EqualTo("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"));
    }

    [Test]
    public void FromSet_RequiresEveryPair()
    {
        var selector = JsonLabelSelector.FromSet(Labels("""{"run":"nginx","app":"web"}"""));

        Assert.That(selector.ToString(), Is.EqualTo("app=web,run=nginx"));
        Assert.That(selector.Matches(Labels("""{"run":"nginx","app":"web","x":"y"}""")), Is.True);
        Assert.That(selector.Matches(Labels("""{"run":"nginx"}""")), Is.False);
        Assert.That(JsonLabelSelector.FromSet((JsonObject?)null).IsEverything, Is.True);
    }
}
