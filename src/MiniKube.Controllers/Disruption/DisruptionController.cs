using MiniKube.Api;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using MiniKube.Client;
using MiniKube.Client.Events;
using MiniKube.Controllers.Common;

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
public sealed partial class DisruptionController : IController
{
    private readonly IKubernetes _client;
    private readonly Informer<V1PodDisruptionBudget> _budgets;
    private readonly Informer<V1Pod> _pods;
    private readonly ControllerScales _scales;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WorkQueue<string> _queue;

    public DisruptionController(ControllerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _client = context.Client;
        _time = context.Time;
        _logger = context.Loggers.CreateLogger<DisruptionController>();
        // Upstream's recorder reports as "controllermanager", not as a named controller.
        _events = context.Events("controllermanager");
        _queue = new WorkQueue<string>(_time);
        _budgets = context.Informers.PodDisruptionBudgets;
        _pods = context.Informers.Pods;
        // Listers only, as upstream: a scale change shows up through the pods it adds or removes.
        _scales = new ControllerScales(context.Informers.ReplicationControllers, context.Informers.ReplicaSets, context.Informers.Deployments, context.Informers.StatefulSets);
        _budgets.AddHandler(change => _queue.Add(change.Key));
        _pods.AddHandler(EnqueueBudgetsOf);
    }

    public string Name => "disruption";

    public Task RunAsync(CancellationToken cancellationToken) => _queue.RunAsync(2, SyncAsync, cancellationToken);

    /// <summary>Brings the status of the budget at <paramref name="key"/> up to date; failed writes are retried through the queue.</summary>
    public async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        if (_budgets.Cache.Get(key) is not { } pdb)
        {
            return;
        }
        var now = _time.GetUtcNow();
        var (status, recheckAt) = Reconcile(pdb, now);
        if (status is not null)
        {
            var updated = ObjectCopy.Clone(pdb);
            updated.Status = status;
            try
            {
                await _client.PolicyV1.ReplaceNamespacedPodDisruptionBudgetStatusAsync(updated, pdb.Metadata.Name, pdb.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
            {
                // Deleted meanwhile: nothing left to keep current.
                return;
            }
            catch (HttpOperationException e)
            {
                // A 409 means our cached budget is stale: the update it causes queues the key again, this retry covers a lost one.
                LogWriteFailed(key, e.Response.StatusCode.ToString(), PodControl.StatusMessage(e));
                _queue.AddRateLimited(key);
                return;
            }
        }
        _queue.Forget(key);
        if (recheckAt is { } at)
        {
            _queue.AddAfter(key, at - now);
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
            _events.Record(pdb, EventTypes.Warning, "NoPods", $"Failed to get pods: {e.Message}");
            return (FailSafe(pdb, e.Message, now), null);
        }
        if (pods.Count == 0)
        {
            _events.Record(pdb, EventTypes.Normal, "NoPods", "No matching pods found");
        }

        ExpectedPodCount expected;
        try
        {
            expected = ExpectedPodCount.For(pdb, pods, _scales);
        }
        catch (ExpectedPodCountException e)
        {
            _events.Record(pdb, EventTypes.Warning, "CalculateExpectedPodCountFailed", $"Failed to calculate the number of expected pods: {e.Message}");
            return (FailSafe(pdb, e.Message, now), null);
        }
        if (expected.UnmanagedPods.Count > 0)
        {
            _events.Record(pdb, EventTypes.Warning, "UnmanagedPods",
                $"Pods selected by this PodDisruptionBudget (selector: {SelectorText.Go(pdb.Spec?.Selector)}) were found to be unmanaged. "
                + "As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. "
                + "To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.");
        }

        var health = BudgetHealth.Of(pdb, pods, now);
        foreach (var pod in health.NotDeleted)
        {
            _events.Record(pod, EventTypes.Warning, "NotDeleted", $"Pod was expected by PDB {pdb.Metadata.NamespaceProperty}/{pdb.Metadata.Name} to be deleted but it wasn't");
        }
        return (BudgetStatus.Updated(pdb, expected, health, now), health.RecheckAt);
    }

    private V1PodDisruptionBudgetStatus? FailSafe(V1PodDisruptionBudget pdb, string message, DateTimeOffset now)
    {
        LogSyncFailed(ObjectKeys.Of(pdb), message);
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
                _queue.Add(ObjectKeys.Of(pdb));
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

    [LoggerMessage(EventId = 6500, Level = LogLevel.Warning, Message = "Writing the status of PodDisruptionBudget {Key} failed ({Code}: {Reason}); retrying")]
    private partial void LogWriteFailed(string key, string code, string reason);

    [LoggerMessage(EventId = 6501, Level = LogLevel.Warning, Message = "PodDisruptionBudget {Key} allows no disruptions until its pods can be counted: {Reason}")]
    private partial void LogSyncFailed(string key, string reason);
}
