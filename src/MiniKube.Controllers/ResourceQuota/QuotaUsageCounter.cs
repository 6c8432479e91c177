using k8s.Models;
using MiniKube.Controllers.Namespace;

namespace MiniKube.Controllers.ResourceQuota;

/// <summary>
/// quota.CalculateUsage for one quota: for each evaluator that tracks some of the quota's hard
/// resources, the usage of the namespace's objects that fall in the quota's scopes, starting
/// from zero for every tracked resource, masked to the tracked names. Kinds with a shared
/// informer are counted from its cache; any other count/&lt;resource&gt;[.&lt;group&gt;] by listing
/// through the API (found by discovery, each group's preferred version).
/// </summary>
internal sealed class QuotaUsageCounter(
    Informer<V1Pod> pods,
    Informer<V1Service> services,
    Informer<V1PersistentVolumeClaim> claims,
    Informer<V1ConfigMap> configMaps,
    Informer<V1Secret> secrets,
    Informer<V1ReplicationController> replicationControllers,
    Informer<V1ResourceQuota> quotas,
    NamespacedResources resources)
{
    public async Task<ResourceList> UsageAsync(V1ResourceQuota quota, IEnumerable<string> hardNames, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var names = hardNames.ToList();
        var ns = quota.Metadata.NamespaceProperty;
        var scopes = QuotaScopes.Of(quota.Spec);
        var usage = new ResourceList();
        var counted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (evaluator, items) in Cached(ns))
        {
            var tracked = evaluator.MatchingResources(names);
            if (tracked.Count == 0)
            {
                continue;
            }
            var sum = new ResourceList(tracked.Select(n => KeyValuePair.Create(n, ExactQuantity.Zero)));
            foreach (var item in items())
            {
                var model = evaluator.Model is null ? null : item;
                if (scopes.All(scope => evaluator.MatchesScope(scope, model)))
                {
                    sum = sum.Plus(evaluator.Usage(model, now));
                }
            }
            usage = usage.Plus(sum.Mask(tracked));
            counted.UnionWith(tracked);
        }
        IReadOnlyList<NamespacedResource>? discovered = null;
        foreach (var name in names.Where(n => !counted.Contains(n) && n.StartsWith("count/", StringComparison.Ordinal)))
        {
            var (group, resource) = CountedResource(name);
            discovered ??= await resources.DiscoverAsync(cancellationToken);
            if (discovered.FirstOrDefault(r => r.Name == resource && GroupOf(r.GroupVersion) == group) is not { } served)
            {
                continue; // Not served (yet): unknown, as upstream leaves resources it cannot count.
            }
            // A scoped quota matches no plain object count (generic.MatchesNoScopeFunc).
            var count = scopes.Count > 0 ? 0 : await resources.CountAsync(served, ns, cancellationToken);
            usage[name] = ExactQuantity.Count(count);
        }
        return usage;
    }

    /// <summary>"count/deployments.apps" → ("apps", "deployments"); "count/serviceaccounts" → ("", "serviceaccounts").</summary>
    internal static (string Group, string Resource) CountedResource(string name)
    {
        var rest = name["count/".Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? ("", rest) : (rest[(dot + 1)..], rest[..dot]);
    }

    private static string GroupOf(string groupVersion) =>
        groupVersion.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? groupVersion[..slash] : "";

    private IEnumerable<(QuotaEvaluator Evaluator, Func<IEnumerable<object>> Items)> Cached(string ns) =>
    [
        (QuotaEvaluator.For("", "pods"), () => pods.Cache.ListNamespace(ns)),
        (QuotaEvaluator.For("", "services"), () => services.Cache.ListNamespace(ns)),
        (QuotaEvaluator.For("", "persistentvolumeclaims"), () => claims.Cache.ListNamespace(ns)),
        (QuotaEvaluator.For("", "configmaps"), () => configMaps.Cache.ListNamespace(ns)),
        (QuotaEvaluator.For("", "secrets"), () => secrets.Cache.ListNamespace(ns)),
        (QuotaEvaluator.For("", "replicationcontrollers"), () => replicationControllers.Cache.ListNamespace(ns)),
        (QuotaEvaluator.For("", "resourcequotas"), () => quotas.Cache.ListNamespace(ns)),
    ];
}
