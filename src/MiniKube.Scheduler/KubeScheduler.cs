using System.Globalization;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using MiniKube.Scheduler.Cache;
using MiniKube.Scheduler.Cluster;
using MiniKube.Scheduler.Framework;
using MiniKube.Scheduler.Queue;

namespace MiniKube.Scheduler;

/// <summary>
/// The scheduler: watches nodes and pods, decides a node for each unbound pod that asks for this
/// scheduler, and writes the decision as a pods/binding (upstream pkg/scheduler/schedule_one.go).
/// <para>
/// One decision at a time, each against the <see cref="SchedulerCache"/>'s running per-node
/// aggregates; the chosen node is "assumed" at once so the next decision already sees the pod
/// there, and the binding is written in the background (up to
/// <see cref="SchedulerOptions.ParallelWrites"/> at once) while the next pods are decided. A
/// failed binding forgets the assumption and retries the pod. A pod no node fits gets
/// PodScheduled=False/Unschedulable with upstream's message and a FailedScheduling event, and
/// waits in the queue's unschedulable set until a node or pod change could let it fit.
/// </para>
/// Run one instance per cluster (the host wraps <see cref="RunAsync"/> in leader election).
/// </summary>
public sealed partial class KubeScheduler
{
    private readonly IKubernetes _client;
    private readonly SchedulerOptions _options;
    private readonly ILogger _logger;
    private readonly IObjectSource<V1Pod> _pods;
    private readonly IObjectSource<V1Node> _nodes;
    private readonly IEventSink _events;
    // Claims, volumes and classes, read only for pods that name claims (VolumeBinding).
    private readonly SharedInformers _storage;
    private readonly VolumeBinding _volumeBinding;
    private readonly SchedulingQueue _queue;
    private readonly SchedulerCache _cache = new();
    private readonly Placer _placer = new(new Random());
    private readonly Lock _gate = new();
    // Tokens for background writes in flight (a channel, not a SemaphoreSlim, so nothing needs disposing).
    private readonly System.Threading.Channels.Channel<bool> _writeSlots;
    private readonly TaskCompletionSource _fatal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _scheduled;

    public KubeScheduler(IKubernetes client, SchedulerOptions options, ILoggerFactory loggers)
        : this(client, options, loggers, null, null, null)
    {
    }

