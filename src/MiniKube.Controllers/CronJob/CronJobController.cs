using System.Globalization;
using System.Net;
using k8s.Models;
using MiniKube.Controllers.Job;

namespace MiniKube.Controllers.CronJob;

/// <summary>
/// The cronjob controller (pkg/controller/cronjob/cronjob_controllerv2.go): at each activation
/// of <c>spec.schedule</c> (in <c>spec.timeZone</c>, default the controller's UTC) creates Job
/// "&lt;cronjob&gt;-&lt;minutes since the epoch&gt;" from the template, honouring suspend,
/// startingDeadlineSeconds and concurrencyPolicy (Allow, Forbid, Replace); keeps
/// status.active/lastScheduleTime/lastSuccessfulTime, deletes finished Jobs beyond the history
/// limits, and re-queues itself for the next activation on the controller's clock.
/// Only the latest missed activation is started, as upstream does.
/// </summary>
public sealed partial class CronJobController : Controller<NamespacedName>
{
    public const string ScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";

    // Upstream adds this to the wait so the sync lands just after the activation, not just before it.
    private static readonly TimeSpan NextScheduleDelta = TimeSpan.FromMilliseconds(100);

    private readonly Informer<V1CronJob> _cronJobs;
    private readonly Informer<V1Job> _jobs;

    public CronJobController(ControllerContext context)
        : base(context, "cronjob", workers: 5, eventSource: "cronjob-controller")
    {
        _cronJobs = context.Informers.CronJobs.EnqueueKeys(Queue);
        _jobs = context.Informers.Jobs.EnqueueControllers(Queue, "CronJob");
    }

