using k8s;
using k8s.Models;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// The ResourceQuota admission plugin (plugin/pkg/admission/resourcequota and apiserver
/// pkg/admission/plugin/resourcequota/controller.go): a namespaced create (or an update that can
/// change usage: services, PVCs) is charged against every quota of its namespace that tracks
/// it, from the quota's status (what the quota controller counted). A quota the object would
/// exceed refuses it with 403 "exceeded quota: …"; a quota on cpu or memory refuses pods whose
/// containers leave them out ("failed quota: …"); a quota whose usage is not counted yet refuses
/// ("status unknown for quota: …"). Otherwise each charged quota's status.used is raised by a
/// compare-and-swap before the object is stored, re-reading and re-checking the quotas that lost a
/// race. Dry runs check and charge nothing. Runs last among the plugins, as upstream.
/// </summary>
public sealed class ResourceQuotaAdmission(NamespaceObjects objects, TimeProvider clock) : IAdmissionPlugin
{
    private const int MaxAttempts = 10;
    private static readonly ResourceType ResourceQuotas = ResourceCatalog.Find("", "v1", "resourcequotas")!;

    public string Name => "ResourceQuota";

    public async Task ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Subresource is not null || request.Namespace is not { Length: > 0 } ns
            || request.Operation is not (AdmissionOperation.Create or AdmissionOperation.Update))
        {
            return;
        }
        var evaluator = QuotaEvaluator.For(request.Type.Group, request.Type.Name);
        if (request.Operation == AdmissionOperation.Update && !evaluator.HandlesUpdates)
        {
            return;
        }
        var quotas = await objects.ListAsync(ResourceQuotas, ns, cancellationToken);
        if (quotas.Count == 0)
        {
            return;
        }
        var item = ToModel(evaluator.Model, request.Object);
        var previous = request.Operation == AdmissionOperation.Update && request.OldObject is { } old && Objects.ObjectMeta.ResourceVersion(old) is { Length: > 0 }
            ? ToModel(evaluator.Model, old)
            : null;
        for (var attempt = 1; ; attempt++)
        {
            var charges = Charge(request, evaluator, item, previous, quotas);
            if (charges.Count == 0 || request.DryRun)
            {
                return;
            }
            var lost = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (quota, used) in charges)
            {
                if (!await objects.CompareAndSwapAsync(quota, WithUsed(quota.Object, used), cancellationToken))
                {
                    lost.Add(quota.Key);
                }
            }
            if (lost.Count == 0)
            {
                return;
            }
            if (attempt == MaxAttempts)
            {
                throw ApiException.StaleVersion(ResourceQuotas, Objects.ObjectMeta.Name(quotas.First(q => lost.Contains(q.Key)).Object) ?? "");
            }
            // Only the quotas that changed under us are charged again, from what the store holds now.
            quotas = [.. (await objects.ReadAsync(ResourceQuotas, ns, cancellationToken)).Where(q => lost.Contains(q.Key))];
        }
    }

    /// <summary>
    /// checkRequest: the new status.used of every quota this write is charged to, or a 403 when
    /// one refuses it. Empty when no quota tracks what the write changes.
    /// </summary>
    private List<(StoredObject Quota, ResourceList Used)> Charge(
        AdmissionRequest request, QuotaEvaluator evaluator, object? item, object? previous, IReadOnlyList<StoredObject> quotas)
    {
        var interesting = new List<(StoredObject Stored, V1ResourceQuota Quota)>();
        foreach (var stored in quotas)
        {
            var quota = KubernetesJson.Deserialize<V1ResourceQuota>(ObjectCodec.ToJson(stored.Object));
            if (!evaluator.Matches(quota, item))
            {
                continue;
            }
            var hard = quota.Status?.Hard?.Keys ?? [];
            var restricted = evaluator.MatchingResources(hard);
            if (evaluator.Constraints(restricted, item) is { } failure)
            {
                throw Forbidden(request, $"failed quota: {quota.Metadata.Name}: {failure}");
            }
            var used = quota.Status?.Used;
            if (hard.Any(name => restricted.Contains(name) && used?.ContainsKey(name) != true))
            {
                throw Forbidden(request, $"status unknown for quota: {quota.Metadata.Name}, resources: {string.Join(",", restricted.Order(StringComparer.Ordinal))}");
            }
            interesting.Add((stored, quota));
        }
        if (interesting.Count == 0)
        {
            return [];
        }
        var now = clock.GetUtcNow();
        var delta = evaluator.Usage(item, now);
        if (delta.Negative() is { Count: > 0 } negative)
        {
            throw Forbidden(request, $"quota usage is negative for resource(s): {string.Join(",", negative)}");
        }
        if (previous is not null)
        {
            // An update is charged only for what it adds.
            delta = delta.MinusNonNegative(evaluator.Usage(previous, now));
        }
        delta = delta.WithoutZeros();
        if (delta.Count == 0)
        {
            return [];
        }
        var charges = new List<(StoredObject, ResourceList)>();
        foreach (var (stored, quota) in interesting)
        {
            var hard = ResourceList.From(quota.Status?.Hard);
            var used = ResourceList.From(quota.Status?.Used);
            var requested = delta.Mask(hard.Keys);
            var newUsed = used.Plus(requested);
            var exceeded = newUsed.Mask(requested.Keys).Exceeding(hard);
            if (exceeded.Count > 0)
            {
                throw Forbidden(request,
                    $"exceeded quota: {quota.Metadata.Name}, requested: {requested.Mask(exceeded)}, used: {used.Mask(exceeded)}, limited: {hard.Mask(exceeded)}");
            }
            charges.Add((stored, newUsed));
        }
        return charges;
    }

    private static JsonObject WithUsed(JsonObject quota, ResourceList used)
    {
        var updated = quota.DeepClone().AsObject();
        var list = new JsonObject();
        foreach (var (name, amount) in used)
        {
            list[name] = amount.ToString();
        }
        var status = updated["status"] as JsonObject ?? [];
        status["used"] = list;
        updated["status"] = status;
        return updated;
    }

    private static ApiException Forbidden(AdmissionRequest request, string detail) => ApiException.Forbidden(request.Type, request.Name, detail);

    // The evaluators read typed models; plain counts need none.
    private static object? ToModel(Type? model, JsonObject obj)
    {
        if (model is null)
        {
            return null;
        }
        var json = ObjectCodec.ToJson(obj);
        return model == typeof(V1Pod) ? KubernetesJson.Deserialize<V1Pod>(json)
            : model == typeof(V1Service) ? KubernetesJson.Deserialize<V1Service>(json)
            : model == typeof(V1PersistentVolumeClaim) ? KubernetesJson.Deserialize<V1PersistentVolumeClaim>(json)
            : throw new InvalidOperationException($"no quota model {model.Name}");
    }
}
