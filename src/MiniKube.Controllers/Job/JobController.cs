using k8s.Models;

namespace MiniKube.Controllers.Job;

/// <summary>
/// The job controller (pkg/controller/job/job_controller.go): runs a Job's pods until enough
/// succeed (NonIndexed: <c>completions</c> successes; Indexed: one success per index), at most
/// <c>parallelism</c> at a time, replacing failed ones after a back-off until <c>backoffLimit</c>
/// or <c>activeDeadlineSeconds</c> fails the Job; deletes the active pods of a suspended Job.
/// Finished Jobs get SuccessCriteriaMet/FailureTarget, then Complete/Failed once no pod is
/// terminating, as v1.32 writes them.
/// Counting: succeeded/failed are the pods in those phases that still exist, never lower than
/// what status already says (upstream tracks with the batch.kubernetes.io/job-tracking
/// finalizer instead; we do not add it, so a finished pod deleted by hand is still counted once
/// it was seen, and one deleted before it was seen is not). Pods are not adopted by selector.
/// </summary>
public sealed partial class JobController : Controller<NamespacedName>
{
    private const string PodIndexLabel = CompletionIndexes.Annotation;

    private readonly Informer<V1Job> _jobs;
    private readonly Informer<V1Pod> _pods;
    private readonly PodControl _podControl;
    private readonly Expectations _expectations;

    public JobController(ControllerContext context)
        : base(context, "job", workers: 5, eventSource: "job-controller")
    {
        _podControl = new PodControl(Client, Events);
        _expectations = new Expectations(Time);
        _jobs = context.Informers.Jobs.EnqueueKeys(Queue);
        _pods = context.Informers.Pods;
        _pods.AddHandler(OnPodChange);
    }

