using System.Text.Json;
using k8s.Models;

namespace MiniKube.Api.Tests;

/// <summary>
/// The selector string syntax (from the API server's tests) and metav1.LabelSelector and map
/// selectors (from the client's tests), now one type.
/// </summary>
public class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web", ["tier"] = "front" };

    private static Dictionary<string, string> Labels(string json) => JsonSerializer.Deserialize<Dictionary<string, string>>(json)!;

    [TestCase("")]
    [TestCase(null)]
    [TestCase("   ")]
    public void Parse_Empty_MatchesEverything(string? selector)
    {
        var parsed = LabelSelector.Parse(selector);

        Assert.That(parsed.IsEverything, Is.True);
        Assert.That(parsed.Matches((IDictionary<string, string>?)null), Is.True);
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
            Assert.That(LabelSelector.FromSet(null).Matches(Web), Is.True);
        });
    }

    [Test]
    public void From_InvalidRequirement_Throws()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Expression("a", "Near"), Throws.InstanceOf<InvalidSelectorException>()
                .With.Message.EqualTo("\"Near\" is not a valid label selector operator"));
            Assert.That(() => Expression("a", "In"), Throws.InstanceOf<InvalidSelectorException>()
                .With.Message.EqualTo("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"), "In needs values");
            Assert.That(() => Expression("a", "Exists", "x"), Throws.InstanceOf<InvalidSelectorException>()
                .With.Message.EqualTo("values: Invalid value: [\"x\"]: values set must be empty for exists and does not exist"), "Exists takes none");
            Assert.That(() => Expression("a", "Near"), Throws.InstanceOf<ArgumentException>(), "controllers catch it as an invalid argument");
        });
    }

    [Test]
    public void FromSet_Matches_EveryPairAndToStringIsQuerySyntax()
    {
        var selector = LabelSelector.FromSet(new Dictionary<string, string> { ["tier"] = "front", ["app"] = "web" });
        Assert.Multiple(() =>
        {
            Assert.That(selector.Matches(Web), Is.True);
            Assert.That(selector.Matches(new Dictionary<string, string> { ["app"] = "web" }), Is.False);
            Assert.That(selector.ToString(), Is.EqualTo("app=web,tier=front"));
            Assert.That(Expression("t", "NotIn", "b", "a").ToString(), Is.EqualTo("t notin (a,b)"));
        });
    }

    [Test]
    public void From_ToString_IsUpstreamsCanonicalForm()
    {
        var selector = LabelSelector.From(new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
            MatchExpressions =
            [
                new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["fe"] },
                new V1LabelSelectorRequirement { Key = "canary", OperatorProperty = "DoesNotExist" },
                new V1LabelSelectorRequirement { Key = "env", OperatorProperty = "NotIn", Values = ["dev", "ci"] },
            ],
        });

        Assert.Multiple(() =>
        {
            Assert.That(selector.ToString(), Is.EqualTo("app=web,!canary,env notin (ci,dev),tier in (fe)"));
            Assert.That(LabelSelector.Parse(selector.ToString()).ToString(), Is.EqualTo(selector.ToString()), "the string form parses back");
            Assert.That(LabelSelector.Nothing.ToString(), Is.Empty);
            Assert.That(LabelSelector.Everything.ToString(), Is.Empty);
        });
    }

    [Test]
    public void FromSet_DoesNotValidate_AsUpstreamsSelectorFromSet()
    {
        var selector = LabelSelector.FromSet(new Dictionary<string, string> { ["bad key"] = "v" });

        Assert.That(selector.Matches(new Dictionary<string, string> { ["bad key"] = "v" }), Is.True);
    }

    private static LabelSelector Expression(string key, string op, params string[] values) =>
        LabelSelector.From(new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values }] });
}
