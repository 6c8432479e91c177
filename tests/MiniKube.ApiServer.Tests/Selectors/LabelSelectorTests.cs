using System.Text.Json.Nodes;
using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tests.Selectors;

public class LabelSelectorTests
{
    private static JsonObject Labels(string json) => JsonNode.Parse(json)!.AsObject();

    [TestCase("")]
    [TestCase(null)]
    [TestCase("   ")]
    public void Parse_Empty_MatchesEverything(string? selector)
    {
        var parsed = LabelSelector.Parse(selector);

        Assert.That(parsed.IsEverything, Is.True);
        Assert.That(parsed.Matches((JsonObject?)null), Is.True);
        Assert.That(parsed.ToString(), Is.EqualTo(""));
    }

    [TestCase("app=web", """{"app":"web"}""", true)]
    [TestCase("app=web", """{"app":"db"}""", false)]
    [TestCase("app=web", """{}""", false)]
    [TestCase("app==web", """{"app":"web"}""", true)]
    [TestCase("app!=web", """{"app":"db"}""", true)]
    [TestCase("app!=web", """{}""", true)]
    [TestCase("app!=web", """{"app":"web"}""", false)]
    [TestCase("tier in (a,b)", """{"tier":"b"}""", true)]
    [TestCase("tier in (a,b)", """{"tier":"c"}""", false)]
    [TestCase("tier in (a,b)", """{}""", false)]
    [TestCase("tier notin (a,b)", """{"tier":"c"}""", true)]
    [TestCase("tier notin (a,b)", """{}""", true)]
    [TestCase("tier notin (a,b)", """{"tier":"a"}""", false)]
    [TestCase("gpu", """{"gpu":""}""", true)]
    [TestCase("gpu", """{}""", false)]
    [TestCase("!gpu", """{}""", true)]
    [TestCase("!gpu", """{"gpu":"x"}""", false)]
    [TestCase("size>3", """{"size":"4"}""", true)]
    [TestCase("size>3", """{"size":"3"}""", false)]
    [TestCase("size<3", """{"size":"-1"}""", true)]
    [TestCase("size>3", """{"size":"big"}""", false)]
    [TestCase("size>3", """{}""", false)]
    [TestCase("app=web,tier=fe", """{"app":"web","tier":"fe"}""", true)]
    [TestCase("app=web,tier=fe", """{"app":"web","tier":"be"}""", false)]
    [TestCase("app.kubernetes.io/name=web", """{"app.kubernetes.io/name":"web"}""", true)]
    [TestCase("app=", """{"app":""}""", true)]
    [TestCase("app=", """{}""", false)]
    [TestCase("x in (in,notin)", """{"x":"notin"}""", true)]
    [TestCase(" app = web , !gpu ", """{"app":"web"}""", true)]
    public void Matches_Forms_FollowUpstreamSemantics(string selector, string labels, bool expected)
    {
        Assert.That(LabelSelector.Parse(selector).Matches(Labels(labels)), Is.EqualTo(expected));
    }

    [Test]
    public void Parse_SetWithEmptyEntries_HoldsTheEmptyValue()
    {
        var requirement = LabelSelector.Parse("x in (,a,,b,)").Requirements.Single();

        Assert.That(requirement.Values, Is.EqualTo(new[] { "", "a", "b" }));
        Assert.That(LabelSelector.Parse("x in ()").Requirements.Single().Values, Is.EqualTo(new[] { "" }));
    }

    [Test]
    public void ToString_SortsRequirementsByKeyAndValuesWithinSets()
    {
        var parsed = LabelSelector.Parse("z notin (b,a),app==web,!gpu,size>3,env in (prod)");

        Assert.That(parsed.ToString(), Is.EqualTo("app==web,env in (prod),!gpu,size>3,z notin (a,b)"));
    }

