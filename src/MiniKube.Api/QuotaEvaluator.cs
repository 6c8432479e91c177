using k8s.Models;

namespace MiniKube.Api;

/// <summary>
/// What a ResourceQuota charges for one kind of object (apiserver pkg/quota/v1 Evaluator and
/// kubernetes pkg/quota/v1/evaluator/core): which quota resource names it tracks, the usage of
/// one object, the scopes it can match and the constraints it puts on objects. The same
/// evaluators serve the API server's quota admission and the quota controller, so a quota is
/// charged on admission exactly as the controller recounts it. Objects are the typed models
/// (V1Pod, V1Service, V1PersistentVolumeClaim); plain counts need none.
/// </summary>
public abstract class QuotaEvaluator
{
    /// <summary>The suffix of the per-storage-class PVC resource names (&lt;class&gt;.storageclass.storage.k8s.io/&lt;resource&gt;).</summary>
    public const string StorageClassSuffix = ".storageclass.storage.k8s.io/";

    private protected QuotaEvaluator(string group, string resource)
    {
        Group = group;
        Resource = resource;
    }

    public string Group { get; }

    public string Resource { get; }

    /// <summary>The model type an object must be read as for <see cref="Usage"/>; null when the usage is a plain count.</summary>
    public virtual Type? Model => null;

    /// <summary>Whether updates can change usage (services, PVCs); counts change only on create.</summary>
    public virtual bool HandlesUpdates => false;

    /// <summary>count/&lt;resource&gt; for the core group, count/&lt;resource&gt;.&lt;group&gt; otherwise (ObjectCountQuotaResourceNameFor).</summary>
    public static string ObjectCountName(string group, string resource) =>
        group.Length == 0 ? $"count/{resource}" : $"count/{resource}.{group}";

    /// <summary>The evaluator for a resource: the built-in ones of core/v1, else a plain object count.</summary>
    public static QuotaEvaluator For(string group, string resource) => (group, resource) switch
    {
        ("", "pods") => PodQuotaEvaluator.Instance,
        ("", "services") => ServiceQuotaEvaluator.Instance,
        ("", "persistentvolumeclaims") => PersistentVolumeClaimQuotaEvaluator.Instance,
        ("", "configmaps" or "secrets" or "replicationcontrollers" or "resourcequotas") => new ObjectCountQuotaEvaluator(group, resource, resource),
        _ => new ObjectCountQuotaEvaluator(group, resource, null),
    };

    /// <summary>Whether this evaluator tracks the quota resource <paramref name="name"/>.</summary>
    public abstract bool Tracks(string name);

    /// <summary>MatchingResources: the names of <paramref name="names"/> this evaluator tracks.</summary>
    public IReadOnlyList<string> MatchingResources(IEnumerable<string> names) => [.. names.Where(Tracks).Distinct(StringComparer.Ordinal)];

    /// <summary>The usage one object adds (its model, or null for plain counts); <paramref name="now"/> decides whether a deleted pod still counts.</summary>
    public abstract ResourceList Usage(object? item, DateTimeOffset now);

    /// <summary>Whether the object falls in one scope of a quota; evaluators without scopes match none.</summary>
    public virtual bool MatchesScope(V1ScopedResourceSelectorRequirement scope, object? item) => false;

    /// <summary>An error text when the object does not give what <paramref name="required"/> quota resources need (the pod evaluator's rule), else null.</summary>
    public virtual string? Constraints(IReadOnlyCollection<string> required, object? item) => null;

    /// <summary>
    /// generic.Matches: the quota's hard limits (from status: what the controller has taken in)
    /// name a resource this evaluator tracks, and the object is in every scope of the quota.
    /// </summary>
    public bool Matches(V1ResourceQuota quota, object? item)
    {
        ArgumentNullException.ThrowIfNull(quota);
        return MatchingResources(quota.Status?.Hard?.Keys ?? []).Count > 0
            && QuotaScopes.Of(quota.Spec).All(scope => MatchesScope(scope, item));
    }
}

/// <summary>The scopes of a quota: spec.scopes as Exists requirements, then scopeSelector's expressions (getScopeSelectorsFromQuota).</summary>
public static class QuotaScopes
{
    public static IReadOnlyList<V1ScopedResourceSelectorRequirement> Of(V1ResourceQuotaSpec? spec)
    {
        var result = new List<V1ScopedResourceSelectorRequirement>();
        foreach (var scope in spec?.Scopes ?? [])
        {
            result.Add(new V1ScopedResourceSelectorRequirement { ScopeName = scope, OperatorProperty = "Exists" });
        }
        result.AddRange(spec?.ScopeSelector?.MatchExpressions ?? []);
        return result;
    }
}

/// <summary>A plain object count: count/&lt;resource&gt;[.group], plus the legacy name (configmaps, secrets, …) where core has one (generic.NewObjectCountEvaluator).</summary>
public sealed class ObjectCountQuotaEvaluator(string group, string resource, string? legacyName) : QuotaEvaluator(group, resource)
{
    private readonly string _countName = ObjectCountName(group, resource);

