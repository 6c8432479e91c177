using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using MiniKube.Controllers.PodAutoscaler;

namespace MiniKube.Controllers.Tests.PodAutoscaler;

/// <summary>
/// Stabilization and rate limits as horizontal.go normalizes a proposal: the policies' limits
/// from the count at each period's start (changes made within the period taken back), the
/// select policies, the stabilization windows over remembered recommendations, and the fixed
/// scale-up cap and downscale window of HPAs without behavior; with upstream's reasons.
/// </summary>
public sealed class ScaleRecommendationsTests
{
    private static readonly NamespacedName Key = new("ns", "web");
    private static readonly TimeSpan DownscaleWindow = TimeSpan.FromMinutes(5);

    private static V2HPAScalingPolicy Pods(int value, int period = 15) => new() { Type = "Pods", Value = value, PeriodSeconds = period };

    private static V2HPAScalingPolicy Percent(int value, int period = 15) => new() { Type = "Percent", Value = value, PeriodSeconds = period };

    private static V2HPAScalingRules Rules(int window, string select, params V2HPAScalingPolicy[] policies) =>
        new() { StabilizationWindowSeconds = window, SelectPolicy = select, Policies = policies };

    // The API server's defaults for a behavior that sets nothing (GenerateHPAScaleUpRules / GenerateHPAScaleDownRules), window 0 down for rate tests.
    private static readonly V2HPAScalingRules DefaultUp = Rules(0, "Max", Pods(4), Percent(100));
    private static readonly V2HPAScalingRules NoWindowDown = Rules(0, "Max", Percent(100));

    public static IEnumerable<TestCaseData> RateCases() =>
    [
        // current, desired, min, max, up rules, down rules, expected, ScalingLimited reason
        new TestCaseData(5, 20, 1, 100, DefaultUp, NoWindowDown, 10, "ScaleUpLimit").SetName("ScaleUp_DefaultRules_DoubleOrFourMore"),
        new TestCaseData(1, 20, 1, 100, DefaultUp, NoWindowDown, 5, "ScaleUpLimit").SetName("ScaleUp_DefaultRules_FourMoreBeatsDouble"),
        new TestCaseData(5, 20, 1, 100, Rules(0, "Min", Pods(4), Percent(100)), NoWindowDown, 9, "ScaleUpLimit").SetName("ScaleUp_MinPolicy_SmallestChange"),
        new TestCaseData(5, 20, 1, 100, Rules(0, "Disabled", Pods(4)), NoWindowDown, 5, "ScaleUpLimit").SetName("ScaleUp_Disabled_Holds"),
        new TestCaseData(5, 8, 1, 10, Rules(0, "Max", Percent(200, 60)), NoWindowDown, 8, "DesiredWithinRange").SetName("ScaleUp_WithinLimits"),
        new TestCaseData(8, 12, 1, 10, Rules(0, "Max", Percent(200, 60)), NoWindowDown, 10, "TooManyReplicas").SetName("ScaleUp_BeyondMax"),
        new TestCaseData(3, 5, 1, 10, Rules(0, "Max", Percent(10)), NoWindowDown, 4, "ScaleUpLimit").SetName("ScaleUp_PercentRoundsUp"),
        new TestCaseData(8, 2, 1, 10, DefaultUp, Rules(0, "Max", Percent(50, 60)), 4, "ScaleDownLimit").SetName("ScaleDown_HalfPerMinute"),
        new TestCaseData(8, 2, 1, 10, DefaultUp, Rules(0, "Max", Pods(1), Percent(50)), 4, "ScaleDownLimit").SetName("ScaleDown_MaxPolicy_BiggestChange"),
        new TestCaseData(8, 2, 1, 10, DefaultUp, Rules(0, "Min", Pods(1), Percent(50)), 7, "ScaleDownLimit").SetName("ScaleDown_MinPolicy_SmallestChange"),
        new TestCaseData(8, 2, 1, 10, DefaultUp, Rules(0, "Disabled", Pods(1)), 8, "ScaleDownLimit").SetName("ScaleDown_Disabled_Holds"),
        new TestCaseData(5, 1, 3, 10, DefaultUp, NoWindowDown, 3, "TooFewReplicas").SetName("ScaleDown_BelowMin"),
        new TestCaseData(5, 3, 1, 10, DefaultUp, Rules(0, "Max", Percent(100, 60)), 3, "DesiredWithinRange").SetName("ScaleDown_WithinLimits"),
        new TestCaseData(7, 3, 1, 10, DefaultUp, Rules(0, "Max", Percent(30)), 4, "ScaleDownLimit").SetName("ScaleDown_PercentRoundsTowardsFewer"),
    ];

