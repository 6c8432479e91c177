using k8s.Models;
using MiniKube.Controllers.Namespace;

namespace MiniKube.Controllers.ResourceQuota;

/// <summary>
/// The resource quota controller (pkg/controller/resourcequota/resource_quota_controller.go):
/// keeps every ResourceQuota's status.hard equal to spec.hard and recounts status.used from the
/// objects of its namespace, with the same evaluators the API server's quota admission charges
/// with (MiniKube.Api's <see cref="QuotaEvaluator"/>). Keys are quota keys. A quota is synced
/// when it is added or its spec changes, when an object it tracks is deleted or changes its
/// usage (a pod finishing releases its compute resources; creates are charged by admission),
/// and every 5 minutes (upstream's --resource-quota-sync-period), which also corrects charges
/// for writes that failed after admission. Pods, services, claims, config maps, secrets,
/// replication controllers and quotas are counted from the shared informers; any other
/// count/&lt;resource&gt;.&lt;group&gt; by a LIST through the API (upstream's discovery-driven monitors).
/// The status is written only when it changed.
/// </summary>
public sealed partial class ResourceQuotaController : Controller<NamespacedName>
{
    /// <summary>How often every quota is recounted in full.</summary>
    public static readonly TimeSpan ResyncPeriod = TimeSpan.FromMinutes(5);

    private readonly Informer<V1ResourceQuota> _quotas;
    private readonly QuotaUsageCounter _counter;

    public ResourceQuotaController(ControllerContext context)
        : base(context, "resourcequota", workers: 2)
    {
        var informers = context.Informers;
        _quotas = informers.ResourceQuotas;
        _counter = new QuotaUsageCounter(
            informers.Pods, informers.Services, informers.PersistentVolumeClaims, informers.ConfigMaps, informers.Secrets,
            informers.ReplicationControllers, _quotas, new NamespacedResources(context.Client));
        _quotas.AddHandler(change =>
        {
            if (!change.IsDelete && (change.IsAdd || change.IsResync || SpecChanged(change.Old!, change.New!)))
            {
                Queue.Add(change.Name);
            }
        });
        Replenish(informers.Pods, "pods");
        Replenish(informers.Services, "services");
        Replenish(informers.PersistentVolumeClaims, "persistentvolumeclaims");
        Replenish(informers.ConfigMaps, "configmaps");
        Replenish(informers.Secrets, "secrets");
        Replenish(informers.ReplicationControllers, "replicationcontrollers");
        _quotas.AddHandler(change =>
        {
            if (change.IsDelete)
            {
                QueueQuotasTracking(QuotaEvaluator.For("", "resourcequotas"), change.Latest.Metadata.NamespaceProperty);
            }
        });
    }

    /// <summary>Recounts the quota at <paramref name="key"/> and writes its status when it changed (syncResourceQuota).</summary>
    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (_quotas.Get(key) is not { } quota)
        {
            return;
        }
        var hard = ResourceList.From(quota.Spec?.Hard);
        var previous = ResourceList.From(quota.Status?.Used);
        var used = new ResourceList(previous);
        foreach (var (name, amount) in await _counter.UsageAsync(quota, hard.Keys, Time.GetUtcNow(), cancellationToken))
        {
            used[name] = amount;
        }
        used = used.Mask(hard.Keys);
        var dirty = quota.Status?.Hard is null || quota.Status.Used is null
            || !hard.SameAs(ResourceList.From(quota.Status.Hard)) || !used.SameAs(previous);
        if (dirty)
        {
            var updated = ObjectCopy.Clone(quota);
            updated.Status = new V1ResourceQuotaStatus { Hard = hard.ToModel(), Used = used.ToModel() };
            try
            {
                await Client.CoreV1.ReplaceNamespacedResourceQuotaStatusAsync(updated, key.Name, key.Namespace, cancellationToken: cancellationToken);
                LogUpdated(key.Namespace, key.Name, used);
            }
            catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
            {
                // Deleted meanwhile: nothing left to count for.
                return;
            }
            // A 409 (admission charged the quota since our cache saw it) goes back to the loop and is retried.
        }
        Queue.AddAfter(key, ResyncPeriod);
    }

    private static bool SpecChanged(V1ResourceQuota old, V1ResourceQuota current) =>
        !ResourceList.From(old.Spec?.Hard).SameAs(ResourceList.From(current.Spec?.Hard))
        || !QuotaScopes.Of(old.Spec).Select(Describe).SequenceEqual(QuotaScopes.Of(current.Spec).Select(Describe));

    private static string Describe(V1ScopedResourceSelectorRequirement scope) =>
        $"{scope.ScopeName} {scope.OperatorProperty} {string.Join(",", scope.Values ?? [])}";

    // Upstream's replenishment: a deleted object, or one whose usage changed, makes the quotas
    // of its namespace that track its resource recount. Creates were charged by admission.
    private void Replenish<T>(Informer<T> informer, string resource)
        where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        var evaluator = QuotaEvaluator.For("", resource);
        informer.AddHandler(change =>
        {
            if (change.IsAdd || change.IsResync)
            {
                return;
            }
            var now = Time.GetUtcNow();
            if (change.IsDelete || !evaluator.Usage(Model(evaluator, change.Old!), now).SameAs(evaluator.Usage(Model(evaluator, change.New!), now)))
            {
                QueueQuotasTracking(evaluator, change.Latest.Metadata.NamespaceProperty);
            }
        });
    }

    private static object? Model(QuotaEvaluator evaluator, object item) => evaluator.Model is null ? null : item;

    private void QueueQuotasTracking(QuotaEvaluator evaluator, string ns)
    {
        foreach (var quota in _quotas.Cache.ListNamespace(ns))
        {
            if (evaluator.MatchingResources(quota.Spec?.Hard?.Keys ?? []).Count > 0)
            {
                Queue.Add(new NamespacedName(ns, quota.Metadata.Name));
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 750, Level = LogLevel.Debug, Message = "Updated the usage of resource quota {Namespace}/{Name}: {Used}")]
    private partial void LogUpdated(string @namespace, string name, ResourceList used);
}
