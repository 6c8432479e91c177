using k8s.Models;

namespace MiniKube.Controllers.Disruption;

/// <summary>
/// The disruption controller (pkg/controller/disruption/disruption.go): keeps the status of
/// every PodDisruptionBudget current — expected pods, desired and current healthy, disruptions
/// allowed, the DisruptionAllowed condition and the disruptedPods the eviction handler wrote —
/// which is what <c>kubectl get pdb</c> shows and what pods/eviction enforces. A budget's pods
/// are the pods of its namespace its selector matches (policy/v1: an empty selector matches
/// all of them, a missing one none). Keys are budget keys; a pod change queues the budgets
/// selecting it before and after. The status is written only when it changed; a budget whose
/// counts cannot be worked out gets zero allowed disruptions (upstream's fail-safe), and one
/// with pending disruptedPods entries is synced again when the first of them expires.
/// </summary>
public sealed partial class DisruptionController : Controller<NamespacedName>
{
    private readonly Informer<V1PodDisruptionBudget> _budgets;
    private readonly Informer<V1Pod> _pods;
    private readonly ControllerScales _scales;

    // Upstream's recorder reports as "controllermanager", not as a named controller.
    public DisruptionController(ControllerContext context)
        : base(context, "disruption", workers: 2, eventSource: "controllermanager")
    {
        _budgets = context.Informers.PodDisruptionBudgets.EnqueueKeys(Queue);
        _pods = context.Informers.Pods;
        // Listers only, as upstream: a scale change shows up through the pods it adds or removes.
        _scales = new ControllerScales(context.Informers.ReplicationControllers, context.Informers.ReplicaSets, context.Informers.Deployments, context.Informers.StatefulSets);
        _pods.AddHandler(EnqueueBudgetsOf);
    }

    /// <summary>Brings the status of the budget at <paramref name="key"/> up to date; failed writes are retried through the queue.</summary>
    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (_budgets.Cache.Get(key) is not { } pdb)
        {
            return;
        }
        var now = Time.GetUtcNow();
        var (status, recheckAt) = Reconcile(pdb, now);
        if (status is not null)
        {
            var updated = ObjectCopy.Clone(pdb);
            updated.Status = status;
            try
            {
                await Client.PolicyV1.ReplaceNamespacedPodDisruptionBudgetStatusAsync(updated, pdb.Metadata.Name, pdb.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
            {
                // Deleted meanwhile: nothing left to keep current.
                return;
            }
            // Any other API error (a 409: our cached budget is stale) goes back to the loop, which retries rate-limited;
            // the update that made it stale queues the key again anyway, the retry covers a lost one.
        }
        if (recheckAt is { } at)
        {
            Queue.AddAfter(key, at - now);
        }
    }

    /// <summary>upstream trySync (and failSafe on its errors): the status to write, if any, and when to look again.</summary>
    private (V1PodDisruptionBudgetStatus? Status, DateTimeOffset? RecheckAt) Reconcile(V1PodDisruptionBudget pdb, DateTimeOffset now)
    {
        IReadOnlyList<V1Pod> pods;
        try
        {
            pods = _pods.Cache.ListNamespace(pdb.Metadata.NamespaceProperty, LabelSelector.From(pdb.Spec?.Selector));
        }
        catch (ArgumentException e)
        {
            Events.Record(pdb, EventTypes.Warning, "NoPods", $"Failed to get pods: {e.Message}");
            return (FailSafe(pdb, e.Message, now), null);
        }
        if (pods.Count == 0)
        {
            Events.Record(pdb, EventTypes.Normal, "NoPods", "No matching pods found");
        }

        ExpectedPodCount expected;
        try
        {
            expected = ExpectedPodCount.For(pdb, pods, _scales);
        }
        catch (ExpectedPodCountException e)
        {
            Events.Record(pdb, EventTypes.Warning, "CalculateExpectedPodCountFailed", $"Failed to calculate the number of expected pods: {e.Message}");
            return (FailSafe(pdb, e.Message, now), null);
        }
        if (expected.UnmanagedPods.Count > 0)
        {
            Events.Record(pdb, EventTypes.Warning, "UnmanagedPods",
                $"Pods selected by this PodDisruptionBudget (selector: {SelectorText.Go(pdb.Spec?.Selector)}) were found to be unmanaged. "
                + "As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. "
                + "To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.");
        }

        var health = BudgetHealth.Of(pdb, pods, now);
        foreach (var pod in health.NotDeleted)
        {
            Events.Record(pod, EventTypes.Warning, "NotDeleted", $"Pod was expected by PDB {pdb.Metadata.NamespaceProperty}/{pdb.Metadata.Name} to be deleted but it wasn't");
        }
        return (BudgetStatus.Updated(pdb, expected, health, now), health.RecheckAt);
    }

    private V1PodDisruptionBudgetStatus? FailSafe(V1PodDisruptionBudget pdb, string message, DateTimeOffset now)
    {
        LogFailSafe(ObjectKeys.Of(pdb), message);
        return BudgetStatus.FailSafe(pdb, message, now);
    }

    /// <summary>Queues every budget selecting the pod as it was and as it is, so a relabelled pod leaves one budget and joins another.</summary>
    private void EnqueueBudgetsOf(ObjectChange<V1Pod> change)
    {
        var ns = change.Latest.Metadata.NamespaceProperty;
        foreach (var pdb in _budgets.Cache.ListNamespace(ns))
        {
            if ((change.Old is { } old && Selects(pdb, old)) || (change.New is { } pod && Selects(pdb, pod)))
            {
                Queue.Add(NamespacedName.Of(pdb));
            }
        }
    }

    private static bool Selects(V1PodDisruptionBudget pdb, V1Pod pod)
    {
        try
        {
            return LabelSelector.From(pdb.Spec?.Selector).Matches(pod);
        }
        catch (ArgumentException)
        {
            // An invalid selector selects nothing here; the budget's own sync reports it.
            return false;
        }
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 501, Level = LogLevel.Warning, Message = "PodDisruptionBudget {Key} allows no disruptions until its pods can be counted: {Reason}")]
    private partial void LogFailSafe(string key, string reason);
}