    [TestCaseSource(nameof(RateCases))]
    public void NormalizeWithBehavior_Rates(int current, int desired, int min, int max, V2HPAScalingRules up, V2HPAScalingRules down, int expected, string reason)
    {
        var recommendations = new ScaleRecommendations(new FakeTimeProvider(), DownscaleWindow);

        var normalized = recommendations.NormalizeWithBehavior(Key, up, down, current, desired, min, max);

        Assert.That(normalized.Replicas, Is.EqualTo(expected));
        Assert.That(normalized.ScalingLimited.Reason, Is.EqualTo(reason));
        Assert.That(normalized.ScalingLimited.Status, Is.EqualTo(expected == desired ? "False" : "True"));
    }

    [Test]
    public void NormalizeWithBehavior_ChangesWithinThePeriod_CountAgainstTheLimit()
    {
        var time = new FakeTimeProvider();
        var recommendations = new ScaleRecommendations(time, DownscaleWindow);
        var up = Rules(0, "Max", Pods(4, 60));

        // 1 → 5 now; 20 s later the period (60 s) still holds that change: at most 1 + 4 = 5.
        recommendations.RecordScale(Key, up, NoWindowDown, 1, 5);
        time.Advance(TimeSpan.FromSeconds(20));
        var held = recommendations.NormalizeWithBehavior(Key, up, NoWindowDown, 5, 12, 1, 20);
        // Once the change leaves the period, 5 + 4 again.
        time.Advance(TimeSpan.FromSeconds(41));
        var freed = recommendations.NormalizeWithBehavior(Key, up, NoWindowDown, 5, 12, 1, 20);

        Assert.That((held.Replicas, held.ScalingLimited.Reason), Is.EqualTo((5, "ScaleUpLimit")));
        Assert.That(freed.Replicas, Is.EqualTo(9));
    }

    [Test]
    public void NormalizeWithBehavior_ScaleDownWindow_KeepsTheHighestRecentRecommendation()
    {
        var time = new FakeTimeProvider();
        var recommendations = new ScaleRecommendations(time, DownscaleWindow);
        var down = Rules(300, "Max", Percent(100));
        recommendations.RecordInitial(Key, 8);

        time.Advance(TimeSpan.FromSeconds(60));
        var early = recommendations.NormalizeWithBehavior(Key, DefaultUp, down, 8, 3, 1, 10);
        time.Advance(TimeSpan.FromSeconds(250));
        var late = recommendations.NormalizeWithBehavior(Key, DefaultUp, down, 8, 3, 1, 10);

        Assert.That(early.Replicas, Is.EqualTo(8));
        Assert.That(early.AbleToScale, Is.EqualTo(new ConditionChange("True", "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation")));
        // 310 s after the first recommendation (8) only the two of 3 remain in the window.
        Assert.That(late.Replicas, Is.EqualTo(3));
        Assert.That(late.AbleToScale, Is.EqualTo(new ConditionChange("True", "ReadyForNewScale", "recommended size matches current size")));
    }

