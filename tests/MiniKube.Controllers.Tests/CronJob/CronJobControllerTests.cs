using MiniKube.Testing;
using k8s.Models;
using MiniKube.Controllers.CronJob;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.CronJob;

public sealed class CronJobControllerTests
{
    private const string JobsPath = "/apis/batch/v1/namespaces/ns/jobs";
    private const string StatusPath = "/apis/batch/v1/namespaces/ns/cronjobs/cj/status";

    // 12:00 on 2025-01-01 is minute 28,928,880 since the epoch.
    private static readonly DateTimeOffset Noon = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly V1OwnerReference Owner = TestObjects.Owner("batch/v1", "CronJob", "cj");

    private static V1CronJob NewCronJob(string schedule = "*/5 * * * *", string policy = "Allow", DateTime? created = null, V1CronJobStatus? status = null) => new()
    {
        ApiVersion = "batch/v1",
        Kind = "CronJob",
        Metadata = new V1ObjectMeta
        {
            Name = "cj",
            NamespaceProperty = TestObjects.Namespace,
            Uid = "uid-cj",
            ResourceVersion = "3",
            CreationTimestamp = created ?? new DateTime(2025, 1, 1, 11, 58, 0, DateTimeKind.Utc),
        },
        Spec = new V1CronJobSpec
        {
            Schedule = schedule,
            ConcurrencyPolicy = policy,
            SuccessfulJobsHistoryLimit = 3,
            FailedJobsHistoryLimit = 1,
            JobTemplate = new V1JobTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "report" } },
                Spec = new V1JobSpec { Template = TestObjects.Template(new Dictionary<string, string>(), "OnFailure") },
            },
        },
        Status = status,
    };

    private static V1Job ChildJob(string name, string? finished = null, DateTime? started = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = TestObjects.Namespace, Uid = "uid-" + name, ResourceVersion = "5", OwnerReferences = [Owner] },
        Spec = new V1JobSpec(),
        Status = new V1JobStatus
        {
            StartTime = started,
            CompletionTime = finished == "Complete" ? started?.AddMinutes(1) : null,
            Conditions = finished is null ? null : [new V1JobCondition { Type = finished, Status = "True" }],
        },
    };

    private static V1ObjectReference Ref(string name) => new() { ApiVersion = "batch/v1", Kind = "Job", Name = name, NamespaceProperty = TestObjects.Namespace, Uid = "uid-" + name };

    private static async Task<(ControllerHarness Harness, CronJobController Controller)> StartAsync(DateTimeOffset now, V1CronJob cronJob, params V1Job[] jobs)
    {
        var harness = new ControllerHarness(now).Seed(cronJob).Seed(jobs);
        var controller = new CronJobController(harness.Context);
        await harness.StartAsync();
        return (harness, controller);
    }

    [Test]
    public async Task SyncAsync_ScheduleDue_CreatesJobNamedForTheScheduledMinute()
    {
        var (harness, controller) = await StartAsync(Noon.AddSeconds(30), NewCronJob());
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/cj"), CancellationToken.None);

        var job = harness.Bodies<V1Job>("POST", JobsPath).Single();
        Assert.That(job.Metadata.Name, Is.EqualTo("cj-28928880"));
        Assert.That(job.Metadata.Annotations[CronJobController.ScheduledTimestampAnnotation], Is.EqualTo("2025-01-01T12:00:00Z"));
        Assert.That(job.Metadata.Labels["app"], Is.EqualTo("report"));
        Assert.That(job.Metadata.OwnerReferences.Single().Kind, Is.EqualTo("CronJob"));
        var status = harness.Bodies<V1CronJob>("PUT", StatusPath).Single().Status;
        Assert.That(status.LastScheduleTime, Is.EqualTo(Noon.UtcDateTime));
        Assert.That(status.Active.Single().Name, Is.EqualTo("cj-28928880"));
    }

    [Test]
    public async Task SyncAsync_NotDueYet_CreatesNothing()
    {
        var (harness, controller) = await StartAsync(Noon.AddMinutes(-1), NewCronJob());
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/cj"), CancellationToken.None);

        Assert.That(harness.Api.Writes, Is.Empty);
    }

    [Test]
    public async Task SyncAsync_ForbidWithActiveJob_SkipsTheRun()
    {
        var status = new V1CronJobStatus { Active = [Ref("cj-28928875")], LastScheduleTime = Noon.AddMinutes(-5).UtcDateTime };
        var (harness, controller) = await StartAsync(Noon.AddSeconds(1), NewCronJob(policy: "Forbid", status: status), ChildJob("cj-28928875"));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/cj"), CancellationToken.None);

        Assert.That(harness.Writes("POST", JobsPath), Is.Empty);
    }

    [Test]
    public async Task SyncAsync_ReplaceWithActiveJob_DeletesItAndStartsTheNext()
    {
        var status = new V1CronJobStatus { Active = [Ref("cj-28928875")], LastScheduleTime = Noon.AddMinutes(-5).UtcDateTime };
        var (harness, controller) = await StartAsync(Noon.AddSeconds(1), NewCronJob(policy: "Replace", status: status), ChildJob("cj-28928875"));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/cj"), CancellationToken.None);

        var delete = harness.Writes("DELETE", JobsPath).Single();
        Assert.That(delete.Path, Is.EqualTo(JobsPath + "/cj-28928875"));
        Assert.That(delete.Body, Does.Contain("\"propagationPolicy\":\"Background\""));
        Assert.That(harness.Bodies<V1Job>("POST", JobsPath).Single().Metadata.Name, Is.EqualTo("cj-28928880"));
        Assert.That(harness.Bodies<V1CronJob>("PUT", StatusPath).Single().Status.Active.Select(r => r.Name), Is.EqualTo(new[] { "cj-28928880" }));
    }

    [Test]
    public async Task SyncAsync_FinishedJobs_LeaveActiveAndOldestBeyondLimitsAreDeleted()
    {
        var status = new V1CronJobStatus { Active = [Ref("cj-4")], LastScheduleTime = Noon.UtcDateTime };
        var start = new DateTime(2025, 1, 1, 8, 0, 0, DateTimeKind.Utc);
        var (harness, controller) = await StartAsync(Noon.AddMinutes(1), NewCronJob(status: status),
            ChildJob("cj-1", "Complete", start), ChildJob("cj-2", "Complete", start.AddHours(1)), ChildJob("cj-3", "Complete", start.AddHours(2)),
            ChildJob("cj-4", "Complete", start.AddHours(3)), ChildJob("cj-f1", "Failed", start), ChildJob("cj-f2", "Failed", start.AddHours(1)));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/cj"), CancellationToken.None);

        Assert.That(harness.Writes("DELETE", JobsPath).Select(c => c.Path), Is.EquivalentTo(new[] { JobsPath + "/cj-1", JobsPath + "/cj-f1" }));
        var written = harness.Bodies<V1CronJob>("PUT", StatusPath).Single().Status;
        Assert.That(written.Active, Is.Null.Or.Empty);
        Assert.That(written.LastSuccessfulTime, Is.EqualTo(start.AddHours(3).AddMinutes(1)));
    }

    [Test]
    public async Task SyncAsync_PastStartingDeadline_CreatesNothing()
    {
        var cronJob = NewCronJob();
        cronJob.Spec.StartingDeadlineSeconds = 10;
        var (harness, controller) = await StartAsync(Noon.AddSeconds(30), cronJob);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/cj"), CancellationToken.None);

        Assert.That(harness.Writes("POST", JobsPath), Is.Empty);
    }

    [Test]
    public async Task SyncAsync_ManyMissedStarts_StartsOnlyTheLatest()
    {
        var (harness, controller) = await StartAsync(Noon.AddSeconds(30), NewCronJob(schedule: "* * * * *", created: new DateTime(2024, 12, 1, 0, 0, 0, DateTimeKind.Utc)));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/cj"), CancellationToken.None);

        Assert.That(harness.Bodies<V1Job>("POST", JobsPath).Select(j => j.Metadata.Name), Is.EqualTo(new[] { "cj-28928880" }));
    }

    [Test]
    public async Task SyncAsync_TimeZone_AnnotatesLocalScheduledTime()
    {
        var cronJob = NewCronJob(schedule: "0 7 * * *");
        cronJob.Spec.TimeZone = "America/New_York";
        var (harness, controller) = await StartAsync(Noon.AddSeconds(30), cronJob);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/cj"), CancellationToken.None);

        var job = harness.Bodies<V1Job>("POST", JobsPath).Single();
        Assert.That(job.Metadata.Annotations[CronJobController.ScheduledTimestampAnnotation], Is.EqualTo("2025-01-01T07:00:00-05:00"));
    }

    [Test]
    public async Task SyncAsync_TimeZoneInSchedule_IsHonouredAsUpstream()
    {
        // Upstream's formatSchedule warns (UnsupportedSchedule) but parses the TZ= prefix, whose zone wins.
        var (harness, controller) = await StartAsync(Noon.AddSeconds(30), NewCronJob(schedule: "CRON_TZ=America/New_York 0 7 * * *"));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/cj"), CancellationToken.None);

        var job = harness.Bodies<V1Job>("POST", JobsPath).Single();
        Assert.That(job.Metadata.Annotations[CronJobController.ScheduledTimestampAnnotation], Is.EqualTo("2025-01-01T12:00:00Z"), "07:00 in New York");
    }
}