    public override bool Tracks(string name) => name == _countName || (legacyName is not null && name == legacyName);

    public override ResourceList Usage(object? item, DateTimeOffset now)
    {
        var usage = new ResourceList { [_countName] = ExactQuantity.Count(1) };
        if (legacyName is not null)
        {
            usage[legacyName] = ExactQuantity.Count(1);
        }
        return usage;
    }
}

/// <summary>Services: services, count/services, services.loadbalancers, services.nodeports (evaluator/core/services.go); updates can change the type.</summary>
public sealed class ServiceQuotaEvaluator : QuotaEvaluator
{
    public static ServiceQuotaEvaluator Instance { get; } = new();

    private static readonly HashSet<string> Names = ["services", "count/services", "services.loadbalancers", "services.nodeports"];

    private ServiceQuotaEvaluator()
        : base("", "services")
    {
    }

    public override Type? Model => typeof(V1Service);

    public override bool HandlesUpdates => true;

    public override bool Tracks(string name) => Names.Contains(name);

    public override ResourceList Usage(object? item, DateTimeOffset now)
    {
        var service = item as V1Service ?? throw new ArgumentException("a service is required", nameof(item));
        var ports = service.Spec?.Ports?.Count ?? 0;
        var usage = new ResourceList
        {
            ["services"] = ExactQuantity.Count(1),
            ["count/services"] = ExactQuantity.Count(1),
            ["services.loadbalancers"] = ExactQuantity.Count(0),
            ["services.nodeports"] = ExactQuantity.Count(0),
        };
        switch (service.Spec?.Type)
        {
            case "NodePort":
                usage["services.nodeports"] = ExactQuantity.Count(ports);
                break;
            case "LoadBalancer":
                // Without node port allocation only explicitly given node ports count: the intent, not what is allocated yet.
                usage["services.nodeports"] = ExactQuantity.Count(service.Spec.AllocateLoadBalancerNodePorts == false
                    ? service.Spec.Ports?.Count(p => p.NodePort is > 0) ?? 0
                    : ports);
                usage["services.loadbalancers"] = ExactQuantity.Count(1);
                break;
        }
        return usage;
    }
}

/// <summary>PersistentVolumeClaims: claims and requested storage, overall and per storage class (evaluator/core/persistent_volume_claims.go).</summary>
public sealed class PersistentVolumeClaimQuotaEvaluator : QuotaEvaluator
{
    public static PersistentVolumeClaimQuotaEvaluator Instance { get; } = new();

    private static readonly string[] ClaimResources = ["persistentvolumeclaims", "requests.storage"];

    private PersistentVolumeClaimQuotaEvaluator()
        : base("", "persistentvolumeclaims")
    {
    }

    public override Type? Model => typeof(V1PersistentVolumeClaim);

    public override bool HandlesUpdates => true;

    public override bool Tracks(string name) =>
        name == "count/persistentvolumeclaims" || ClaimResources.Contains(name) || ClaimResources.Any(r => name.EndsWith(StorageClassSuffix + r, StringComparison.Ordinal));

    public override ResourceList Usage(object? item, DateTimeOffset now)
    {
        var claim = item as V1PersistentVolumeClaim ?? throw new ArgumentException("a claim is required", nameof(item));
        var usage = new ResourceList
        {
            ["persistentvolumeclaims"] = ExactQuantity.Count(1),
            ["count/persistentvolumeclaims"] = ExactQuantity.Count(1),
        };
        // The beta annotation still wins over spec.storageClassName (storagehelpers.GetPersistentVolumeClaimClass).
        var className = claim.Metadata?.Annotations?.TryGetValue("volume.beta.kubernetes.io/storage-class", out var annotated) == true
            ? annotated
            : claim.Spec?.StorageClassName ?? "";
        if (className.Length > 0)
        {
            usage[className + StorageClassSuffix + "persistentvolumeclaims"] = ExactQuantity.Count(1);
        }
        if (Storage(claim) is { } storage)
        {
            usage["requests.storage"] = storage;
            if (className.Length > 0)
            {
                usage[className + StorageClassSuffix + "requests.storage"] = storage;
            }
        }
        return usage;
    }

    // The larger of what is asked and what an expansion already allocated (RecoverVolumeExpansionFailure, on in 1.32).
    private static ExactQuantity? Storage(V1PersistentVolumeClaim claim)
    {
        ExactQuantity? requested = claim.Spec?.Resources?.Requests?.TryGetValue("storage", out var q) == true ? ExactQuantity.From(q) : null;
        if (claim.Status?.AllocatedResources?.TryGetValue("storage", out var allocated) == true)
        {
            var amount = ExactQuantity.From(allocated);
            if (requested is null || amount.Value > requested.Value.Value)
            {
                return amount;
            }
        }
        return requested;
    }
}
