using k8s.Models;
using MiniKube.Scheduler.Cache;
using MiniKube.Scheduler.Framework;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Framework;

/// <summary>NodeUnschedulable, TaintToleration and NodeAffinity: the filters that read only the node.</summary>
[TestFixture]
public sealed class NodeFiltersTests
{
    [Test]
    public void NodeUnschedulable_CordonedNode_RejectsUnlessTolerated()
    {
        var node = NodeInfo(Node("n1", unschedulable: true));
        var plain = PodInfo.From(Pod("p"));
        var tolerating = Pod("q");
        tolerating.Spec.Tolerations = [new V1Toleration { Key = "node.kubernetes.io/unschedulable", OperatorProperty = "Exists", Effect = "NoSchedule" }];

        Assert.That(NodeUnschedulableFilter.Check(plain, node)!.Reasons, Is.EqualTo(new[] { "node(s) were unschedulable" }));
        Assert.That(NodeUnschedulableFilter.Check(plain, node)!.Unresolvable, Is.True);
        Assert.That(NodeUnschedulableFilter.Check(PodInfo.From(tolerating), node), Is.Null);
        Assert.That(NodeUnschedulableFilter.Check(plain, NodeInfo(Node("n2"))), Is.Null);
    }

    [Test]
    public void TaintToleration_UntoleratedNoSchedule_NamesTheTaint()
    {
        var node = NodeInfo(Node("n1", taints: [new V1Taint { Key = "node-role.kubernetes.io/control-plane", Effect = "NoSchedule" }]));

        var failure = TaintTolerationFilter.Check(PodInfo.From(Pod("p")), node);

        Assert.That(failure!.Reasons, Is.EqualTo(new[] { "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }" }));
    }

    [Test]
    public void TaintToleration_ValueAndEffectRules_FollowUpstream()
    {
        var node = NodeInfo(Node("n1", taints: [new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoExecute" }]));
        var equal = Pod("a");
        equal.Spec.Tolerations = [new V1Toleration { Key = "dedicated", Value = "gpu" }];
        var wrongValue = Pod("b");
        wrongValue.Spec.Tolerations = [new V1Toleration { Key = "dedicated", Value = "cpu" }];
        var wrongEffect = Pod("c");
        wrongEffect.Spec.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Exists", Effect = "NoSchedule" }];
        var everything = Pod("d");
        everything.Spec.Tolerations = [new V1Toleration { OperatorProperty = "Exists" }];

        Assert.That(TaintTolerationFilter.Check(PodInfo.From(equal), node), Is.Null);
        Assert.That(TaintTolerationFilter.Check(PodInfo.From(wrongValue), node)!.Reasons[0], Is.EqualTo("node(s) had untolerated taint {dedicated: gpu}"));
        Assert.That(TaintTolerationFilter.Check(PodInfo.From(wrongEffect), node), Is.Not.Null);
        Assert.That(TaintTolerationFilter.Check(PodInfo.From(everything), node), Is.Null);
    }

    [Test]
    public void TaintToleration_PreferNoSchedule_NeverFilters()
    {
        var node = NodeInfo(Node("n1", taints: [new V1Taint { Key = "soft", Effect = "PreferNoSchedule" }]));

        Assert.That(TaintTolerationFilter.Check(PodInfo.From(Pod("p")), node), Is.Null);
    }

    [TestCase("False", "node.kubernetes.io/not-ready")]
    [TestCase("Unknown", "node.kubernetes.io/unreachable")]
    public void TaintToleration_NodeNotReady_ActsAsTheLifecycleTaint(string ready, string taint)
    {
        var node = NodeInfo(Node("n1", ready: ready));
        var tolerating = Pod("t");
        tolerating.Spec.Tolerations = [new V1Toleration { Key = taint, OperatorProperty = "Exists" }];

        Assert.That(TaintTolerationFilter.Check(PodInfo.From(Pod("p")), node)!.Reasons[0], Is.EqualTo($"node(s) had untolerated taint {{{taint}: }}"));
        Assert.That(TaintTolerationFilter.Check(PodInfo.From(tolerating), node), Is.Null);
    }

    [Test]
    public void NodeAffinity_NodeSelector_MustMatchAllLabels()
    {
        var node = NodeInfo(Node("n1", labels: new Dictionary<string, string> { ["disk"] = "ssd", ["zone"] = "a" }));
        var match = Pod("a");
        match.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd" };
        var miss = Pod("b");
        miss.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd", ["zone"] = "b" };

        Assert.That(NodeAffinityFilter.Check(PodInfo.From(match), node), Is.Null);
        Assert.That(NodeAffinityFilter.Check(PodInfo.From(miss), node)!.Reasons[0], Is.EqualTo("node(s) didn't match Pod's node affinity/selector"));
    }

    [TestCase("In", new[] { "a", "b" }, true)]
    [TestCase("In", new[] { "c" }, false)]
    [TestCase("NotIn", new[] { "c" }, true)]
    [TestCase("NotIn", new[] { "a" }, false)]
    [TestCase("Exists", new string[0], true)]
    [TestCase("DoesNotExist", new string[0], false)]
    public void NodeAffinity_MatchExpressions_OnZoneLabel(string op, string[] values, bool fits)
    {
        var node = NodeInfo(Node("n1", labels: new Dictionary<string, string> { ["zone"] = "a" }));
        var pod = AffinityPod(new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = op, Values = values }] });

        Assert.That(NodeAffinityFilter.Check(PodInfo.From(pod), node) is null, Is.EqualTo(fits));
    }

    [TestCase("Gt", "3", true)]
    [TestCase("Gt", "4", false)]
    [TestCase("Lt", "5", true)]
    [TestCase("Lt", "4", false)]
    public void NodeAffinity_GtLt_CompareIntegers(string op, string value, bool fits)
    {
        var node = NodeInfo(Node("n1", labels: new Dictionary<string, string> { ["cores"] = "4" }));
        var pod = AffinityPod(new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "cores", OperatorProperty = op, Values = [value] }] });

        Assert.That(NodeAffinityFilter.Check(PodInfo.From(pod), node) is null, Is.EqualTo(fits));
    }

    [Test]
    public void NodeAffinity_TermsAreOredAndMatchFieldsReadTheName()
    {
        var pod = PodInfo.From(AffinityPod(
            new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = "In", Values = ["nowhere"] }] },
            new V1NodeSelectorTerm { MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = ["n2"] }] }));

        Assert.That(NodeAffinityFilter.Check(pod, NodeInfo(Node("n1"))), Is.Not.Null);
        Assert.That(NodeAffinityFilter.Check(pod, NodeInfo(Node("n2"))), Is.Null);
    }

    [Test]
    public void NodeAffinity_EmptyTerm_MatchesNoNode()
    {
        Assert.That(NodeAffinityFilter.Check(PodInfo.From(AffinityPod(new V1NodeSelectorTerm())), NodeInfo(Node("n1"))), Is.Not.Null);
    }

    private static V1Pod AffinityPod(params V1NodeSelectorTerm[] terms)
    {
        var pod = Pod("p");
        pod.Spec.Affinity = new V1Affinity { NodeAffinity = new V1NodeAffinity { RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = terms } } };
        return pod;
    }
}
