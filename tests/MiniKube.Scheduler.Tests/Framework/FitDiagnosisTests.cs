using MiniKube.Scheduler.Framework;

namespace MiniKube.Scheduler.Tests.Framework;

[TestFixture]
public sealed class FitDiagnosisTests
{
    [Test]
    public void Message_TaintAndInsufficientCpu_MatchesUpstreamWording()
    {
        var diagnosis = new FitDiagnosis(3);
        diagnosis.Add(FilterFailure.Of("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }", unresolvable: true));
        diagnosis.Add(new FilterFailure(["Insufficient cpu"], unresolvable: false));
        diagnosis.Add(new FilterFailure(["Insufficient cpu"], unresolvable: false));

        Assert.That(diagnosis.Message(preemptionNever: false), Is.EqualTo(
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. " +
            "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."));
    }

    [Test]
    public void Message_SeveralReasonsOnOneNode_CountsEachAndSortsAsStrings()
    {
        var diagnosis = new FitDiagnosis(12);
        for (var i = 0; i < 10; i++)
        {
            diagnosis.Add(new FilterFailure(["Insufficient cpu", "Insufficient memory"], unresolvable: false));
        }
        diagnosis.Add(FilterFailure.Of("node(s) were unschedulable", unresolvable: true));
        diagnosis.Add(FilterFailure.Of("node(s) didn't match Pod's node affinity/selector", unresolvable: true));

        // Go's sort.Strings: "1 node(s) didn't…" < "1 node(s) were…" < "10 Insufficient…" byte-wise.
        Assert.That(diagnosis.Message(preemptionNever: false), Is.EqualTo(
            "0/12 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable, 10 Insufficient cpu, 10 Insufficient memory. " +
            "preemption: 0/12 nodes are available: 10 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling."));
    }

    [Test]
    public void Message_PreemptionPolicyNever_SaysNotEligible()
    {
        var diagnosis = new FitDiagnosis(1);
        diagnosis.Add(new FilterFailure(["Insufficient memory"], unresolvable: false));

        Assert.That(diagnosis.Message(preemptionNever: true), Is.EqualTo(
            "0/1 nodes are available: 1 Insufficient memory. preemption: not eligible due to preemptionPolicy=Never."));
    }

    [Test]
    public void Message_NoNodes_IsUpstreamsNoNodesError()
    {
        Assert.That(new FitDiagnosis(0).Message(preemptionNever: false), Is.EqualTo("no nodes available to schedule pods"));
    }

    [Test]
    public void WaitsForPodAffinity_SetOnlyByAffinityFailures()
    {
        var diagnosis = new FitDiagnosis(2);
        diagnosis.Add(new FilterFailure(["Insufficient cpu"], unresolvable: false));
        Assert.That(diagnosis.WaitsForPodAffinity, Is.False);

        diagnosis.Add(new FilterFailure(["node(s) didn't match pod affinity rules"], unresolvable: true) { PodAffinity = true });
        Assert.That(diagnosis.WaitsForPodAffinity, Is.True);
    }
}
