using k8s.Models;

namespace MiniKube.Controllers.Disruption;

/// <summary>Why a budget's expected pod count could not be worked out; its message goes into the event and the SyncFailed condition.</summary>
public sealed class ExpectedPodCountException : Exception
{
    public ExpectedPodCountException()
    {
    }

    public ExpectedPodCountException(string message)
        : base(message)
    {
    }

    public ExpectedPodCountException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// How many pods a budget expects and how many of them must stay healthy, with the selected
/// pods that no controller manages (counted by nobody, so reported to the user).
/// </summary>
internal sealed record ExpectedPodCount(int Expected, int DesiredHealthy, IReadOnlyList<string> UnmanagedPods)
{
    /// <summary>
    /// pkg/controller/disruption/disruption.go getExpectedPodCount: an integer minAvailable
    /// expects the selected pods and wants minAvailable of them; a percentage minAvailable or
    /// any maxUnavailable expects the summed replicas of the pods' controllers (each counted
    /// once) and scales the percentage with rounding up. Throws
    /// <see cref="ExpectedPodCountException"/> when a managed pod's controller cannot be found.
    /// </summary>
    public static ExpectedPodCount For(V1PodDisruptionBudget pdb, IReadOnlyList<V1Pod> pods, ControllerScales scales)
    {
        ArgumentNullException.ThrowIfNull(pdb);
        ArgumentNullException.ThrowIfNull(pods);
        var spec = pdb.Spec;
        if (spec?.MaxUnavailable is { } maxUnavailable)
        {
            var (expected, unmanaged) = ScaleOf(pods, scales);
            var desired = Math.Max(0, expected - Scaled(maxUnavailable, expected, "maxUnavailable"));
            return new ExpectedPodCount(expected, desired, unmanaged);
        }
        if (spec?.MinAvailable is { } minAvailable)
        {
            // The client model keeps an int-or-string as text: a percentage is the string form; validation refuses other strings.
            if (!IsPercent(minAvailable))
            {
                return new ExpectedPodCount(pods.Count, Scaled(minAvailable, 0, "minAvailable"), []);
            }
            var (expected, unmanaged) = ScaleOf(pods, scales);
            return new ExpectedPodCount(expected, Scaled(minAvailable, expected, "minAvailable"), unmanaged);
        }
        // Neither is set: nothing is required (upstream leaves both numbers at zero).
        return new ExpectedPodCount(0, 0, []);
    }

    /// <summary>getExpectedScale: the sum of the scales of the controllers of <paramref name="pods"/>, each controller once.</summary>
    private static (int Expected, IReadOnlyList<string> Unmanaged) ScaleOf(IReadOnlyList<V1Pod> pods, ControllerScales scales)
    {
        var byController = new Dictionary<string, int>(StringComparer.Ordinal);
        var unmanaged = new List<string>();
        foreach (var pod in pods)
        {
            if (ControllerRefs.ControllerOf(pod) is not { } owner)
            {
                unmanaged.Add(pod.Metadata.Name);
                continue;
            }
            if (scales.Find(owner, pod.Metadata.NamespaceProperty) is not { } scale)
            {
                throw new ExpectedPodCountException($"found no controllers for pod \"{pod.Metadata.Name}\"");
            }
            byController[scale.Uid] = scale.Replicas;
        }
        return (byController.Values.Sum(), unmanaged);
    }

    private static bool IsPercent(IntOrString value) => value.Value?.EndsWith('%') == true;

    /// <summary>intstr.GetScaledValueFromIntOrPercent with roundUp; an unparsable value is an error, as upstream.</summary>
    private static int Scaled(IntOrString value, int total, string field)
    {
        const int Invalid = int.MinValue;
        var scaled = IntOrPercent.Scaled(value, total, roundUp: true, Invalid);
        return scaled == Invalid ? throw new ExpectedPodCountException($"invalid value for IntOrString: {field} \"{value.Value}\"") : scaled;
    }
}
