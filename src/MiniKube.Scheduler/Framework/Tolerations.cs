using k8s.Models;

namespace MiniKube.Scheduler.Framework;

/// <summary>Whether tolerations tolerate a taint (upstream v1helper.TolerationsTolerateTaint, Toleration.ToleratesTaint).</summary>
internal static class Tolerations
{
    public static bool Tolerate(IList<V1Toleration> tolerations, V1Taint taint)
    {
        ArgumentNullException.ThrowIfNull(tolerations);
        ArgumentNullException.ThrowIfNull(taint);
        foreach (var toleration in tolerations)
        {
            if (Tolerates(toleration, taint))
            {
                return true;
            }
        }
        return false;
    }

    // An empty effect tolerates every effect; an empty key with Exists tolerates every taint;
    // Equal (the default operator) also needs the values to match.
    private static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
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
}
