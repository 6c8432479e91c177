using k8s.Models;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// LimitRanger's validation (PodValidateLimitFunc, PersistentVolumeClaimValidateLimitFunc and
/// the min/max/ratio constraints of plugin/pkg/admission/limitranger/admission.go), word for
/// word: each broken rule is one message, quantities in canonical text. Resources are taken in
/// name order (upstream's map order is random) so messages are stable.
/// </summary>
internal static class LimitRangeChecks
{
    // resource.MaxMilliValue: the largest value whose MilliValue fits in an int64.
    private const long MaxMilliValue = long.MaxValue / 1000;

    public static IReadOnlyList<string> Pod(V1LimitRange range, V1Pod pod)
    {
        var errors = new List<string>();
        foreach (var item in range.Spec?.Limits ?? [])
        {
            switch (item.Type)
            {
                case "Container":
                    foreach (var container in (pod.Spec?.Containers ?? []).Concat(pod.Spec?.InitContainers ?? []))
                    {
                        Check(item, "Container", ResourceList.From(container.Resources?.Requests), ResourceList.From(container.Resources?.Limits), errors);
                    }
                    break;
                case "Pod":
                    // LimitRanger's podRequests/podLimits leave the pod's overhead out.
                    Check(item, "Pod", PodResources.Requests(pod.Spec, withOverhead: false), PodResources.Limits(pod.Spec, withOverhead: false), errors);
                    break;
            }
        }
        return errors;
    }

    /// <summary>A claim's requests against the PersistentVolumeClaim items: min as usual, max against the request (its limits are not user input).</summary>
    public static IReadOnlyList<string> Claim(V1LimitRange range, V1PersistentVolumeClaim claim)
    {
        var errors = new List<string>();
        var requests = ResourceList.From(claim.Spec?.Resources?.Requests);
        foreach (var item in range.Spec?.Limits ?? [])
        {
            if (item.Type != "PersistentVolumeClaim")
            {
                continue;
            }
            foreach (var (name, enforced) in ResourceList.From(item.Min))
            {
                Min("PersistentVolumeClaim", name, enforced, requests, [], errors);
            }
            foreach (var (name, enforced) in ResourceList.From(item.Max))
            {
                // maxRequestConstraint: a claim's limits are not user input, only its request counts.
                Bound($"maximum {name} usage per PersistentVolumeClaim is {enforced}", (value, bound) => value > bound, enforced,
                    Side("request", requests, name), ("limit", null), errors);
            }
        }
        return errors;
    }

    private static void Check(V1LimitRangeItem item, string type, ResourceList requests, ResourceList limits, List<string> errors)
    {
        foreach (var (name, enforced) in ResourceList.From(item.Min))
        {
            Min(type, name, enforced, requests, limits, errors);
        }
        foreach (var (name, enforced) in ResourceList.From(item.Max))
        {
            Max(type, name, enforced, requests, limits, errors);
        }
        foreach (var (name, enforced) in ResourceList.From(item.MaxLimitRequestRatio))
        {
            Ratio(type, name, enforced, requests, limits, errors);
        }
    }

    // minConstraint: the request first (it must exist), then the limit if there is one.
    private static void Min(string type, string name, ExactQuantity enforced, ResourceList requests, ResourceList limits, List<string> errors) =>
        Bound($"minimum {name} usage per {type} is {enforced}", (value, bound) => value < bound, enforced,
            Side("request", requests, name), Side("limit", limits, name), errors);

    // maxConstraint: the limit first (it must exist), then the request if there is one.
    private static void Max(string type, string name, ExactQuantity enforced, ResourceList requests, ResourceList limits, List<string> errors) =>
        Bound($"maximum {name} usage per {type} is {enforced}", (value, bound) => value > bound, enforced,
            Side("limit", limits, name), Side("request", requests, name), errors);

    private static (string Word, ExactQuantity? Amount) Side(string word, ResourceList list, string name) =>
        (word, list.TryGetValue(name, out var amount) ? amount : null);

    private static void Bound(
        string rule, Func<long, long, bool> breaks, ExactQuantity enforced, (string Word, ExactQuantity? Amount) first, (string Word, ExactQuantity? Amount) second, List<string> errors)
    {
        var (firstValue, secondValue, bound) = Compare(first.Amount, second.Amount, enforced);
        if (first.Amount is not { } firstAmount)
        {
            errors.Add($"{rule}.  No {first.Word} is specified");
        }
        else if (breaks(firstValue, bound))
        {
            errors.Add($"{rule}, but {first.Word} is {firstAmount}");
        }
        else if (second.Amount is { } secondAmount && breaks(secondValue, bound))
        {
            errors.Add($"{rule}, but {second.Word} is {secondAmount}");
        }
    }

    private static void Ratio(string type, string name, ExactQuantity enforced, ResourceList requests, ResourceList limits, List<string> errors)
    {
        var hasRequest = requests.TryGetValue(name, out var request);
        var hasLimit = limits.TryGetValue(name, out var limit);
        var (observedRequest, observedLimit, _) = Compare(request, limit, enforced);
        if (!hasRequest || observedRequest == 0)
        {
            errors.Add($"{name} max limit to request ratio per {type} is {enforced}, but no request is specified or request is 0");
            return;
        }
        if (!hasLimit || observedLimit == 0)
        {
            errors.Add($"{name} max limit to request ratio per {type} is {enforced}, but no limit is specified or limit is 0");
            return;
        }
        var ratio = (double)observedLimit / observedRequest;
        var shown = ratio;
        double bound = enforced.Units;
        if (enforced.Units <= MaxMilliValue)
        {
            ratio *= 1000;
            bound = enforced.Milli;
        }
        if (ratio > bound)
        {
            errors.Add($"{name} max limit to request ratio per {type} is {enforced}, but provided ratio is {shown.ToString("F6", CultureInfo.InvariantCulture)}");
        }
    }

    // requestLimitEnforcedValues: milli-units when all three fit, whole units otherwise.
    private static (long Request, long Limit, long Enforced) Compare(ExactQuantity? request, ExactQuantity? limit, ExactQuantity enforced)
    {
        var r = request ?? ExactQuantity.Zero;
        var l = limit ?? ExactQuantity.Zero;
        return r.Units <= MaxMilliValue && l.Units <= MaxMilliValue && enforced.Units <= MaxMilliValue
            ? (r.Milli, l.Milli, enforced.Milli)
            : (r.Units, l.Units, enforced.Units);
    }
}