    [Test]
    public void NormalizeWithBehavior_ScaleUpWindow_KeepsTheLowestRecentRecommendation()
    {
        var time = new FakeTimeProvider();
        var recommendations = new ScaleRecommendations(time, DownscaleWindow);
        var up = Rules(60, "Max", Pods(4), Percent(100));
        recommendations.RecordInitial(Key, 3);

        time.Advance(TimeSpan.FromSeconds(30));
        var early = recommendations.NormalizeWithBehavior(Key, up, NoWindowDown, 3, 6, 1, 10);
        time.Advance(TimeSpan.FromSeconds(31));
        var late = recommendations.NormalizeWithBehavior(Key, up, NoWindowDown, 3, 6, 1, 10);

        Assert.That(early.Replicas, Is.EqualTo(3));
        Assert.That(early.AbleToScale.Reason, Is.EqualTo("ScaleUpStabilized"));
        Assert.That(early.AbleToScale.Message, Is.EqualTo("recent recommendations were lower than current one, applying the lowest recent recommendation"));
        Assert.That(late.Replicas, Is.EqualTo(6));
    }

    [Test]
    public void NormalizeWithBehavior_ReplacesARecommendationOutsideBothWindows()
    {
        var time = new FakeTimeProvider();
        var recommendations = new ScaleRecommendations(time, DownscaleWindow);
        var down = Rules(10, "Max", Percent(100));
        recommendations.RecordInitial(Key, 9);
        time.Advance(TimeSpan.FromSeconds(11));

        // The 9 is out of both windows, so it no longer holds the count up.
        var normalized = recommendations.NormalizeWithBehavior(Key, DefaultUp, down, 9, 2, 1, 10);

        Assert.That(normalized.Replicas, Is.EqualTo(2));
    }

    public static IEnumerable<TestCaseData> RuleCases() =>
    [
        // convertDesiredReplicasWithRules without behavior: min, max and a scale-up cap of max(2 × current, 4).
        new TestCaseData(5, 7, 3, 10, 7, "DesiredWithinRange").SetName("Rules_WithinRange"),
        new TestCaseData(5, 2, 3, 10, 3, "TooFewReplicas").SetName("Rules_BelowMin"),
        new TestCaseData(5, 15, 3, 10, 10, "TooManyReplicas").SetName("Rules_AboveMax"),
        new TestCaseData(1, 10, 1, 10, 4, "ScaleUpLimit").SetName("Rules_ScaleUpCapOfFour"),
        new TestCaseData(3, 10, 1, 10, 6, "ScaleUpLimit").SetName("Rules_ScaleUpCapOfDouble"),
    ];

    [TestCaseSource(nameof(RuleCases))]
    public void Normalize_WithoutBehavior_Rules(int current, int desired, int min, int max, int expected, string reason)
    {
        var recommendations = new ScaleRecommendations(new FakeTimeProvider(), DownscaleWindow);

        var normalized = recommendations.Normalize(Key, current, desired, min, max);

        Assert.That((normalized.Replicas, normalized.ScalingLimited.Reason), Is.EqualTo((expected, reason)));
    }

    [Test]
    public void Normalize_WithoutBehavior_WaitsOutTheDownscaleWindow()
    {
        var time = new FakeTimeProvider();
        var recommendations = new ScaleRecommendations(time, DownscaleWindow);
        recommendations.RecordInitial(Key, 5);

        var held = recommendations.Normalize(Key, 5, 2, 1, 10);
        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var after = recommendations.Normalize(Key, 5, 2, 1, 10);

        Assert.That(held.Replicas, Is.EqualTo(5));
        Assert.That(held.AbleToScale.Reason, Is.EqualTo("ScaleDownStabilized"));
        Assert.That(after.Replicas, Is.EqualTo(2));
    }

    [Test]
    public void ScalingRules_FillTheGapsWithUpstreamDefaults()
    {
        var (up, down) = ScalingRules.Of(new V2HorizontalPodAutoscalerBehavior { ScaleDown = new V2HPAScalingRules { Policies = [Pods(1, 60)] } }, DownscaleWindow);

        Assert.That((up.StabilizationWindowSeconds, up.SelectPolicy, up.Policies.Count), Is.EqualTo((0, "Max", 2)));
        Assert.That((down.StabilizationWindowSeconds, down.SelectPolicy, down.Policies.Single().Value), Is.EqualTo((300, "Max", 1)));
    }
}
