using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.PodSecurity;

/// <summary>
/// What a namespace's new enforce level would say about the pods already in it
/// (pod-security-admission admission/admission.go EvaluatePodsInNamespace): the answer to a label
/// change is warnings, never a refusal. One pod per controller is checked first, at most 3,000
/// pods and within a time budget; pods with the same violations are reported once, under the
/// first name in order, with a count of the others.
/// </summary>
public static class NamespacePodReview
{
    /// <summary>At most this many pods are checked (upstream's defaultNamespaceMaxPodsToCheck).</summary>
    public const int MaxPods = 3000;

    /// <summary>The warnings for <paramref name="pods"/> of <paramref name="ns"/> under <paramref name="enforce"/>.</summary>
    /// <param name="overBudget">Asked after each pod; true stops the review (the time budget ran out).</param>
    public static IReadOnlyList<string> Review(
        string ns, LevelVersion enforce, IReadOnlyList<JsonObject> pods, PodSecurityEvaluator evaluator, Func<bool> overBudget, Func<string?, bool>? exemptRuntimeClass = null)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(overBudget);
        var ordered = Prioritize(pods, exemptRuntimeClass ?? (_ => false));
        var total = ordered.Count;
        var checkedPods = Math.Min(total, MaxPods);
        var reasons = new List<string>();
        var byReason = new Dictionary<string, (string FirstName, int Count)>(StringComparer.Ordinal);
        for (var i = 0; i < checkedPods; i++)
        {
            var pod = ordered[i];
            var result = evaluator.Check(enforce, PodTemplates.Extract("pods", pod)!);
            if (!result.Allowed)
            {
                var name = ObjectMeta.Name(pod) ?? "";
                var reason = result.Reason;
                if (byReason.TryGetValue(reason, out var seen))
                {
                    byReason[reason] = (string.CompareOrdinal(name, seen.FirstName) < 0 ? name : seen.FirstName, seen.Count + 1);
                }
                else
                {
                    reasons.Add(reason);
                    byReason[reason] = (name, 1);
                }
            }
            if (overBudget())
            {
                checkedPods = i + 1;
                break;
            }
        }
        var warnings = new List<string>();
        if (checkedPods < total)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture, $"new PodSecurity enforce level only checked against the first {checkedPods} of {total} existing pods"));
        }
        if (reasons.Count > 0)
        {
            warnings.Add($"existing pods in namespace \"{ns}\" violate the new PodSecurity enforce level \"{enforce}\"");
        }
        warnings.AddRange(reasons.Select(reason => Decorate(reason, byReason[reason])).Order(StringComparer.Ordinal));
        return warnings;
    }

    private static string Decorate(string reason, (string FirstName, int Count) pods) => pods.Count switch
    {
        1 => $"{pods.FirstName}: {reason}",
        2 => $"{pods.FirstName} (and 1 other pod): {reason}",
        _ => string.Create(CultureInfo.InvariantCulture, $"{pods.FirstName} (and {pods.Count - 1} other pods): {reason}"),
    };

    // prioritizePods: pods of exempt runtime classes are left out; the first pod of each
    // controller comes first, its siblings after all of those.
    private static List<JsonObject> Prioritize(IReadOnlyList<JsonObject> pods, Func<string?, bool> exemptRuntimeClass)
    {
        var first = new List<JsonObject>();
        var siblings = new List<JsonObject>();
        var controllers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (exemptRuntimeClass(pod.Obj("spec").Str("runtimeClassName")))
            {
                continue;
            }
            var controller = pod.Obj("metadata").Items("ownerReferences").Select(r => r.Item).FirstOrDefault(r => r.Bool("controller") == true);
            if (controller is null || controllers.Add(controller.StrOrEmpty("uid")))
            {
                first.Add(pod);
            }
            else
            {
                siblings.Add(pod);
            }
        }
        return [.. first, .. siblings];
    }
}
