using k8s.Models;

namespace MiniKube.Controllers.Job;

/// <summary>
/// The ttl-after-finished controller (pkg/controller/ttlafterfinished): deletes a finished Job
/// (Complete or Failed) <c>ttlSecondsAfterFinished</c> after the condition's transition time,
/// with propagationPolicy Background so the garbage collector removes its pods, and a UID
/// precondition so a Job re-created under the same name is never hit. Before deleting it
/// re-reads the Job from the API, as the TTL may have been changed since the cache saw it.
/// </summary>
public sealed partial class TtlAfterFinishedController : Controller<NamespacedName>
{
    private readonly Informer<V1Job> _jobs;

    public TtlAfterFinishedController(ControllerContext context)
        : base(context, "ttl-after-finished", workers: 5)
    {
        _jobs = context.Informers.Jobs;
        _jobs.AddHandler(change =>
        {
            if (change.New is { } job && job.Spec?.TtlSecondsAfterFinished is not null && JobConditions.Finished(job) is not null)
            {
                Queue.Add(change.Name);
            }
        });
    }

    /// <summary>Deletes the Job at <paramref name="key"/> when its TTL has run out, or re-checks when it will.</summary>
    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        try
        {
            if (_jobs.Cache.Get(key) is not { } cached || Remaining(cached) is not { } remaining)
            {
                return;
            }
            if (remaining > TimeSpan.Zero)
            {
                Queue.AddAfter(key, remaining);
                return;
            }
            // The cache may be behind a user who just raised or removed the TTL.
            var fresh = await Client.BatchV1.ReadNamespacedJobAsync(cached.Metadata.Name, cached.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            var left = Remaining(fresh);
            if (left is null || left > TimeSpan.Zero)
            {
                if (left is { } wait)
                {
                    Queue.AddAfter(key, wait);
                }
                return;
            }
            LogDeleting(key);
            await Client.BatchV1.DeleteNamespacedJobAsync(fresh.Metadata.Name, fresh.Metadata.NamespaceProperty,
                new V1DeleteOptions { PropagationPolicy = "Background", Preconditions = new V1Preconditions { Uid = fresh.Metadata.Uid } },
                cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Conflict)
        {
            // Gone already, or a different Job now has the name.
        }
    }

    /// <summary>Time left before the Job expires; null when it has no TTL, is not finished, or is being deleted.</summary>
    private TimeSpan? Remaining(V1Job job)
    {
        if (job.Metadata.DeletionTimestamp is not null || job.Spec?.TtlSecondsAfterFinished is not { } ttl || JobConditions.Finished(job) is not { } finished)
        {
            return null;
        }
        var finishedAt = finished.LastTransitionTime ?? job.Status?.CompletionTime ?? Time.GetUtcNow().UtcDateTime;
        return new DateTimeOffset(DateTime.SpecifyKind(finishedAt, DateTimeKind.Utc)).AddSeconds(ttl) - Time.GetUtcNow();
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 470, Level = LogLevel.Information, Message = "Job {Key} finished longer ago than its ttlSecondsAfterFinished; deleting it")]
    private partial void LogDeleting(NamespacedName key);
}
