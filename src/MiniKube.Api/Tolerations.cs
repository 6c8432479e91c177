using k8s.Models;

namespace MiniKube.Api;

/// <summary>
/// Whether tolerations tolerate taints (k8s.io/api/core/v1 toleration.go ToleratesTaint and
/// component-helpers/scheduling/corev1 helpers.go), for the scheduler's filters and scores and
/// the DaemonSet and taint-eviction controllers.
/// </summary>
public static class Tolerations
{
    /// <summary>
    /// Toleration.ToleratesTaint: an empty effect tolerates every effect, an empty key with
    /// Exists every key; Equal (the default operator) also needs the values to be equal.
    /// </summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        ArgumentNullException.ThrowIfNull(toleration);
        ArgumentNullException.ThrowIfNull(taint);
        if (toleration.Effect is { Length: > 0 } effect && effect != taint.Effect)
        {
            return false;
        }

        if (toleration.Key is { Length: > 0 } key && key != taint.Key)
        {
            return false;
        }

        return toleration.OperatorProperty switch
        {
            "Exists" => true,
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }

    /// <summary>Whether any of the tolerations (absent: none) tolerates the taint (TolerationsTolerateTaint).</summary>
    public static bool Tolerate(IEnumerable<V1Toleration>? tolerations, V1Taint taint)
    {
        ArgumentNullException.ThrowIfNull(taint);
        return tolerations is not null && tolerations.Any(toleration => Tolerates(toleration, taint));
    }

    /// <summary>
    /// The first taint with one of <paramref name="effects"/> that no toleration tolerates, or
    /// null (FindMatchingUntoleratedTaint).
    /// </summary>
    public static V1Taint? FirstUntolerated(IEnumerable<V1Taint>? taints, IEnumerable<V1Toleration>? tolerations, params string[] effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        var list = tolerations?.ToList() ?? [];
        return taints?.FirstOrDefault(taint => effects.Contains(taint.Effect) && !Tolerate(list, taint));
    }
}
