using k8s.Models;

namespace MiniKube.Client.Tests;

[TestFixture]
public sealed class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web", ["tier"] = "front" };

    [Test]
    public void From_MatchLabelsAndExpressions_AllMustHold()
    {
        var selector = LabelSelector.From(new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
            MatchExpressions =
            [
                new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["front", "back"] },
                new V1LabelSelectorRequirement { Key = "canary", OperatorProperty = "DoesNotExist" },
            ],
        });
        Assert.Multiple(() =>
        {
            Assert.That(selector.Matches(Web), Is.True);
            Assert.That(selector.Matches(new Dictionary<string, string>(Web) { ["canary"] = "yes" }), Is.False);
            Assert.That(selector.Matches(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "db" }), Is.False);
            Assert.That(selector.Matches((IDictionary<string, string>?)null), Is.False);
        });
    }

    [Test]
    public void From_NotInAndExists_AsUpstream()
    {
        var notIn = Expression("tier", "NotIn", "back");
        var exists = Expression("tier", "Exists");
        Assert.Multiple(() =>
        {
            Assert.That(notIn.Matches(Web), Is.True);
            Assert.That(notIn.Matches(new Dictionary<string, string>()), Is.True, "NotIn matches objects without the label");
            Assert.That(notIn.Matches(new Dictionary<string, string> { ["tier"] = "back" }), Is.False);
            Assert.That(exists.Matches(Web), Is.True);
            Assert.That(exists.Matches(new Dictionary<string, string> { ["app"] = "web" }), Is.False);
        });
    }

    [Test]
    public void From_NullAndEmpty_SelectNothingAndEverything()
    {
        Assert.Multiple(() =>
        {
            Assert.That(LabelSelector.From(null).Matches(Web), Is.False);
            Assert.That(LabelSelector.From(new V1LabelSelector()).Matches((IDictionary<string, string>?)null), Is.True);
            Assert.That(LabelSelector.From(new V1LabelSelector()).IsEverything, Is.True);
            Assert.That(LabelSelector.FromMap(null).Matches(Web), Is.True);
        });
    }

    [Test]
    public void From_InvalidRequirement_Throws()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Expression("a", "Near"), Throws.ArgumentException);
            Assert.That(() => Expression("a", "In"), Throws.ArgumentException, "In needs values");
            Assert.That(() => Expression("a", "Exists", "x"), Throws.ArgumentException, "Exists takes none");
        });
    }

    [Test]
    public void FromMap_Matches_EveryPairAndToStringIsQuerySyntax()
    {
        var selector = LabelSelector.FromMap(new Dictionary<string, string> { ["tier"] = "front", ["app"] = "web" });
        Assert.Multiple(() =>
        {
            Assert.That(selector.Matches(Web), Is.True);
            Assert.That(selector.Matches(new Dictionary<string, string> { ["app"] = "web" }), Is.False);
            Assert.That(selector.ToString(), Is.EqualTo("app=web,tier=front"));
            Assert.That(Expression("t", "NotIn", "b", "a").ToString(), Is.EqualTo("t notin (a,b)"));
        });
    }

    private static LabelSelector Expression(string key, string op, params string[] values) =>
        LabelSelector.From(new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values }] });
}
