using JsonFields = MiniKube.ApiServer.Selectors.JsonFields;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// pods/eviction (pkg/registry/core/pod/storage/eviction.go): a pod delete that honours the
/// PodDisruptionBudget covering the pod. A pod that disrupts nothing by going (Pending,
/// finished, already being deleted) goes at once. Otherwise the one budget matching the pod
/// must allow a disruption: it is taken by lowering status.disruptionsAllowed and recording
/// the pod in status.disruptedPods (so the disruption controller stops counting it healthy)
/// in one conditional write, then the pod gets the DisruptionTarget condition and is deleted.
/// When the budget says no the answer is 429 TooManyRequests, which kubectl drain retries.
/// </summary>
internal sealed class PodEviction(ResourceRegistry registry)
{
    private const string BudgetCause = "DisruptionBudget";
    private const string Refusal = "Cannot evict pod as it would violate the pod's disruption budget.";

    // Upstream's MaxDisruptedPodSize: evictions approved but not yet seen by the disruption controller.
    private const int MaxDisruptedPods = 2000;

    // Upstream's EvictionsRetry: 20 tries on conflicts with other writers of the pod.
    private const int MaxAttempts = 20;

    private static readonly ResourceType Budgets = ResourceCatalog.Find("policy", "v1", "poddisruptionbudgets")!;

