using System.Collections.Concurrent;
using k8s.Models;

namespace MiniKube.Controllers.PodAutoscaler;

/// <summary>A condition an autoscaler's normalization wants set: its status, reason and message.</summary>
public readonly record struct ConditionChange(string Status, string Reason, string Message);

/// <summary>What normalization decided: the replicas to scale to, and the AbleToScale and ScalingLimited conditions that explain it.</summary>
public readonly record struct Normalized(int Replicas, ConditionChange AbleToScale, ConditionChange ScalingLimited);

/// <summary>
/// The autoscaler's memory between syncs, per HPA (horizontal.go recommendations, scaleUpEvents,
/// scaleDownEvents): the unstabilized recommendations of the recent past and the scale changes
/// made, and the normalization that reads them. Without a behavior (normalizeDesiredReplicas)
/// the highest recommendation of the downscale window wins and a scale-up is capped at
/// max(2 × current, 4); with one (normalizeDesiredReplicasWithBehaviors) the recommendation is
/// held between the lowest of the scale-up window and the highest of the scale-down window,
/// then limited by the policies' rates over their periods (selectPolicy Max, Min or Disabled),
/// then by min and max replicas. Kept in memory as upstream does: a new leader starts afresh.
/// Thread-safe; each key is synced by one worker at a time.
/// </summary>
public sealed class ScaleRecommendations(TimeProvider time, TimeSpan downscaleStabilization)
{
    private const double ScaleUpLimitFactor = 2.0;
    private const double ScaleUpLimitMinimum = 4.0;

    private readonly ConcurrentDictionary<NamespacedName, History> _histories = new();

    /// <summary>Forgets an HPA that is gone.</summary>
    public void Forget(NamespacedName key) => _histories.TryRemove(key, out _);

    /// <summary>recordInitialRecommendation: the first sync of an HPA remembers the current count as its first recommendation.</summary>
    public void RecordInitial(NamespacedName key, int currentReplicas)
    {
        var history = _histories.GetOrAdd(key, _ => new History());
        lock (history)
        {
            if (history.Recommendations.Count == 0)
            {
                history.Recommendations.Add(new Timestamped(currentReplicas, time.GetUtcNow()));
            }
        }
    }

    /// <summary>normalizeDesiredReplicas: for an HPA without behavior.</summary>
    public Normalized Normalize(NamespacedName key, int currentReplicas, int desired, int minReplicas, int maxReplicas)
    {
        var history = _histories.GetOrAdd(key, _ => new History());
        int stabilized;
        lock (history)
        {
            stabilized = StabilizeWithWindow(history, desired);
        }
        var able = stabilized != desired
            ? new ConditionChange("True", "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation")
            : new ConditionChange("True", "ReadyForNewScale", "recommended size matches current size");

        var (replicas, reason, message) = WithinRules(currentReplicas, stabilized, minReplicas, maxReplicas);
        return new Normalized(replicas, able, new ConditionChange(replicas == stabilized ? "False" : "True", reason, message));
    }

    /// <summary>normalizeDesiredReplicasWithBehaviors: for an HPA with behavior (defaults filled by <see cref="ScalingRules"/>).</summary>
    public Normalized NormalizeWithBehavior(NamespacedName key, V2HPAScalingRules up, V2HPAScalingRules down, int currentReplicas, int desired, int minReplicas, int maxReplicas)
    {
        ArgumentNullException.ThrowIfNull(up);
        ArgumentNullException.ThrowIfNull(down);
        var history = _histories.GetOrAdd(key, _ => new History());
        lock (history)
        {
            var (stabilized, stableReason, stableMessage) = StabilizeWithBehavior(history, up, down, currentReplicas, desired);
            var able = stabilized != desired
                ? new ConditionChange("True", stableReason, stableMessage)
                : new ConditionChange("True", "ReadyForNewScale", "recommended size matches current size");
            var (replicas, reason, message) = WithinRates(history, up, down, currentReplicas, stabilized, minReplicas, maxReplicas);
            return new Normalized(replicas, able, new ConditionChange(replicas == stabilized ? "False" : "True", reason, message));
        }
    }

    /// <summary>storeScaleEvent: remembers a change made, reusing a slot older than the direction's longest policy period. Only HPAs with behavior keep them.</summary>
    public void RecordScale(NamespacedName key, V2HPAScalingRules? up, V2HPAScalingRules? down, int previous, int next)
    {
        if (up is null || down is null)
        {
            return;
        }
        var history = _histories.GetOrAdd(key, _ => new History());
        lock (history)
        {
            var (events, rules, change) = next > previous ? (history.ScaleUps, up, next - previous) : (history.ScaleDowns, down, previous - next);
            var cutoff = time.GetUtcNow() - TimeSpan.FromSeconds(rules.Policies?.Select(p => p.PeriodSeconds).DefaultIfEmpty(0).Max() ?? 0);
            var entry = new Timestamped(change, time.GetUtcNow());
            var outdated = events.FindLastIndex(e => e.At < cutoff);
            if (outdated >= 0)
            {
                events[outdated] = entry;
            }
            else
            {
                events.Add(entry);
            }
        }
    }

    // stabilizeRecommendation: the highest recommendation of the window; the newest replaces one that left it.
    private int StabilizeWithWindow(History history, int desired)
    {
        var now = time.GetUtcNow();
        var cutoff = now - downscaleStabilization;
        var max = desired;
        var old = -1;
        for (var i = 0; i < history.Recommendations.Count; i++)
        {
            var rec = history.Recommendations[i];
            if (rec.At < cutoff)
            {
                old = i;
            }
            else if (rec.Value > max)
            {
                max = rec.Value;
            }
        }
        Remember(history, old, new Timestamped(desired, now));
        return max;
    }