    /// <summary>Converges the CronJob at <paramref name="key"/>; failures are retried through the queue.</summary>
    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (_cronJobs.Cache.Get(key) is not { } cronJob)
        {
            return;
        }
        await SyncCronJobAsync(key, cronJob, cancellationToken);
    }

    private async Task SyncCronJobAsync(NamespacedName key, V1CronJob cronJob, CancellationToken cancellationToken)
    {
        var ns = cronJob.Metadata.NamespaceProperty;
        var jobs = _jobs.Cache.ListNamespace(ns).Where(j => ControllerRefs.IsControlledBy(j, cronJob.Metadata.Uid)).ToList();
        var status = cronJob.Status is null ? new V1CronJobStatus() : ObjectCopy.Clone(cronJob.Status);
        status.Active ??= [];

        await ReconcileActiveAsync(cronJob, status, jobs, cancellationToken);
        try
        {
            await ScheduleAsync(key, cronJob, status, cancellationToken);
        }
        finally
        {
            await WriteStatusAsync(cronJob, status, cancellationToken);
        }
        await DeleteOldJobsAsync(cronJob, jobs, cancellationToken);
    }

    /// <summary>Drops finished and vanished Jobs from status.active and notes the latest success.</summary>
    private async Task ReconcileActiveAsync(V1CronJob cronJob, V1CronJobStatus status, List<V1Job> jobs, CancellationToken cancellationToken)
    {
        foreach (var job in jobs)
        {
            var inActive = status.Active.Any(r => r.Uid == job.Metadata.Uid);
            var finished = JobConditions.Finished(job);
            if (inActive && finished is not null)
            {
                status.Active = [.. status.Active.Where(r => r.Uid != job.Metadata.Uid)];
                Events.Record(cronJob, EventTypes.Normal, "SawCompletedJob", $"Saw completed job: {job.Metadata.Name}, condition: {finished.Type}");
            }
            else if (!inActive && finished is null)
            {
                Events.Record(cronJob, EventTypes.Warning, "UnexpectedJob", $"Saw a job that the controller did not create or forgot: {job.Metadata.Name}");
            }
            if (finished?.Type == JobConditions.Complete && job.Status?.CompletionTime is { } completed
                && (status.LastSuccessfulTime is not { } last || completed > last))
            {
                status.LastSuccessfulTime = completed;
            }
        }
        foreach (var reference in status.Active.ToList())
        {
            if (jobs.Any(j => j.Metadata.Uid == reference.Uid))
            {
                continue;
            }
            // The cache may lag behind a Job we just created: ask the API before calling it missing.
            try
            {
                await Client.BatchV1.ReadNamespacedJobAsync(reference.Name, reference.NamespaceProperty ?? cronJob.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                Events.Record(cronJob, EventTypes.Normal, "MissingJob", $"Active job went missing: {reference.Name}");
                status.Active = [.. status.Active.Where(r => r.Uid != reference.Uid)];
            }
        }
    }

    private async Task ScheduleAsync(NamespacedName key, V1CronJob cronJob, V1CronJobStatus status, CancellationToken cancellationToken)
    {
        if (cronJob.Metadata.DeletionTimestamp is not null)
        {
            return;
        }
        TimeZoneInfo zone;
        try
        {
            zone = cronJob.Spec.TimeZone is { Length: > 0 } id ? TimeZoneInfo.FindSystemTimeZoneById(id) : TimeZoneInfo.Utc;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            Events.Record(cronJob, EventTypes.Warning, "UnknownTimeZone", $"invalid timeZone: \"{cronJob.Spec.TimeZone}\": {e.Message}");
            return;
        }
        if (cronJob.Spec.Suspend == true)
        {
            return;
        }
        if (cronJob.Spec.Schedule?.Contains("TZ", StringComparison.Ordinal) == true)
        {
            // formatSchedule: a TZ= prefix is honoured (its zone wins over spec.timeZone) but warned about.
            Events.Record(cronJob, EventTypes.Warning, "UnsupportedSchedule",
                $"CRON_TZ or TZ used in schedule {GoStrings.Quote(cronJob.Spec.Schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details");
        }
        CronSchedule schedule;
        try
        {
            schedule = CronSchedule.Parse(cronJob.Spec.Schedule ?? "");
        }
        catch (FormatException e)
        {
            Events.Record(cronJob, EventTypes.Warning, "UnparseableSchedule", $"unparseable schedule: \"{cronJob.Spec.Schedule}\" : {e.Message}");
            return;
        }

        var now = Time.GetUtcNow();
        var earliest = Utc(status.LastScheduleTime ?? cronJob.Metadata.CreationTimestamp ?? now.UtcDateTime);
        if (cronJob.Spec.StartingDeadlineSeconds is { } deadline && now.AddSeconds(-deadline) > earliest)
        {
            earliest = now.AddSeconds(-deadline);
        }
        var (scheduled, tooMany) = ScheduleTimes.MostRecent(schedule, zone, earliest, now);
        if (tooMany)
        {
            Events.Record(cronJob, EventTypes.Warning, "TooManyMissedTimes",
                $"too many missed start times: {MissedEstimate(schedule, zone, earliest, now)}. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
        }
        RequeueForNext(key, schedule, zone, now);
        if (scheduled is not { } at)
        {
            return;
        }
        if (cronJob.Spec.StartingDeadlineSeconds is { } late && at.AddSeconds(late) < now)
        {
            Events.Record(cronJob, EventTypes.Normal, "MissSchedule", $"Missed scheduled time to start a job: {at.ToString("ddd, dd MMM yyyy HH:mm:ss zzz", CultureInfo.InvariantCulture).Remove(29, 1)}");
            return;
        }
        var jobName = JobName(cronJob.Metadata.Name, at);
        if (status.Active.Any(r => r.Name == jobName) || (status.LastScheduleTime is { } last && Utc(last) == at))
        {
            return;
        }
        if (cronJob.Spec.ConcurrencyPolicy == "Forbid" && status.Active.Count > 0)
        {
            Events.Record(cronJob, EventTypes.Normal, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
            return;
        }
        if (cronJob.Spec.ConcurrencyPolicy == "Replace")
        {
            foreach (var reference in status.Active.ToList())
            {
                await DeleteJobAsync(cronJob, reference.Name, reference.Uid, cancellationToken);
                status.Active = [.. status.Active.Where(r => r.Uid != reference.Uid)];
            }
        }

        var created = await CreateJobAsync(cronJob, jobName, at, zone, cancellationToken);
        if (created is not null && JobConditions.Finished(created) is null)
        {
            status.Active.Add(new V1ObjectReference
            {
                ApiVersion = "batch/v1",
                Kind = "Job",
                Name = created.Metadata.Name,
                NamespaceProperty = created.Metadata.NamespaceProperty ?? cronJob.Metadata.NamespaceProperty,
                Uid = created.Metadata.Uid,
                ResourceVersion = created.Metadata.ResourceVersion,
            });
        }
        status.LastScheduleTime = at.UtcDateTime;
    }

    /// <summary>Creates the Job for <paramref name="at"/>; one that already exists and is ours counts as created.</summary>
    private async Task<V1Job?> CreateJobAsync(V1CronJob cronJob, string name, DateTimeOffset at, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var job = NewJob(cronJob, name, at, zone);
        try
        {
            var created = await Client.BatchV1.CreateNamespacedJobAsync(job, cronJob.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            Events.Record(cronJob, EventTypes.Normal, "SuccessfulCreate", $"Created job {created.Metadata.Name}");
            return created;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Created by an earlier sync whose status write was lost.
            var existing = await Client.BatchV1.ReadNamespacedJobAsync(name, cronJob.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            return ControllerRefs.IsControlledBy(existing, cronJob.Metadata.Uid) ? existing : null;
        }
        catch (HttpOperationException e)
        {
            Events.Record(cronJob, EventTypes.Warning, "FailedCreate", $"Error creating job: {ApiErrors.StatusMessage(e)}");
            throw;
        }
    }

    /// <summary>The Job a CronJob starts at <paramref name="at"/> (upstream getJobFromTemplate2).</summary>
    public static V1Job NewJob(V1CronJob cronJob, string name, DateTimeOffset at, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(cronJob);
        ArgumentNullException.ThrowIfNull(zone);
        var template = ObjectCopy.Clone(cronJob.Spec.JobTemplate);
        var annotations = template.Metadata?.Annotations is { } a ? new Dictionary<string, string>(a) : new Dictionary<string, string>();
        var local = TimeZoneInfo.ConvertTime(at, zone);
        annotations[ScheduledTimestampAnnotation] = local.Offset == TimeSpan.Zero
            ? local.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = cronJob.Metadata.NamespaceProperty,
                Labels = template.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels) : null,
                Annotations = annotations,
                OwnerReferences = [ControllerRefs.To(cronJob, "batch/v1", "CronJob")],
            },
            Spec = template.Spec,
        };
    }

    /// <summary>"&lt;cronjob&gt;-&lt;scheduled time in minutes since the epoch&gt;" (upstream getJobName / getTimeHashInMinutes).</summary>
    public static string JobName(string cronJobName, DateTimeOffset scheduled) =>
        $"{cronJobName}-{(scheduled.ToUnixTimeSeconds() / 60).ToString(CultureInfo.InvariantCulture)}";

    private async Task DeleteJobAsync(V1CronJob cronJob, string name, string uid, CancellationToken cancellationToken)
    {
        try
        {
            await Client.BatchV1.DeleteNamespacedJobAsync(name, cronJob.Metadata.NamespaceProperty,
                new V1DeleteOptions { PropagationPolicy = "Background", Preconditions = new V1Preconditions { Uid = uid } }, cancellationToken: cancellationToken);
            Events.Record(cronJob, EventTypes.Normal, "SuccessfulDelete", $"Deleted job {name}");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Already gone (or replaced by another Job of that name, which is not ours to delete).
        }
        catch (HttpOperationException e)
        {
            Events.Record(cronJob, EventTypes.Warning, "FailedDelete", $"Deleted job: {ApiErrors.StatusMessage(e)}");
            throw;
        }
    }

    /// <summary>Keeps the newest successfulJobsHistoryLimit succeeded and failedJobsHistoryLimit failed Jobs (upstream cleanupFinishedJobs).</summary>
    private async Task DeleteOldJobsAsync(V1CronJob cronJob, List<V1Job> jobs, CancellationToken cancellationToken)
    {
        var finished = jobs.Where(j => j.Metadata.DeletionTimestamp is null).Select(j => (Job: j, Condition: JobConditions.Finished(j))).Where(p => p.Condition is not null).ToList();
        foreach (var (type, limit) in new[] { (JobConditions.Complete, cronJob.Spec.SuccessfulJobsHistoryLimit), (JobConditions.Failed, cronJob.Spec.FailedJobsHistoryLimit) })
        {
            if (limit is not { } keep)
            {
                continue;
            }
            var oldestFirst = finished.Where(p => p.Condition!.Type == type)
                .Select(p => p.Job)
                .OrderBy(j => j.Status?.StartTime ?? DateTime.MinValue)
                .ThenBy(j => j.Metadata.Name, StringComparer.Ordinal)
                .ToList();
            foreach (var job in oldestFirst.Take(Math.Max(0, oldestFirst.Count - keep)))
            {
                await DeleteJobAsync(cronJob, job.Metadata.Name, job.Metadata.Uid, cancellationToken);
            }
        }
    }

    private async Task WriteStatusAsync(V1CronJob cronJob, V1CronJobStatus status, CancellationToken cancellationToken)
    {
        // An empty active list is written as none (upstream's omitempty), so both compare alike.
        if (status.Active is { Count: 0 })
        {
            status.Active = null;
        }
        var before = cronJob.Status ?? new V1CronJobStatus();
        if (KubernetesJson.Serialize(status) == KubernetesJson.Serialize(before) || (before.Active is { Count: 0 } && KubernetesJson.Serialize(status) == KubernetesJson.Serialize(new V1CronJobStatus { LastScheduleTime = before.LastScheduleTime, LastSuccessfulTime = before.LastSuccessfulTime })))
        {
            return;
        }
        var updated = ObjectCopy.Clone(cronJob);
        updated.Status = status;
        await Client.BatchV1.ReplaceNamespacedCronJobStatusAsync(updated, cronJob.Metadata.Name, cronJob.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
    }

    private void RequeueForNext(NamespacedName key, CronSchedule schedule, TimeZoneInfo zone, DateTimeOffset now)
    {
        if (schedule.Next(now, zone) is { } next)
        {
            Queue.AddAfter(key, next - now + NextScheduleDelta);
        }
    }

    /// <summary>Upstream's count of missed starts: the span since the first one over the interval between the first two.</summary>
    private static long MissedEstimate(CronSchedule schedule, TimeZoneInfo zone, DateTimeOffset earliest, DateTimeOffset now)
    {
        if (schedule.Next(earliest, zone) is not { } first || schedule.Next(first, zone) is not { } second || second <= first)
        {
            return ScheduleTimes.TooManyMissed + 1;
        }
        return (long)((now - first) / (second - first)) + 1;
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