    [TestCase("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt")]
    [TestCase("a=b,", "found '', expected: identifier after ','")]
    [TestCase("a=b c", "found 'c', expected: ',' or 'end of string'")]
    [TestCase(",a", "found ',', expected: !, identifier, or 'end of string'")]
    [TestCase("a in b", "unable to parse requirement: found 'b' expected: '('")]
    [TestCase("a in (b", "unable to parse requirement: found '', expected: ',' or ')'")]
    [TestCase("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier")]
    [TestCase("a==", "")]
    [TestCase("a=(b)", "unable to parse requirement: found '(', expected: identifier")]
    [TestCase("!", "unable to parse requirement: found '', expected: identifier")]
    [TestCase("a>b", "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer")]
    public void Parse_BadSyntax_ThrowsWithUpstreamMessage(string selector, string message)
    {
        if (message.Length == 0)
        {
            Assert.That(LabelSelector.Parse(selector).Requirements.Single().Values, Is.EqualTo(new[] { "" }));
            return;
        }

        var error = Assert.Throws<InvalidSelectorException>(() => LabelSelector.Parse(selector));
        Assert.That(error!.Message, Is.EqualTo(message));
    }

    [Test]
    public void Parse_InvalidKey_ReportsQualifiedNameRules()
    {
        var error = Assert.Throws<InvalidSelectorException>(() => LabelSelector.Parse("a$=b"));

        Assert.That(error!.Message, Does.StartWith("unable to parse requirement: <nil>: Invalid value: \"a$\": name part must consist of alphanumeric characters"));
        Assert.That(error.Message, Does.Contain("(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
    }

    [Test]
    public void Parse_InvalidPrefixAndLongValue_AreRejected()
    {
        var prefix = Assert.Throws<InvalidSelectorException>(() => LabelSelector.Parse("Bad_Prefix/x=y"));
        Assert.That(prefix!.Message, Does.Contain("prefix part a lowercase RFC 1123 subdomain"));

        var value = Assert.Throws<InvalidSelectorException>(() => LabelSelector.Parse("x=" + new string('v', 64)));
        Assert.That(value!.Message, Does.Contain("values[0][x]: Invalid value:").And.Contain("must be no more than 63 characters"));

        var slashes = Assert.Throws<InvalidSelectorException>(() => LabelSelector.Parse("a/b/c"));
        Assert.That(slashes!.Message, Does.Contain("a qualified name must consist of"));
    }

    [Test]
    public void FromLabelSelector_MatchLabelsAndExpressions_AreAnded()
    {
        var selector = LabelSelector.FromLabelSelector(Labels("""
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
    public void FromLabelSelector_NullSelectsNothingAndEmptySelectsEverything()
    {
        Assert.That(LabelSelector.FromLabelSelector(null).Matches(Labels("{}")), Is.False);
        Assert.That(LabelSelector.FromLabelSelector(null).IsEverything, Is.False);
        Assert.That(LabelSelector.FromLabelSelector(Labels("{}")).Matches(Labels("""{"a":"b"}""")), Is.True);
        Assert.That(LabelSelector.FromLabelSelector(Labels("""{"matchLabels":{}}""")).IsEverything, Is.True);
    }

    [Test]
    public void FromLabelSelector_BadOperatorOrEmptyIn_Throws()
    {
        var op = Assert.Throws<InvalidSelectorException>(() =>
            LabelSelector.FromLabelSelector(Labels("""{"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]}""")));
        Assert.That(op!.Message, Is.EqualTo("\"Gt\" is not a valid label selector operator"));

        var empty = Assert.Throws<InvalidSelectorException>(() =>
            LabelSelector.FromLabelSelector(Labels("""{"matchExpressions":[{"key":"a","operator":"In","values":[]}]}""")));
        Assert.That(empty!.Message, Is.EqualTo("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"));
    }

    [Test]
    public void FromSet_RequiresEveryPair()
    {
        var selector = LabelSelector.FromSet(Labels("""{"run":"nginx","app":"web"}"""));

        Assert.That(selector.ToString(), Is.EqualTo("app=web,run=nginx"));
        Assert.That(selector.Matches(Labels("""{"run":"nginx","app":"web","x":"y"}""")), Is.True);
        Assert.That(selector.Matches(Labels("""{"run":"nginx"}""")), Is.False);
        Assert.That(LabelSelector.FromSet((JsonObject?)null).IsEverything, Is.True);
    }
}
