using k8s.Models;

namespace MiniKube.Api.Tests;

public class TolerationsTests
{
    // From the taint-eviction controller's tests, where a copy of this matching used to live.
    [TestCase("Exists", null, null, "NoExecute", true)]
    [TestCase("Exists", "node.kubernetes.io/unreachable", null, "", true)]
    [TestCase("Equal", "node.kubernetes.io/unreachable", "", "NoExecute", true)]
    [TestCase("Equal", "node.kubernetes.io/unreachable", "x", "NoExecute", false)]
    [TestCase("Exists", "node.kubernetes.io/not-ready", null, "NoExecute", false)]
    [TestCase("Exists", null, null, "NoSchedule", false)]
    // Upstream's ToleratesTaint: an empty key with Equal compares the values (validation refuses such a toleration).
    [TestCase("Equal", null, null, "NoExecute", true)]
    [TestCase("", "node.kubernetes.io/unreachable", null, "NoExecute", true)]
    [TestCase("Lt", "node.kubernetes.io/unreachable", null, "NoExecute", false)]
    public void Tolerates_MatchesKeyValueAndEffect(string op, string? key, string? value, string effect, bool expected)
    {
        var toleration = new V1Toleration { OperatorProperty = op, Key = key, Value = value, Effect = effect };

        Assert.That(Tolerations.Tolerates(toleration, new V1Taint { Key = Taints.Unreachable, Effect = "NoExecute" }), Is.EqualTo(expected));
    }

    [Test]
    public void Tolerate_AnyOfTheList_AndNoneWhenAbsent()
    {
        var taint = new V1Taint { Key = "gpu", Value = "a100", Effect = Taints.NoSchedule };

        Assert.Multiple(() =>
        {
            Assert.That(Tolerations.Tolerate(null, taint), Is.False);
            Assert.That(Tolerations.Tolerate([new V1Toleration { Key = "gpu", Value = "h100" }], taint), Is.False);
            Assert.That(Tolerations.Tolerate([new V1Toleration { Key = "gpu", Value = "h100" }, new V1Toleration { Key = "gpu", Value = "a100" }], taint), Is.True);
        });
    }

    [Test]
    public void FirstUntolerated_OnlyAmongTheGivenEffects()
    {
        V1Taint[] taints =
        [
            new() { Key = "soft", Effect = Taints.PreferNoSchedule },
            new() { Key = "tolerated", Effect = Taints.NoSchedule },
            new() { Key = "hard", Effect = Taints.NoExecute },
        ];
        V1Toleration[] tolerations = [new() { Key = "tolerated", OperatorProperty = "Exists" }];

        Assert.Multiple(() =>
        {
            Assert.That(Tolerations.FirstUntolerated(taints, tolerations, Taints.NoSchedule, Taints.NoExecute)?.Key, Is.EqualTo("hard"));
            Assert.That(Tolerations.FirstUntolerated(taints, tolerations, Taints.NoSchedule), Is.Null);
            Assert.That(Tolerations.FirstUntolerated(null, tolerations, Taints.NoSchedule), Is.Null);
        });
    }

    [Test]
    public void Same_IsKeyAndEffect()
    {
        var taint = new V1Taint { Key = Taints.NotReady, Value = "a", Effect = Taints.NoExecute, TimeAdded = DateTime.UtcNow };

        Assert.Multiple(() =>
        {
            Assert.That(Taints.Same(taint, new V1Taint { Key = Taints.NotReady, Value = "b", Effect = Taints.NoExecute }), Is.True);
            Assert.That(Taints.Same(taint, new V1Taint { Key = Taints.NotReady, Effect = Taints.NoSchedule }), Is.False);
        });
    }
}
