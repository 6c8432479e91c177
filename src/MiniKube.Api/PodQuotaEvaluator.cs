using k8s.Models;

namespace MiniKube.Api;

/// <summary>
/// Pods (pkg/quota/v1/evaluator/core/pods.go): count/pods for every stored pod; pods and the
/// compute resources (cpu, memory, ephemeral-storage as requests.* and limits.*, hugepages,
/// requests.&lt;extended&gt;) only for pods that are not terminal; scopes Terminating,
/// NotTerminating, BestEffort, NotBestEffort, PriorityClass and CrossNamespacePodAffinity; and the
/// old rule that a quota on cpu or memory needs every container to state it.
/// </summary>
public sealed class PodQuotaEvaluator : QuotaEvaluator
{
    public static PodQuotaEvaluator Instance { get; } = new();

    private static readonly HashSet<string> PodNames =
    [
        "count/pods", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
        "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
    ];

    // The resources whose quota makes every container state them (validationSet upstream).
    private static readonly HashSet<string> MustBeStated = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];

    private PodQuotaEvaluator()
        : base("", "pods")
    {
    }

    public override Type? Model => typeof(V1Pod);

    public override bool Tracks(string name) =>
        PodNames.Contains(name) || name.StartsWith("hugepages-", StringComparison.Ordinal) || name.StartsWith("requests.hugepages-", StringComparison.Ordinal)
        || (name.StartsWith("requests.", StringComparison.Ordinal) && !IsNative(name));

    public override ResourceList Usage(object? item, DateTimeOffset now)
    {
        var pod = item as V1Pod ?? throw new ArgumentException("a pod is required", nameof(item));
        var usage = new ResourceList { ["count/pods"] = ExactQuantity.Count(1) };
        // Pods that finished (or whose graceful deletion has run out) hold no compute resources.
        if (!Counts(pod, now))
        {
            return usage;
        }
        return usage.Plus(ComputeUsage(PodResources.Requests(pod.Spec), PodResources.Limits(pod.Spec)));
    }

    public override bool MatchesScope(V1ScopedResourceSelectorRequirement scope, object? item)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var pod = item as V1Pod ?? throw new ArgumentException("a pod is required", nameof(item));
        switch (scope.ScopeName)
        {
            case "Terminating":
                return IsTerminating(pod);
            case "NotTerminating":
                return !IsTerminating(pod);
            case "BestEffort":
                return IsBestEffort(pod);
            case "NotBestEffort":
                return !IsBestEffort(pod);
            case "PriorityClass":
                var className = pod.Spec?.PriorityClassName ?? "";
                var values = scope.Values ?? [];
                return scope.OperatorProperty switch
                {
                    "Exists" => className.Length > 0,
                    "DoesNotExist" => className.Length == 0,
                    "In" => className.Length > 0 && values.Contains(className),
                    "NotIn" => className.Length == 0 || !values.Contains(className),
                    _ => false,
                };
            case "CrossNamespacePodAffinity":
                return UsesCrossNamespaceAffinity(pod);
            default:
                return false;
        }
    }

    public override string? Constraints(IReadOnlyCollection<string> required, object? item)
    {
        ArgumentNullException.ThrowIfNull(required);
        var pod = item as V1Pod ?? throw new ArgumentException("a pod is required", nameof(item));
        var needed = required.Where(MustBeStated.Contains).ToHashSet(StringComparer.Ordinal);
        if (needed.Count == 0)
        {
            return null;
        }
        var missing = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var container in (pod.Spec?.Containers ?? []).Concat(pod.Spec?.InitContainers ?? []))
        {
            var stated = ComputeUsage(ResourceList.From(container.Resources?.Requests), ResourceList.From(container.Resources?.Limits)).Keys;
            foreach (var name in needed.Except(stated))
            {
                if (!missing.TryGetValue(name, out var names))
                {
                    missing[name] = names = new SortedSet<string>(StringComparer.Ordinal);
                }
                names.Add(container.Name ?? "");
            }
        }
        return missing.Count == 0 ? null : "must specify " + string.Join("; ", missing.Select(m => $"{m.Key} for: {string.Join(",", m.Value)}"));
    }

    /// <summary>QuotaV1Pod: not Succeeded or Failed, and not past its deletion grace period.</summary>
    public static bool Counts(V1Pod pod, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.Status?.Phase is "Succeeded" or "Failed")
        {
            return false;
        }
        var deletion = pod.Metadata?.DeletionTimestamp;
        var grace = pod.Metadata?.DeletionGracePeriodSeconds;
        return deletion is null || grace is null || now <= new DateTimeOffset(DateTime.SpecifyKind(deletion.Value, DateTimeKind.Utc)).AddSeconds(grace.Value);
    }

    // podComputeUsageHelper: what a pod's (or one container's) requests and limits charge.
    private static ResourceList ComputeUsage(ResourceList requests, ResourceList limits)
    {
        var usage = new ResourceList { ["pods"] = ExactQuantity.Count(1) };
        foreach (var name in new[] { "cpu", "memory", "ephemeral-storage" })
        {
            if (requests.TryGetValue(name, out var request))
            {
                usage[name] = request;
                usage["requests." + name] = request;
            }
            if (limits.TryGetValue(name, out var limit))
            {
                usage["limits." + name] = limit;
            }
        }
        foreach (var (name, request) in requests)
        {
            if (name.StartsWith("hugepages-", StringComparison.Ordinal))
            {
                usage[name] = request;
                usage["requests." + name] = request;
            }
            else if (!IsNative(name) && !name.StartsWith("requests.", StringComparison.Ordinal))
            {
                // Extended resources cannot be overcommitted, so only requests.<name> is quota'd.
                usage["requests." + name] = request;
            }
        }
        return usage;
    }

    // helper.IsNativeResource: no domain, or a kubernetes.io one.
    private static bool IsNative(string name) => !name.Contains('/', StringComparison.Ordinal) || name.Contains("kubernetes.io/", StringComparison.Ordinal);

    private static bool IsTerminating(V1Pod pod) => pod.Spec?.ActiveDeadlineSeconds is >= 0;

    // QoS BestEffort: no container (init containers included) asks for or limits cpu or memory.
    private static bool IsBestEffort(V1Pod pod) =>
        (pod.Spec?.Containers ?? []).Concat(pod.Spec?.InitContainers ?? []).All(c =>
            !new[] { c.Resources?.Requests, c.Resources?.Limits }.Any(list =>
                ResourceList.From(list).Any(p => p.Key is "cpu" or "memory" && p.Value.Value != 0)));

    private static bool UsesCrossNamespaceAffinity(V1Pod pod)
    {
        var affinity = pod.Spec?.Affinity;
        var terms = (affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [])
            .Concat((affinity?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? []).Select(w => w.PodAffinityTerm))
            .Concat(affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [])
            .Concat((affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? []).Select(w => w.PodAffinityTerm));
        return terms.Any(t => t.Namespaces is { Count: > 0 } || t.NamespaceSelector is not null);
    }
}