    internal KubeScheduler(IKubernetes client, SchedulerOptions options, ILoggerFactory loggers, IObjectSource<V1Pod>? pods, IObjectSource<V1Node>? nodes, IEventSink? events)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ParallelWrites, 1);
        _client = client;
        _options = options;
        _logger = loggers.CreateLogger<KubeScheduler>();
        _pods = pods ?? new InformerSource<V1Pod>(new Informer<V1Pod>(KubeListWatches.Pods(client), _logger));
        _nodes = nodes ?? new InformerSource<V1Node>(new Informer<V1Node>(KubeListWatches.Nodes(client), _logger));
        _events = events ?? new ApiEventSink(client, options.SchedulerName, options.TimeProvider, _logger);
        _queue = new SchedulingQueue(options.TimeProvider);
        _writeSlots = System.Threading.Channels.Channel.CreateBounded<bool>(options.ParallelWrites);
        for (var i = 0; i < options.ParallelWrites; i++)
        {
            _writeSlots.Writer.TryWrite(true);
        }
        _pods.Changed += OnPodChanged;
        _nodes.Changed += OnNodeChanged;
        _storage = new SharedInformers(client, loggers);
        var claims = _storage.PersistentVolumeClaims;
        var volumes = _storage.PersistentVolumes;
        var classes = _storage.StorageClasses;
        _volumeBinding = new VolumeBinding(claims.Get, volumes.Get, classes.Get);
        // A claim created or bound, a volume provisioned: pods parked for their volumes may fit now.
        claims.Changed += _ => _queue.MoveAllToActive();
        volumes.Changed += _ => _queue.MoveAllToActive();
        classes.Changed += _ => _queue.MoveAllToActive();
    }

    /// <summary>Completes once nodes and pods are listed and decisions begin.</summary>
    public Task Synced => _synced.Task;

    /// <summary>Pods bound by this instance so far.</summary>
    public long ScheduledCount => Interlocked.Read(ref _scheduled);

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; throws if a part of the scheduler fails.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stop.Token;
        var parts = new List<Task> { _nodes.RunAsync(token), _pods.RunAsync(token), _storage.RunAsync(token), _events.RunAsync(token) };
        // Decisions wait for all caches: a pod placed before the bound pods are counted could overfill a node.
        var synced = Task.WhenAll(_nodes.Synced, _pods.Synced, _storage.WaitForCacheSyncAsync(token));
        var first = await Task.WhenAny(parts.Append(synced).Append(_fatal.Task));
        if (first == synced)
        {
            int nodes, pods;
            lock (_gate)
            {
                (nodes, pods) = (_cache.Nodes.Count, _cache.Pods.Count);
            }
            LogStarted(_options.SchedulerName, nodes, pods);
            _synced.TrySetResult();
            parts.Add(_queue.RunAsync(ScheduleOneAsync, token));
            parts.Add(RetryParkedPodsAsync(token));
            // Every part runs until cancelled: the first to end means stop (or a failure).
            first = await Task.WhenAny(parts.Append(_fatal.Task));
        }
        await stop.CancelAsync();
        await Task.WhenAll(parts).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // Wait for the writes in flight: they hold every missing token.
        for (var i = 0; i < _options.ParallelWrites; i++)
        {
            await _writeSlots.Reader.ReadAsync(CancellationToken.None);
        }
        for (var i = 0; i < _options.ParallelWrites; i++)
        {
            _writeSlots.Writer.TryWrite(true);
        }
        foreach (var task in parts.Append(_fatal.Task).Prepend(first))
        {
            if (task.IsFaulted)
            {
                await task;
            }
        }
    }

    private async Task ScheduleOneAsync(string key, CancellationToken cancellationToken)
    {
        if (_pods.Get(key) is not { } pod || !NeedsScheduling(pod))
        {
            return;
        }
        var info = PodInfo.From(pod);
        // Most pods name no claim and skip volume binding altogether.
        var volumes = info.ClaimNames.Count == 0 ? null : _volumeBinding.PreFilter(info);
        Placement placement;
        PreemptionResult? preemption = null;
        lock (_gate)
        {
            if (_cache.Contains(key))
            {
                return; // assumed by an earlier decision, or already seen bound
            }
            placement = volumes?.Rejection is { } rejection
                ? new Placement(null, FitDiagnosis.PreFilterRejected(_cache.Nodes.Count, rejection))
                : _placer.Place(info, _cache, volumes);
            if (placement.Node is { } chosen)
            {
                _cache.Assume(info, chosen.Name);
            }
            else
            {
                // PostFilter: the pod waits in the unschedulable set either way; with a plan it is
                // retried once its victims are gone.
                preemption = Preemption.Evaluate(info, _cache, placement.Diagnosis!, volumes);
                _queue.MarkUnschedulable(key, info.Priority, placement.Diagnosis!.WaitsForPodAffinity);
            }
        }
        await _writeSlots.Reader.ReadAsync(cancellationToken);
        _ = placement.Node is { } node
            ? RunWriteAsync(() => BindAsync(pod, node.Name, volumes?.DelayedClaims ?? [], cancellationToken), cancellationToken)
            : RunWriteAsync(() => PreemptAndReportAsync(pod, preemption!, placement.Diagnosis!.Message(preemption!.Verdict), cancellationToken), cancellationToken);
    }

    /// <summary>
    /// prepareCandidate, then the failure report: each victim gets DisruptionTarget and is deleted
    /// (uid-guarded), with a Preempted event; the pod is nominated to the node in the same status
    /// write as its PodScheduled=False (a failed preemption clears an earlier nomination, one
    /// waiting for its victims to leave keeps it, as upstream).
    /// </summary>
    private async Task PreemptAndReportAsync(V1Pod pod, PreemptionResult preemption, string message, CancellationToken cancellationToken)
    {
        if (preemption.Plan is { } plan)
        {
            foreach (var victim in plan.Victims)
            {
                await PreemptAsync(pod, victim.Pod, plan.Node.Name, cancellationToken);
            }
        }
        await ReportUnschedulableAsync(pod, message, preemption.NominatedNode, cancellationToken);
    }

    private async Task PreemptAsync(V1Pod preemptor, V1Pod victim, string nodeName, CancellationToken cancellationToken)
    {
        var (ns, name) = (victim.Metadata.NamespaceProperty, victim.Metadata.Name);
        var condition = new
        {
            status = new
            {
                conditions = new[]
                {
                    new
                    {
                        type = Preemption.DisruptionTarget,
                        status = "True",
                        reason = Preemption.PreemptionByScheduler,
                        message = $"{_options.SchedulerName}: preempting to accommodate a higher priority pod",
                        lastTransitionTime = _options.TimeProvider.GetUtcNow().UtcDateTime,
                    },
                },
            },
        };
        try
        {
            if (!Preemption.TerminatingByPreemption(victim))
            {
                await _client.CoreV1.PatchNamespacedPodStatusAsync(
                    new V1Patch(KubernetesJson.Serialize(condition), V1Patch.PatchType.StrategicMergePatch), name, ns, cancellationToken: cancellationToken);
            }
            await _client.CoreV1.DeleteNamespacedPodAsync(name, ns, new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = victim.Metadata.Uid } }, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (IsApiFailure(e, cancellationToken))
        {
            // Gone or replaced meanwhile: the pod is decided again once something changes.
            LogPreemptionFailed(ns, name, e.Message);
            return;
        }
        LogPreempted(ns, name, nodeName, preemptor.Metadata.NamespaceProperty, preemptor.Metadata.Name);
        _events.Record(victim, "Normal", "Preempted", "Preempting", $"Preempted by pod {preemptor.Metadata.Uid} on node {nodeName}");
    }

    /// <summary>Runs one background write in its slot; an unexpected failure stops the scheduler (ARCHITECTURE §3.7).</summary>
    private async Task RunWriteAsync(Func<Task> write, CancellationToken cancellationToken)
    {
        try
        {
            await write();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            _fatal.TrySetException(e);
        }
        finally
        {
            _writeSlots.Writer.TryWrite(true);
        }
    }

    /// <param name="delayedClaims">Unbound WaitForFirstConsumer claims: they get the node as selected-node first (upstream PreBind), so the provisioner makes their volumes there.</param>
    private async Task BindAsync(V1Pod pod, string nodeName, IReadOnlyList<V1PersistentVolumeClaim> delayedClaims, CancellationToken cancellationToken)
    {
        var (ns, name) = (pod.Metadata.NamespaceProperty, pod.Metadata.Name);
        var binding = new V1Binding
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = pod.Metadata.Uid },
            Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = nodeName },
        };
        try
        {
            foreach (var claim in delayedClaims)
            {
                await SelectNodeAsync(claim, nodeName, cancellationToken);
            }
            await _client.CoreV1.CreateNamespacedPodBindingAsync(binding, name, ns, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (IsApiFailure(e, cancellationToken))
        {
            // The pod may be gone, bound by someone else, or the server busy: undo the assumption
            // and decide again later from the latest state (a gone or bound pod is skipped then).
            var key = ObjectKeys.Of(pod);
            lock (_gate)
            {
                _cache.Forget(key);
            }
            LogBindFailed(ns, name, nodeName, e.Message);
            _queue.AddAfter(key, PodInfo.PriorityOf(pod), _options.BindRetryDelay);
            return;
        }
        Interlocked.Increment(ref _scheduled);
        LogBound(ns, name, nodeName);
        _events.Record(pod, "Normal", "Scheduled", "Binding", string.Create(CultureInfo.InvariantCulture, $"Successfully assigned {ns}/{name} to {nodeName}"));
    }

    private async Task SelectNodeAsync(V1PersistentVolumeClaim claim, string nodeName, CancellationToken cancellationToken)
    {
        if (claim.Metadata.Annotations?.TryGetValue(VolumeBinding.SelectedNodeAnnotation, out var selected) == true && selected == nodeName)
        {
            return;
        }
        var patch = new { metadata = new { annotations = new Dictionary<string, string> { [VolumeBinding.SelectedNodeAnnotation] = nodeName } } };
        await _client.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(
            new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch), claim.Metadata.Name, claim.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// FailedScheduling event every time, as upstream records one per attempt; the PodScheduled
    /// condition only when it changes (upstream updatePod skips identical conditions).
    /// </summary>
    private async Task ReportUnschedulableAsync(V1Pod pod, string message, string? nominatedNode, CancellationToken cancellationToken)
    {
        var (ns, name) = (pod.Metadata.NamespaceProperty, pod.Metadata.Name);
        LogUnschedulable(ns, name, message);
        _events.Record(pod, "Warning", "FailedScheduling", "Scheduling", message);
        var current = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        if (current is { Status: "False", Reason: "Unschedulable" } && current.Message == message
            && (pod.Status?.NominatedNodeName ?? "") == (nominatedNode ?? ""))
        {
            return;
        }
        var transition = current?.Status == "False" && current.LastTransitionTime is { } since ? since : _options.TimeProvider.GetUtcNow().UtcDateTime;
        var patch = new
        {
            status = new
            {
                conditions = new[]
                {
                    new { type = "PodScheduled", status = "False", reason = "Unschedulable", message, lastProbeTime = (DateTime?)null, lastTransitionTime = transition },
                },
                nominatedNodeName = nominatedNode,
            },
        };
        try
        {
            var updated = await _client.CoreV1.PatchNamespacedPodStatusAsync(
                new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.StrategicMergePatch), name, ns, cancellationToken: cancellationToken);
            _queue.RecordOwnWrite(ObjectKeys.Of(pod), updated.Metadata.ResourceVersion);
        }
        catch (Exception e) when (IsApiFailure(e, cancellationToken))
        {
            // The next attempt (on a change, or the periodic retry) writes it again.
            LogConditionFailed(ns, name, e.Message);
        }
    }

    private void OnPodChanged(string key)
    {
        var pod = _pods.Get(key);
        var gone = pod is null || PodInfo.IsTerminal(pod);
        var bound = !gone && pod!.Spec?.NodeName is { Length: > 0 } ? PodInfo.From(pod) : null;
        bool wakeAll = false, wakeAffinity = false;
        lock (_gate)
        {
            if (gone)
            {
                // A pod that stops holding a node frees resources, ports and anti-affinity domains.
                wakeAll = _cache.Remove(key);
                _queue.Forget(key);
            }
            else if (bound is not null)
            {
                wakeAffinity = !_cache.Contains(key);
                _cache.AddOrUpdateBound(bound);
                _queue.Forget(key);
            }
            else if (!NeedsScheduling(pod!) || _cache.IsAssumed(key) || _queue.IsOwnWrite(key, pod!.Metadata.ResourceVersion))
            {
                return;
            }
        }
        if (wakeAll)
        {
            _queue.MoveAllToActive();
        }
        else if (wakeAffinity)
        {
            _queue.MoveWaitingForPodAffinity();
        }
        else if (!gone && bound is null)
        {
            _queue.Add(key, PodInfo.PriorityOf(pod!));
        }
    }

    private void OnNodeChanged(string name)
    {
        var node = _nodes.Get(name);
        bool changed;
        lock (_gate)
        {
            if (node is null)
            {
                _cache.RemoveNode(name);
                return;
            }
            changed = _cache.UpsertNode(node);
        }
        if (changed)
        {
            _queue.MoveAllToActive();
        }
    }

    private async Task RetryParkedPodsAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, _options.UnschedulableRetryInterval.Ticks));
        using var timer = new PeriodicTimer(period, _options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                _queue.FlushOlderThan(_options.UnschedulableRetryInterval);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Unbound, ours, not being deleted, not finished, not held by scheduling gates.</summary>
    private bool NeedsScheduling(V1Pod pod) =>
        pod.Spec is { } spec
        && string.IsNullOrEmpty(spec.NodeName)
        && (string.IsNullOrEmpty(spec.SchedulerName) ? SchedulerOptions.DefaultSchedulerName : spec.SchedulerName) == _options.SchedulerName
        && pod.Metadata.DeletionTimestamp is null
        && !PodInfo.IsTerminal(pod)
        && (spec.SchedulingGates is null || spec.SchedulingGates.Count == 0);

    private static bool IsApiFailure(Exception e, CancellationToken cancellationToken) =>
        e is HttpOperationException or HttpRequestException or IOException or KubernetesException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);
}
