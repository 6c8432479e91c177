using k8s.Models;
using MiniKube.Agent.Kubelet;

namespace MiniKube.Agent.Tests.Kubelet;

[TestFixture]
public sealed class PodStatusManagerTests
{
    [Test]
    public void Differs_OnlyConditionTimesChanged_False()
    {
        var current = Status("Running", "True", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var computed = Status("Running", "True", new DateTime(2026, 1, 1, 0, 5, 0, DateTimeKind.Utc));

        Assert.That(PodStatusManager.Differs(current, computed), Is.False);
    }

    [Test]
    public void Differs_ConditionOrPhaseChanged_True()
    {
        var time = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        Assert.That(PodStatusManager.Differs(Status("Running", "True", time), Status("Running", "False", time)), Is.True);
        Assert.That(PodStatusManager.Differs(Status("Pending", "False", time), Status("Running", "False", time)), Is.True);
        Assert.That(PodStatusManager.Differs(null, Status("Pending", "False", time)), Is.True);
    }

    private static V1PodStatus Status(string phase, string ready, DateTime time) => new()
    {
        Phase = phase,
        Conditions = [new V1PodCondition { Type = "Ready", Status = ready, LastTransitionTime = time, LastProbeTime = time }],
    };
}
