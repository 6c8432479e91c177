using k8s.Models;
using MiniKube.Scheduler.Cache;
using MiniKube.Scheduler.Framework;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Framework;

/// <summary>DefaultPreemption's dry run, victim choice, node choice and verdicts.</summary>
[TestFixture]
public sealed class PreemptionTests
{
    [Test]
    public void Evaluate_FullNode_EvictsOnlyWhatIsNeeded_ReprievingTheMostImportantFirst()
    {
        var cache = new SchedulerCache();
        cache.UpsertNode(Node("n1", cpu: "4"));
        Bind(cache, "n1", Prioritized(Pod("a", "1"), 0), Prioritized(Pod("b", "1"), 10), Prioritized(Pod("c", "2"), 5));
        var requestedBefore = cache.Node("n1")!.Requested.MilliCpu;

        var result = Evaluate(cache, Prioritized(Pod("critical", "2"), 100));

        Assert.That(result.Plan!.Node.Name, Is.EqualTo("n1"));
        Assert.That(result.Plan.Victims.Select(v => v.Name), Is.EqualTo(new[] { "c" }), "b (10) is given back first and fits, then c does not, then a does");
        Assert.That(result.NominatedNode, Is.EqualTo("n1"));
        Assert.That(result.Verdict, Is.Null);
        Assert.That(cache.Node("n1")!.Requested.MilliCpu, Is.EqualTo(requestedBefore), "the dry run puts the node back");
    }

    [Test]
    public void Evaluate_TwoNodes_PicksTheOneWhoseMostImportantVictimIsLeastImportant()
    {
        var cache = new SchedulerCache();
        cache.UpsertNode(Node("n1", cpu: "2"));
        cache.UpsertNode(Node("n2", cpu: "2"));
        Bind(cache, "n1", Prioritized(Pod("mid", "2"), 50));
        Bind(cache, "n2", Prioritized(Pod("low", "2"), 5));

        var result = Evaluate(cache, Prioritized(Pod("critical", "1"), 100));

        Assert.That(result.Plan!.Node.Name, Is.EqualTo("n2"));
        Assert.That(result.Plan.Victims.Single().Name, Is.EqualTo("low"));
    }

    [Test]
    public void Evaluate_EqualPriorities_NoVictims_WithUpstreamsVerdict()
    {
        var cache = new SchedulerCache();
        cache.UpsertNode(Node("n1", cpu: "1"));
        Bind(cache, "n1", Prioritized(Pod("peer", "1"), 100));

        var result = Evaluate(cache, Prioritized(Pod("p", "1"), 100));

        Assert.That(result.Plan, Is.Null);
        Assert.That(result.NominatedNode, Is.Null);
        Assert.That(result.Verdict, Is.EqualTo("0/1 nodes are available: 1 No preemption victims found for incoming pod."));
    }

    [Test]
    public void Evaluate_TaintedNodeAndTooSmallNode_ReportsEachAsUpstream()
    {
        var cache = new SchedulerCache();
        cache.UpsertNode(Node("tainted", cpu: "8", taints: [new V1Taint { Key = "dedicated", Value = "x", Effect = "NoSchedule" }]));
        cache.UpsertNode(Node("small", cpu: "1"));
        Bind(cache, "tainted", Prioritized(Pod("t", "1"), 0));
        Bind(cache, "small", Prioritized(Pod("s", "1"), 0));

        var result = Evaluate(cache, Prioritized(Pod("big", "2"), 100));

        Assert.That(result.Plan, Is.Null);
        Assert.That(result.Verdict, Is.EqualTo("0/2 nodes are available: 1 Insufficient cpu, 1 Preemption is not helpful for scheduling."));
    }

    [Test]
    public void Evaluate_PreemptionPolicyNever_IsNotEligible()
    {
        var cache = new SchedulerCache();
        cache.UpsertNode(Node("n1", cpu: "1"));
        Bind(cache, "n1", Prioritized(Pod("low", "1"), 0));
        var pod = Prioritized(Pod("p", "1"), 100);
        pod.Spec.PreemptionPolicy = "Never";

        Assert.That(Evaluate(cache, pod).Verdict, Is.EqualTo("not eligible due to preemptionPolicy=Never."));
    }

    [Test]
    public void Evaluate_VictimStillTerminatingOnTheNominatedNode_WaitsAndKeepsTheNomination()
    {
        var cache = new SchedulerCache();
        cache.UpsertNode(Node("n1", cpu: "1"));
        var leaving = Prioritized(Pod("low", "1"), 0);
        leaving.Metadata.DeletionTimestamp = DateTime.UtcNow;
        leaving.Status = new V1PodStatus { Conditions = [new V1PodCondition { Type = "DisruptionTarget", Status = "True", Reason = "PreemptionByScheduler" }] };
        Bind(cache, "n1", leaving);
        var pod = Prioritized(Pod("p", "1"), 100);
        pod.Status = new V1PodStatus { NominatedNodeName = "n1" };

        var result = Evaluate(cache, pod);

        Assert.That(result.Plan, Is.Null);
        Assert.That(result.Verdict, Is.EqualTo("not eligible due to a terminating pod on the nominated node."));
        Assert.That(result.NominatedNode, Is.EqualTo("n1"));
    }

    [Test]
    public void CompareImportance_HigherPriorityThenEarlierStart()
    {
        var early = PodInfo.From(Started(Prioritized(Pod("early"), 1), 1));
        var late = PodInfo.From(Started(Prioritized(Pod("late"), 1), 2));
        var high = PodInfo.From(Prioritized(Pod("high"), 2));

        var ordered = new List<PodInfo> { late, high, early };
        ordered.Sort(Preemption.CompareImportance);

        Assert.That(ordered.Select(p => p.Name), Is.EqualTo(new[] { "high", "early", "late" }));
    }

    private static PreemptionResult Evaluate(SchedulerCache cache, V1Pod pod)
    {
        var info = PodInfo.From(pod);
        var placement = new Placer(new Random(1)).Place(info, cache);
        Assert.That(placement.Node, Is.Null, "the pod must fit nowhere for preemption to run");
        return Preemption.Evaluate(info, cache, placement.Diagnosis!, null);
    }

    private static void Bind(SchedulerCache cache, string node, params V1Pod[] pods)
    {
        foreach (var pod in pods)
        {
            pod.Spec.NodeName = node;
            cache.AddOrUpdateBound(PodInfo.From(pod));
        }
    }

    private static V1Pod Prioritized(V1Pod pod, int priority)
    {
        pod.Spec.Priority = priority;
        return pod;
    }

    private static V1Pod Started(V1Pod pod, int minute)
    {
        pod.Status = new V1PodStatus { StartTime = new DateTime(2026, 1, 1, 0, minute, 0, DateTimeKind.Utc) };
        return pod;
    }
}