    /// <summary>Converges the Job at <paramref name="key"/> ("namespace/name"); failures are retried through the queue.</summary>
    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        var job = _jobs.Cache.Get(key);
        if (job is null)
        {
            _expectations.Delete(key);
            return;
        }
        await SyncJobAsync(key, job, cancellationToken);
    }

    private void OnPodChange(ObjectChange<V1Pod> change)
    {
        if (ControllerRefs.OwnerKey(change.Latest, "Job") is not { } key)
        {
            return;
        }
        if (change.IsAdd)
        {
            _expectations.CreationObserved(key);
        }
        else if (change.IsDelete || (change.Old?.Metadata.DeletionTimestamp is null && change.New?.Metadata.DeletionTimestamp is not null))
        {
            _expectations.DeletionObserved(key);
        }
        Queue.Add(key);
    }

    private async Task SyncJobAsync(NamespacedName key, V1Job job, CancellationToken cancellationToken)
    {
        if (JobConditions.Finished(job) is not null)
        {
            return;
        }
        var now = Time.GetUtcNow();
        var nowUtc = now.UtcDateTime;
        var spec = job.Spec;
        var pods = _pods.Cache.ListNamespace(job.Metadata.NamespaceProperty, LabelSelector.From(spec.Selector))
            .Where(p => ControllerRefs.IsControlledBy(p, job.Metadata.Uid))
            .ToList();
        var status = job.Status is null ? new V1JobStatus() : ObjectCopy.Clone(job.Status);
        var indexed = spec.CompletionMode == "Indexed";
        var suspended = spec.Suspend == true;
        var active = pods.Where(PodState.IsActive).ToList();
        var terminating = pods.Count(PodState.IsTerminating);

        var succeededIndexes = indexed
            ? CompletionIndexes.Parse(status.CompletedIndexes, spec.Completions ?? 0)
            : [];
        if (indexed)
        {
            foreach (var pod in pods.Where(p => p.Status?.Phase == "Succeeded"))
            {
                if (CompletionIndexes.Of(pod) is { } index && index < (spec.Completions ?? 0))
                {
                    succeededIndexes.Add(index);
                }
            }
        }
        var succeeded = indexed
            ? succeededIndexes.Count
            : Math.Max(status.Succeeded ?? 0, pods.Count(p => p.Status?.Phase == "Succeeded"));
        var failed = Math.Max(status.Failed ?? 0, pods.Count(p => p.Status?.Phase == "Failed"));

        // A Job resumed (or started) begins its activeDeadlineSeconds now.
        var wasSuspended = JobConditions.FindTrue(status, JobConditions.Suspended) is not null;
        if (!suspended && (status.StartTime is null || wasSuspended))
        {
            status.StartTime = nowUtc;
        }

        var target = JobConditions.FindTrue(status, JobConditions.FailureTarget) ?? JobConditions.FindTrue(status, JobConditions.SuccessCriteriaMet);
        if (target is null)
        {
            if (failed > (spec.BackoffLimit ?? 6) || PastBackoffLimitOnFailure(job, active))
            {
                target = Interim(JobConditions.FailureTarget, JobConditions.BackoffLimitExceeded, JobConditions.BackoffLimitExceededMessage, nowUtc);
            }
            else if (!suspended && spec.ActiveDeadlineSeconds is { } deadlineSeconds && status.StartTime is { } started)
            {
                var remaining = Utc(started).AddSeconds(deadlineSeconds) - now;
                if (remaining <= TimeSpan.Zero)
                {
                    target = Interim(JobConditions.FailureTarget, JobConditions.DeadlineExceeded, JobConditions.DeadlineExceededMessage, nowUtc);
                }
                else
                {
                    Queue.AddAfter(key, remaining);
                }
            }
        }

        var created = 0;
        if (target is not null)
        {
            // A Job that is done (either way) stops all its pods.
            terminating += await DeleteAsync(key, job, active, cancellationToken);
            active = [];
        }
        else if (_expectations.Satisfied(key))
        {
            (active, created) = suspended
                ? (await ScaleDownAsync(key, job, active, 0, cancellationToken), 0)
                : indexed
                    ? await ManageIndexedAsync(key, job, pods, active, succeededIndexes, now, cancellationToken)
                    : await ManageNonIndexedAsync(key, job, pods, active, succeeded, now, cancellationToken);
            if (!suspended && IsComplete(spec, indexed, succeeded, active.Count + created))
            {
                target = Interim(JobConditions.SuccessCriteriaMet, JobConditions.CompletionsReached, JobConditions.CompletionsReachedMessage, nowUtc);
            }
        }

        // Pods just created count as active, as upstream counts them, though the cache has not seen them yet.
        status.Active = active.Count + created;
        status.Ready = active.Count(PodState.IsReady);
        status.Terminating = terminating;
        status.Succeeded = succeeded;
        status.Failed = failed;
        status.UncountedTerminatedPods ??= new V1UncountedTerminatedPods();
        if (indexed)
        {
            status.CompletedIndexes = CompletionIndexes.Format(succeededIndexes);
        }
        if (target is null)
        {
            JobConditions.Ensure(status, JobConditions.Suspended, suspended ? "True" : "False",
                suspended ? "JobSuspended" : "JobResumed", suspended ? "Job suspended" : "Job resumed", nowUtc);
        }

        string? finishedType = null;
        if (target is not null)
        {
            JobConditions.Ensure(status, target.Type, "True", target.Reason, target.Message, nowUtc);
            if (terminating == 0)
            {
                finishedType = JobConditions.TerminalFor(target.Type);
                JobConditions.Ensure(status, finishedType, "True", target.Reason, target.Message, nowUtc);
                if (finishedType == JobConditions.Complete)
                {
                    status.CompletionTime = nowUtc;
                }
            }
        }

        if (KubernetesJson.Serialize(status) == KubernetesJson.Serialize(job.Status ?? new V1JobStatus()))
        {
            return;
        }
        var updated = ObjectCopy.Clone(job);
        updated.Status = status;
        await Client.BatchV1.ReplaceNamespacedJobStatusAsync(updated, job.Metadata.Name, job.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        RecordTransitions(job, wasSuspended, suspended, target, finishedType, succeeded);
    }

    private void RecordTransitions(V1Job job, bool wasSuspended, bool suspended, V1JobCondition? target, string? finishedType, int succeeded)
    {
        if (finishedType == JobConditions.Complete)
        {
            if (job.Spec.Completions is { } completions && succeeded > completions)
            {
                Events.Record(job, EventTypes.Warning, "TooManySucceededPods", "Too many succeeded pods running after completion count reached");
            }
            Events.Record(job, EventTypes.Normal, "Completed", "Job completed");
        }
        else if (finishedType == JobConditions.Failed)
        {
            Events.Record(job, EventTypes.Warning, target!.Reason, target.Message);
        }
        else if (target is null && suspended != wasSuspended && (suspended || job.Status?.Conditions?.Any(c => c.Type == JobConditions.Suspended) == true))
        {
            Events.Record(job, EventTypes.Normal, suspended ? "Suspended" : "Resumed", suspended ? "Job suspended" : "Job resumed");
        }
    }

    private static bool IsComplete(V1JobSpec spec, bool indexed, int succeeded, int active) =>
        indexed
            ? succeeded >= (spec.Completions ?? 0)
            : spec.Completions is { } completions
                ? succeeded >= completions && active == 0
                // A work-queue Job (no completions) is done when one pod succeeded and the rest have stopped.
                : succeeded > 0 && active == 0;

    /// <summary>With restartPolicy OnFailure failures are container restarts, counted across the active pods (upstream pastBackoffLimitOnFailure).</summary>
    private static bool PastBackoffLimitOnFailure(V1Job job, List<V1Pod> active)
    {
        if (job.Spec.Template?.Spec?.RestartPolicy != "OnFailure")
        {
            return false;
        }
        var restarts = active.Sum(p =>
            (p.Status?.InitContainerStatuses?.Sum(c => c.RestartCount) ?? 0) + (p.Status?.ContainerStatuses?.Sum(c => c.RestartCount) ?? 0));
        var limit = job.Spec.BackoffLimit ?? 6;
        return limit == 0 ? restarts > 0 : restarts >= limit;
    }

    private async Task<(List<V1Pod> Active, int Created)> ManageNonIndexedAsync(NamespacedName key, V1Job job, List<V1Pod> pods, List<V1Pod> active, int succeeded, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var parallelism = job.Spec.Parallelism ?? 1;
        var want = job.Spec.Completions is { } completions
            ? Math.Min(parallelism, Math.Max(0, completions - succeeded))
            // A work-queue Job starts no new pods once one has succeeded.
            : succeeded > 0 ? Math.Min(active.Count, parallelism) : parallelism;
        if (active.Count > want)
        {
            return (await ScaleDownAsync(key, job, active, want, cancellationToken), 0);
        }
        var missing = want - active.Count;
        var created = missing > 0 && BackoffAllows(key, pods, now)
            ? await CreateAsync(key, job, Enumerable.Repeat<int?>(null, missing).ToList(), cancellationToken)
            : 0;
        return (active, created);
    }

    private async Task<(List<V1Pod> Active, int Created)> ManageIndexedAsync(NamespacedName key, V1Job job, List<V1Pod> pods, List<V1Pod> active, SortedSet<int> succeededIndexes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var completions = job.Spec.Completions ?? 0;
        // Active pods for an index already done, with a bad index, or a second one for an index, are extra.
        var keep = new List<V1Pod>();
        var extra = new List<V1Pod>();
        var running = new HashSet<int>();
        foreach (var pod in active.OrderBy(p => p.Metadata.CreationTimestamp))
        {
            if (CompletionIndexes.Of(pod) is { } index && index < completions && !succeededIndexes.Contains(index) && running.Add(index))
            {
                keep.Add(pod);
            }
            else
            {
                extra.Add(pod);
            }
        }
        await DeleteAsync(key, job, extra, cancellationToken);
        var want = Math.Min(job.Spec.Parallelism ?? 1, completions - succeededIndexes.Count);
        if (keep.Count > want)
        {
            return (await ScaleDownAsync(key, job, keep, want, cancellationToken), 0);
        }
        var created = 0;
        if (keep.Count < want && BackoffAllows(key, pods, now))
        {
            var indexes = Enumerable.Range(0, completions)
                .Where(i => !succeededIndexes.Contains(i) && !running.Contains(i))
                .Take(want - keep.Count)
                .Select(i => (int?)i)
                .ToList();
            created = await CreateAsync(key, job, indexes, cancellationToken);
        }
        return (keep, created);
    }

    private bool BackoffAllows(NamespacedName key, List<V1Pod> pods, DateTimeOffset now)
    {
        var remaining = JobBackoff.Remaining(pods, now);
        if (remaining <= TimeSpan.Zero)
        {
            return true;
        }
        Queue.AddAfter(key, remaining);
        return false;
    }

    /// <summary>Keeps <paramref name="keep"/> pods, deleting the least useful first (unscheduled, not ready, newest: upstream's ActivePods order).</summary>
    private async Task<List<V1Pod>> ScaleDownAsync(NamespacedName key, V1Job job, List<V1Pod> active, int keep, CancellationToken cancellationToken)
    {
        var ordered = active
            .OrderBy(p => string.IsNullOrEmpty(p.Spec?.NodeName) ? 0 : 1)
            .ThenBy(p => PodState.IsReady(p) ? 1 : 0)
            .ThenByDescending(p => p.Metadata.CreationTimestamp)
            .ToList();
        var doomed = ordered.Take(active.Count - keep).ToList();
        await DeleteAsync(key, job, doomed, cancellationToken);
        return [.. ordered.Skip(doomed.Count)];
    }

    /// <summary>Deletes <paramref name="pods"/>; returns how many were asked to go.</summary>
    private async Task<int> DeleteAsync(NamespacedName key, V1Job job, List<V1Pod> pods, CancellationToken cancellationToken)
    {
        if (pods.Count == 0)
        {
            return 0;
        }
        _expectations.ExpectDeletions(key, pods.Count);
        var errors = await Task.WhenAll(pods.Select(p => _podControl.DeleteAsync(p, job, cancellationToken)));
        foreach (var _ in errors.Where(error => error is not null))
        {
            _expectations.DeletionObserved(key);
        }
        // An unbound pod goes at once; a bound one terminates until its kubelet is done with it.
        return pods.Count(p => !string.IsNullOrEmpty(p.Spec?.NodeName));
    }

    /// <summary>Creates one pod per entry (a completion index for Indexed Jobs, null otherwise); returns how many were created.</summary>
    private async Task<int> CreateAsync(NamespacedName key, V1Job job, List<int?> indexes, CancellationToken cancellationToken)
    {
        var reference = ControllerRefs.To(job, "batch/v1", "Job");
        var (succeeded, _) = await _expectations.CreateAsync(key, indexes.Count,
            i => _podControl.CreateAsync(job.Metadata.NamespaceProperty, NewPod(job, reference, indexes[i]), job, cancellationToken));
        return succeeded;
    }

    /// <summary>A pod of <paramref name="job"/>; Indexed pods carry their index (annotation, label, env) and a stable hostname "&lt;job&gt;-&lt;index&gt;".</summary>
    public static V1Pod NewPod(V1Job job, V1OwnerReference reference, int? index)
    {
        ArgumentNullException.ThrowIfNull(job);
        var name = job.Metadata.Name;
        var pod = PodControl.FromTemplate(job.Spec.Template, reference, index is { } i ? $"{name}-{i}-" : $"{name}-");
        if (index is not { } idx)
        {
            return pod;
        }
        var text = idx.ToString(System.Globalization.CultureInfo.InvariantCulture);
        (pod.Metadata.Annotations ??= new Dictionary<string, string>())[CompletionIndexes.Annotation] = text;
        (pod.Metadata.Labels ??= new Dictionary<string, string>())[PodIndexLabel] = text;
        if (string.IsNullOrEmpty(pod.Spec.Hostname))
        {
            pod.Spec.Hostname = $"{name}-{text}";
        }
        foreach (var container in (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []))
        {
            container.Env ??= [];
            if (container.Env.All(e => e.Name != CompletionIndexes.EnvName))
            {
                container.Env.Add(new V1EnvVar
                {
                    Name = CompletionIndexes.EnvName,
                    ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = $"metadata.annotations['{CompletionIndexes.Annotation}']" } },
                });
            }
        }
        return pod;
    }

    private static V1JobCondition Interim(string type, string reason, string message, DateTime now) =>
        new() { Type = type, Status = "True", Reason = reason, Message = message, LastProbeTime = now, LastTransitionTime = now };

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
