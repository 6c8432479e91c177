using k8s.Models;

namespace MiniKube.Controllers.NodeLifecycle;

/// <summary>
/// The taints the node lifecycle controller manages and how tolerations match them
/// (k8s.io/api/core/v1 well_known_taints.go, toleration.go ToleratesTaint).
/// </summary>
public static class Taints
{
    public const string NotReady = "node.kubernetes.io/not-ready";
    public const string Unreachable = "node.kubernetes.io/unreachable";
    public const string NoExecute = "NoExecute";
    public const string NoSchedule = "NoSchedule";

    /// <summary>Whether <paramref name="toleration"/> tolerates <paramref name="taint"/>: same effect (or any), and the key (and value, for Equal) match.</summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        ArgumentNullException.ThrowIfNull(toleration);
        ArgumentNullException.ThrowIfNull(taint);
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect)
        {
            return false;
        }
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key)
        {
            return false;
        }
        return toleration.OperatorProperty switch
        {
            "Exists" => true,
            null or "" or "Equal" => !string.IsNullOrEmpty(toleration.Key) && (toleration.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }

    /// <summary>Whether two taints are the same one (key and effect), whatever their timeAdded.</summary>
    public static bool Same(V1Taint a, V1Taint b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Key == b.Key && a.Effect == b.Effect;
    }
}