    /// <summary>Evicts pod <paramref name="ns"/>/<paramref name="name"/> per the Eviction body, or throws the refusal.</summary>
    public async Task EvictAsync(ResourceType pods, string ns, string name, JsonObject eviction, DeleteOptions requested, CancellationToken cancellationToken)
    {
        if (ObjectMeta.Name(eviction) != name)
        {
            throw ApiException.BadRequest("name in URL does not match name in Eviction object");
        }
        // Admitted as upstream's create of pods/eviction (NodeRestriction keeps a node to its own pods).
        await registry.AdmitSubresourceCreateAsync(pods, ns, name, "eviction", eviction, requested.DryRun, cancellationToken);
        // A pod that disrupts nothing goes at once; a conflict there (it changed under us) means
        // judging it again, unless the caller's own resourceVersion precondition failed.
        var attempts = requested.ResourceVersion is null ? MaxAttempts : 1;
        JsonObject pod;
        for (var attempt = 1; ; attempt++)
        {
            pod = await registry.GetAsync(pods, ns, name, cancellationToken);
            if (!DisruptsNothing(pod))
            {
                break;
            }
            // A running pod is held to the version judged, so it cannot turn ready unnoticed.
            var guarded = requested.ResourceVersion is null && !Finished(pod) && !ObjectMeta.IsDeleting(pod)
                ? requested with { ResourceVersion = ObjectMeta.ResourceVersion(pod) }
                : requested;
            try
            {
                await MarkAndDeleteAsync(pods, ns, name, guarded, cancellationToken);
                return;
            }
            catch (ApiException e) when (e.Code == StatusCodes.Status409Conflict && attempt < attempts)
            {
            }
        }
        var budgets = await BudgetsCoveringAsync(pod, cancellationToken);
        if (budgets.Count > 1)
        {
            throw ApiException.Internal("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
        }
        if (budgets.Count == 0)
        {
            await MarkAndDeleteAsync(pods, ns, name, requested, cancellationToken);
            return;
        }
        var budget = budgets[0];
        var budgetName = ObjectMeta.Name(budget)!;
        if (!IsReady(pod) && UnhealthyMayGo(budget))
        {
            // An unready pod does not count as healthy: deleting it takes nothing from the budget,
            // as long as it is still unready when the delete lands.
            try
            {
                await MarkAndDeleteAsync(pods, ns, name, requested with { ResourceVersion = requested.ResourceVersion ?? ObjectMeta.ResourceVersion(pod) }, cancellationToken);
            }
            catch (ApiException e) when (e.Code == StatusCodes.Status409Conflict && requested.ResourceVersion is null)
            {
                throw StillProcessing(budgetName);
            }
            return;
        }
        await TakeDisruptionAsync(budgetName, ns, name, requested.DryRun, cancellationToken);
        await MarkAndDeleteAsync(pods, ns, name, requested, cancellationToken);
    }

    /// <summary>checkAndDecrement: one disruption off the budget, recorded against the pod; refused when none is left.</summary>
    private async Task TakeDisruptionAsync(string budgetName, string ns, string podName, bool dryRun, CancellationToken cancellationToken) =>
        await registry.UpdateAsync(Budgets, ns, budgetName, "status", budget =>
        {
            // Judged on the latest budget each try, so a concurrent status write means trying again, not 409.
            ObjectCodec.Metadata(budget).Remove("resourceVersion");
            var status = budget["status"] as JsonObject ?? [];
            budget["status"] = status;
            if ((JsonFields.Integer(status, "observedGeneration") ?? 0) < ObjectMeta.Generation(budget))
            {
                throw StillProcessing(budgetName);
            }
            var allowed = JsonFields.Integer(status, "disruptionsAllowed") ?? 0;
            if (allowed < 0)
            {
                throw ApiException.Forbidden(Budgets, budgetName, "pdb disruptions allowed is negative");
            }
            if (JsonFields.Object(status, "disruptedPods") is { Count: > MaxDisruptedPods })
            {
                throw ApiException.Forbidden(Budgets, budgetName, "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
            }
            if (allowed == 0)
            {
                var desired = JsonFields.Integer(status, "desiredHealthy") ?? 0;
                var current = JsonFields.Integer(status, "currentHealthy") ?? 0;
                throw TooManyRequests(0, $"The disruption budget {budgetName} needs {desired} healthy pods and has {current} currently");
            }
            status["disruptionsAllowed"] = allowed - 1;
            if (allowed - 1 == 0)
            {
                SetCondition(status, "False", "InsufficientPods");
            }
            if (dryRun)
            {
                return budget; // judged only: a dry-run update writes nothing
            }
            var disrupted = status["disruptedPods"] as JsonObject ?? [];
            disrupted[podName] = ObjectMeta.Timestamp(registry.Clock.GetUtcNow());
            status["disruptedPods"] = disrupted;
            return budget;
        }, dryRun, cancellationToken);

    /// <summary>addConditionAndDeletePod: DisruptionTarget=True on the pod's status, then the delete.</summary>
    private async Task MarkAndDeleteAsync(ResourceType pods, string ns, string name, DeleteOptions options, CancellationToken cancellationToken)
    {
        if (!options.DryRun)
        {
            var marked = await registry.UpdateAsync(pods, ns, name, "status", pod =>
            {
                if (options.Uid is { } uid && uid != ObjectMeta.Uid(pod))
                {
                    throw ApiException.Conflict(pods, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {ObjectMeta.Uid(pod)}");
                }
                if (options.ResourceVersion is { } rv && rv != ObjectMeta.ResourceVersion(pod))
                {
                    throw ApiException.Conflict(pods, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {ObjectMeta.ResourceVersion(pod)}");
                }
                AddDisruptionTarget(pod);
                ObjectCodec.Metadata(pod).Remove("resourceVersion"); // the preconditions were checked above, on this very version
                return pod;
            }, dryRun: false, cancellationToken);
            if (options.ResourceVersion is not null)
            {
                // Our own status write moved the version the caller's precondition was checked against.
                options = options with { ResourceVersion = ObjectMeta.ResourceVersion(marked) };
            }
        }
        await registry.DeleteAsync(pods, ns, name, options, cancellationToken);
    }

    private async Task<List<JsonObject>> BudgetsCoveringAsync(JsonObject pod, CancellationToken cancellationToken)
    {
        var labels = JsonFields.Object(pod, "metadata", "labels");
        var page = await registry.ListAsync(Budgets, ObjectMeta.Namespace(pod), new ListOptions(), null, cancellationToken);
        var covering = new List<JsonObject>();
        foreach (var stored in page.Items)
        {
            var budget = ObjectCodec.Decode(stored.Value, stored.ModRevision);
            try
            {
                // A nil selector matches nothing, an empty one every pod (policy/v1).
                if (JsonLabelSelector.From(JsonFields.Object(budget, "spec", "selector")).Matches(labels))
                {
                    covering.Add(budget);
                }
            }
            catch (InvalidSelectorException)
            {
                // An invalid selector matches no pod.
            }
        }
        return covering;
    }

    /// <summary>canIgnorePDB: pods whose going disrupts nothing that is running and ready.</summary>
    private static bool DisruptsNothing(JsonObject pod) =>
        Finished(pod) || JsonFields.String(pod, "status", "phase") == "Pending" || ObjectMeta.IsDeleting(pod);

    private static bool Finished(JsonObject pod) => JsonFields.String(pod, "status", "phase") is "Succeeded" or "Failed";

    private static bool IsReady(JsonObject pod) =>
        JsonFields.Objects(pod, "status", "conditions").Any(c => JsonFields.String(c, "type") == "Ready" && JsonFields.String(c, "status") == "True");

    /// <summary>An unready pod may go without a disruption: always (AlwaysAllow), or while the rest keep the budget (IfHealthyBudget, the default).</summary>
    private static bool UnhealthyMayGo(JsonObject budget)
    {
        if (JsonFields.String(budget, "spec", "unhealthyPodEvictionPolicy") == "AlwaysAllow")
        {
            return true;
        }
        var desired = JsonFields.Integer(budget, "status", "desiredHealthy") ?? 0;
        return desired > 0 && (JsonFields.Integer(budget, "status", "currentHealthy") ?? 0) >= desired;
    }

    private void AddDisruptionTarget(JsonObject pod)
    {
        var status = pod["status"] as JsonObject ?? [];
        pod["status"] = status;
        var conditions = status["conditions"] as JsonArray ?? [];
        status["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => JsonFields.String(c, "type") == "DisruptionTarget");
        if (existing is null || JsonFields.String(existing, "status") != "True")
        {
            if (existing is not null)
            {
                conditions.Remove(existing);
            }
            existing = new JsonObject { ["type"] = "DisruptionTarget", ["status"] = "True", ["lastTransitionTime"] = ObjectMeta.Timestamp(registry.Clock.GetUtcNow()) };
            conditions.Add(existing);
        }
        existing["reason"] = "EvictionByEvictionAPI";
        existing["message"] = "Eviction API: evicting";
    }

    /// <summary>UpdateDisruptionAllowedCondition: the DisruptionAllowed condition, its transition time moving only with its status.</summary>
    private void SetCondition(JsonObject status, string value, string reason)
    {
        var conditions = status["conditions"] as JsonArray ?? [];
        status["conditions"] = conditions;
        var condition = conditions.OfType<JsonObject>().FirstOrDefault(c => JsonFields.String(c, "type") == "DisruptionAllowed");
        if (condition is null)
        {
            condition = new JsonObject { ["type"] = "DisruptionAllowed" };
            conditions.Add(condition);
        }
        if (JsonFields.String(condition, "status") != value)
        {
            condition["lastTransitionTime"] = ObjectMeta.Timestamp(registry.Clock.GetUtcNow());
        }
        condition["status"] = value;
        condition["reason"] = reason;
        condition["message"] = "";
        condition["observedGeneration"] = JsonFields.Integer(status, "observedGeneration") ?? 0;
    }

    /// <summary>The budget's status is older than its spec (or the pod changed under us): try again shortly.</summary>
    private static ApiException StillProcessing(string budgetName) =>
        TooManyRequests(10, $"The disruption budget {budgetName} is still being processed by the server.");

    /// <summary>errors.NewTooManyRequests with a DisruptionBudget cause.</summary>
    private static ApiException TooManyRequests(int retryAfterSeconds, string cause)
        => new(StatusCodes.Status429TooManyRequests, "TooManyRequests", Refusal, new JsonObject
        {
            ["causes"] = new JsonArray(new JsonObject { ["reason"] = BudgetCause, ["message"] = cause }),
        })
        {
            RetryAfterSeconds = retryAfterSeconds > 0 ? retryAfterSeconds : null,
        };
}
