using System.Text.Json.Nodes;
using MiniKube.ApiServer.PodSecurity;

namespace MiniKube.ApiServer.Tests.PodSecurity;

/// <summary>The warnings of a stricter enforce label over existing pods, as upstream's EvaluatePodsInNamespace words them.</summary>
public sealed class NamespacePodReviewTests
{
    private static readonly LevelVersion Baseline = new(PodSecurityLevel.Baseline, PolicyVersion.Latest);

    private static JsonObject Pod(string name, bool privileged, string? controller = null)
    {
        var owners = controller is null ? "" : $$""","ownerReferences":[{"kind":"ReplicaSet","name":"rs","uid":"{{controller}}","controller":true}]""";
        var container = privileged ? """{"name":"c","securityContext":{"privileged":true}}""" : """{"name":"c"}""";
        return JsonNode.Parse($$"""{"metadata":{"name":"{{name}}"{{owners}}},"spec":{"containers":[""" + container + "]}}")!.AsObject();
    }

    [Test]
    public void ViolatingPods_GroupedByReason_FirstNameAndCount()
    {
        var pods = new[] { Pod("zeta", true), Pod("alpha", true), Pod("beta", true), Pod("fine", false) };

        var warnings = NamespacePodReview.Review("apps", Baseline, pods, PodSecurityEvaluator.Default, () => false);

        Assert.That(warnings, Is.EqualTo(new[]
        {
            "existing pods in namespace \"apps\" violate the new PodSecurity enforce level \"baseline:latest\"",
            "alpha (and 2 other pods): privileged",
        }));
    }

    [Test]
    public void TwoPods_SayOneOther_OnePod_NamesIt()
    {
        var two = NamespacePodReview.Review("n", Baseline, [Pod("b", true), Pod("a", true)], PodSecurityEvaluator.Default, () => false);
        var one = NamespacePodReview.Review("n", Baseline, [Pod("b", true)], PodSecurityEvaluator.Default, () => false);

        Assert.That(two[^1], Is.EqualTo("a (and 1 other pod): privileged"));
        Assert.That(one[^1], Is.EqualTo("b: privileged"));
    }

    [Test]
    public void BudgetExhausted_SaysHowManyWereChecked_OnePerControllerFirst()
    {
        // Two pods of one ReplicaSet and one bare pod: the bare pod comes before the sibling.
        var pods = new[] { Pod("rs-1", true, "u1"), Pod("rs-2", false, "u1"), Pod("bare", true) };
        var asked = 0;

        var warnings = NamespacePodReview.Review("n", Baseline, pods, PodSecurityEvaluator.Default, () => ++asked >= 2);

        Assert.That(warnings, Is.EqualTo(new[]
        {
            "new PodSecurity enforce level only checked against the first 2 of 3 existing pods",
            "existing pods in namespace \"n\" violate the new PodSecurity enforce level \"baseline:latest\"",
            "bare (and 1 other pod): privileged",
        }));
    }

    [Test]
    public void NoViolations_NoWarnings() =>
        Assert.That(NamespacePodReview.Review("n", Baseline, [Pod("a", false)], PodSecurityEvaluator.Default, () => false), Is.Empty);
}
