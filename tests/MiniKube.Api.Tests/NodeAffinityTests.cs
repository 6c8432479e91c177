using k8s.Models;

namespace MiniKube.Api.Tests;

public class NodeAffinityTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["zone"] = "a", ["cores"] = "8", [WellKnownLabels.Hostname] = "node1" };

    private static V1NodeSelectorRequirement Requirement(string key, string op, params string[] values) =>
        new() { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values };

    private static V1NodeSelector Required(params V1NodeSelectorTerm[] terms) => new() { NodeSelectorTerms = terms };

    [TestCase("zone", "In", new[] { "a", "b" }, true)]
    [TestCase("zone", "In", new[] { "b" }, false)]
    [TestCase("zone", "NotIn", new[] { "b" }, true)]
    [TestCase("absent", "NotIn", new[] { "b" }, true)]
    [TestCase("zone", "Exists", new string[0], true)]
    [TestCase("absent", "DoesNotExist", new string[0], true)]
    [TestCase("cores", "Gt", new[] { "4" }, true)]
    [TestCase("cores", "Gt", new[] { "8" }, false)]
    [TestCase("cores", "Lt", new[] { "16" }, true)]
    [TestCase("cores", "Lt", new[] { "-1" }, false)]
    [TestCase("zone", "Gt", new[] { "1" }, false)]
    [TestCase("absent", "Lt", new[] { "1" }, false)]
    [TestCase("cores", "Gt", new[] { "1", "2" }, false)]
    [TestCase("zone", "Near", new[] { "a" }, false)]
    public void TermMatches_Operators_AsUpstream(string key, string op, string[] values, bool expected)
    {
        var term = new V1NodeSelectorTerm { MatchExpressions = [Requirement(key, op, values)] };

        Assert.That(NodeAffinity.TermMatches(term, "node1", Labels), Is.EqualTo(expected));
    }

    [Test]
    public void MatchesRequired_TermsAreOredExpressionsAnded_EmptyTermMatchesNothing()
    {
        var zoneB = new V1NodeSelectorTerm { MatchExpressions = [Requirement("zone", "In", "b")] };
        var zoneAOnNode1 = new V1NodeSelectorTerm { MatchExpressions = [Requirement("zone", "In", "a")], MatchFields = [Requirement(NodeAffinity.NodeNameField, "In", "node1")] };

        Assert.Multiple(() =>
        {
            Assert.That(NodeAffinity.MatchesRequired(Required(zoneB, zoneAOnNode1), "node1", Labels), Is.True);
            Assert.That(NodeAffinity.MatchesRequired(Required(zoneB, zoneAOnNode1), "node2", Labels), Is.False);
            Assert.That(NodeAffinity.MatchesRequired(Required(new V1NodeSelectorTerm()), "node1", Labels), Is.False);
            Assert.That(NodeAffinity.MatchesRequired(Required(), "node1", Labels), Is.False, "no term at all matches no node");
            Assert.That(NodeAffinity.MatchesRequired(null, "node1", null), Is.True, "no requirement");
        });
    }

    [Test]
    public void TermMatches_FieldsOtherThanTheNodeName_NeverMatch()
    {
        var term = new V1NodeSelectorTerm { MatchFields = [Requirement("metadata.uid", "Exists")] };

        Assert.That(NodeAffinity.TermMatches(term, "node1", Labels), Is.False);
    }

    // From the PersistentVolume controller's tests, where a copy of this matching used to live.
    [Test]
    public void MatchesRequired_VolumeAffinityOnHostname_OnlyThatNode()
    {
        var required = Required(new V1NodeSelectorTerm { MatchExpressions = [Requirement(WellKnownLabels.Hostname, "In", "node1")] });

        Assert.That(NodeAffinity.MatchesRequired(required, "node1", new Dictionary<string, string> { ["kubernetes.io/hostname"] = "node1" }), Is.True);
        Assert.That(NodeAffinity.MatchesRequired(required, "node2", new Dictionary<string, string> { ["kubernetes.io/hostname"] = "node2" }), Is.False);
        Assert.That(NodeAffinity.MatchesRequired(null, "node2", null), Is.True);
    }

    [Test]
    public void PodMatches_NodeSelectorAndRequiredAffinityBothHold()
    {
        var spec = new V1PodSpec
        {
            NodeSelector = new Dictionary<string, string> { ["zone"] = "a" },
            Affinity = new V1Affinity { NodeAffinity = new V1NodeAffinity { RequiredDuringSchedulingIgnoredDuringExecution = Required(new V1NodeSelectorTerm { MatchExpressions = [Requirement("cores", "Gt", "4")] }) } },
        };

        Assert.Multiple(() =>
        {
            Assert.That(NodeAffinity.PodMatches(spec, "node1", Labels), Is.True);
            Assert.That(NodeAffinity.PodMatches(spec, "node1", new Dictionary<string, string>(Labels) { ["zone"] = "b" }), Is.False);
            Assert.That(NodeAffinity.PodMatches(spec, "node1", new Dictionary<string, string>(Labels) { ["cores"] = "2" }), Is.False);
            Assert.That(NodeAffinity.PodMatches(new V1PodSpec(), "node1", null), Is.True);
        });
    }
}