    // stabilizeRecommendationWithBehaviors: held between the lowest of the scale-up window and the highest of the scale-down window.
    private (int Replicas, string Reason, string Message) StabilizeWithBehavior(History history, V2HPAScalingRules up, V2HPAScalingRules down, int currentReplicas, int desired)
    {
        var now = time.GetUtcNow();
        var upCutoff = now - TimeSpan.FromSeconds(up.StabilizationWindowSeconds ?? 0);
        var downCutoff = now - TimeSpan.FromSeconds(down.StabilizationWindowSeconds ?? 0);
        var upRecommendation = desired;
        var downRecommendation = desired;
        var old = -1;
        for (var i = 0; i < history.Recommendations.Count; i++)
        {
            var rec = history.Recommendations[i];
            if (rec.At > upCutoff)
            {
                upRecommendation = Math.Min(rec.Value, upRecommendation);
            }
            if (rec.At > downCutoff)
            {
                downRecommendation = Math.Max(rec.Value, downRecommendation);
            }
            if (rec.At < upCutoff && rec.At < downCutoff)
            {
                old = i;
            }
        }
        var recommendation = Math.Min(Math.Max(currentReplicas, upRecommendation), downRecommendation);
        Remember(history, old, new Timestamped(desired, now));
        return desired >= currentReplicas
            ? (recommendation, "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation")
            : (recommendation, "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation");
    }

    private static void Remember(History history, int oldIndex, Timestamped recommendation)
    {
        if (oldIndex >= 0)
        {
            history.Recommendations[oldIndex] = recommendation;
        }
        else
        {
            history.Recommendations.Add(recommendation);
        }
    }

    // convertDesiredReplicasWithBehaviorRate.
    private (int Replicas, string Reason, string Message) WithinRates(History history, V2HPAScalingRules up, V2HPAScalingRules down, int currentReplicas, int desired, int minReplicas, int maxReplicas)
    {
        if (desired > currentReplicas)
        {
            // A limit below the current count (events still in the period) holds the count until they age out.
            var limit = Math.Max(PolicyLimit(currentReplicas, history, up, up: true), currentReplicas);
            var (allowed, reason, message) = maxReplicas > limit
                ? (limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
                : (maxReplicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count");
            if (desired > allowed)
            {
                return (allowed, reason, message);
            }
        }
        else if (desired < currentReplicas)
        {
            var limit = Math.Min(PolicyLimit(currentReplicas, history, down, up: false), currentReplicas);
            var (allowed, reason, message) = minReplicas < limit
                ? (limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate")
                : (minReplicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count");
            if (desired < allowed)
            {
                return (allowed, reason, message);
            }
        }
        return (desired, "DesiredWithinRange", "the desired count is within the acceptable range");
    }

    // calculateScaleUpLimitWithScalingRules and calculateScaleDownLimitWithBehaviors: the count the policies allow now, from the
    // count at each period's start (changes made within the period taken back). Max picks the biggest change, Min the smallest.
    private int PolicyLimit(int currentReplicas, History history, V2HPAScalingRules rules, bool up)
    {
        if (rules.SelectPolicy == "Disabled")
        {
            return currentReplicas;
        }
        var biggestChange = rules.SelectPolicy != "Min";
        var furthest = up == biggestChange;
        var result = furthest ? int.MinValue : int.MaxValue;
        foreach (var policy in rules.Policies ?? [])
        {
            var periodStart = currentReplicas - ChangeWithin(policy.PeriodSeconds, history.ScaleUps) + ChangeWithin(policy.PeriodSeconds, history.ScaleDowns);
            var proposed = (policy.Type, up) switch
            {
                ("Pods", true) => periodStart + policy.Value,
                ("Pods", false) => periodStart - policy.Value,
                // Rounded up: a small percentage of few pods must still add one.
                (_, true) => (int)Math.Ceiling(periodStart * (1 + (policy.Value / 100.0))),
                _ => (int)(periodStart * (1 - (policy.Value / 100.0))),
            };
            result = furthest ? Math.Max(result, proposed) : Math.Min(result, proposed);
        }
        return result;
    }

    // getReplicasChangePerPeriod.
    private int ChangeWithin(int periodSeconds, List<Timestamped> events)
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromSeconds(periodSeconds);
        return events.Where(e => e.At > cutoff).Sum(e => e.Value);
    }

    // convertDesiredReplicasWithRules: min and max replicas, and upstream's fixed scale-up cap for HPAs without behavior.
    private static (int Replicas, string Reason, string Message) WithinRules(int currentReplicas, int desired, int minReplicas, int maxReplicas)
    {
        var scaleUpLimit = (int)Math.Max(ScaleUpLimitFactor * currentReplicas, ScaleUpLimitMinimum);
        var (maximum, reason, message) = maxReplicas > scaleUpLimit
            ? (scaleUpLimit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
            : (maxReplicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count");
        if (desired < minReplicas)
        {
            return (minReplicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count");
        }
        return desired > maximum ? (maximum, reason, message) : (desired, "DesiredWithinRange", "the desired count is within the acceptable range");
    }

    /// <summary>A replica count (a recommendation, or the size of a change) and when it was seen.</summary>
    private readonly record struct Timestamped(int Value, DateTimeOffset At);

    private sealed class History
    {
        public List<Timestamped> Recommendations { get; } = [];

        public List<Timestamped> ScaleUps { get; } = [];

        public List<Timestamped> ScaleDowns { get; } = [];
    }
}
