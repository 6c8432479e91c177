using System.Globalization;
using k8s.Models;

namespace MiniKube.Controllers.Deployment;

/// <summary>
/// maxSurge and maxUnavailable as numbers of pods (deployment/util ResolveFenceposts, MaxSurge,
/// MaxUnavailable; apimachinery intstr GetScaledValueFromIntOrPercent): a percentage of the
/// desired replicas, surge rounded up and unavailability rounded down; if both come out 0,
/// one pod may be unavailable so a rollout can move at all. Recreate deployments surge by 0
/// and allow none unavailable.
/// </summary>
public static class RollingUpdateLimits
{
    public static bool IsRollingUpdate(V1Deployment d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return d.Spec.Strategy?.Type is null or "RollingUpdate";
    }

    public static int MaxSurge(V1Deployment d) =>
        IsRollingUpdate(d) ? Fenceposts(d, d.Spec.Replicas ?? 1).Surge : 0;

    public static int MaxUnavailable(V1Deployment d)
    {
        var replicas = d.Spec.Replicas ?? 1;
        if (!IsRollingUpdate(d) || replicas == 0)
        {
            return 0;
        }
        return Math.Min(Fenceposts(d, replicas).Unavailable, replicas);
    }

    public static (int Surge, int Unavailable) Fenceposts(V1Deployment d, int desired)
    {
        ArgumentNullException.ThrowIfNull(d);
        var rolling = d.Spec.Strategy?.RollingUpdate;
        var surge = Scaled(rolling?.MaxSurge, desired, roundUp: true);
        var unavailable = Scaled(rolling?.MaxUnavailable, desired, roundUp: false);
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    /// <summary>An int, or a percentage of <paramref name="total"/>; absent means 0.</summary>
    public static int Scaled(IntOrString? value, int total, bool roundUp)
    {
        var text = value?.Value;
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }
        if (!text.EndsWith('%'))
        {
            return int.Parse(text, CultureInfo.InvariantCulture);
        }
        var percent = double.Parse(text[..^1], CultureInfo.InvariantCulture);
        var exact = percent * total / 100;
        return (int)(roundUp ? Math.Ceiling(exact) : Math.Floor(exact));
    }
}
