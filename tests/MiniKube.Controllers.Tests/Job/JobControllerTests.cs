using MiniKube.Testing;
using k8s.Models;
using MiniKube.Controllers.Job;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.Job;

public sealed class JobControllerTests
{
    private const string JobsPath = "/apis/batch/v1/namespaces/ns/jobs/";
    private const string PodsPath = "/api/v1/namespaces/ns/pods";

    private static readonly Dictionary<string, string> Labels = new()
    {
        ["batch.kubernetes.io/controller-uid"] = "uid-pi",
        ["batch.kubernetes.io/job-name"] = "pi",
        ["controller-uid"] = "uid-pi",
        ["job-name"] = "pi",
    };

    private static readonly V1OwnerReference Owner = TestObjects.Owner("batch/v1", "Job", "pi");

    private static V1Job NewJob(int? completions = 1, int parallelism = 1, int backoffLimit = 6, string mode = "NonIndexed", string restartPolicy = "Never", V1JobStatus? status = null, long? deadline = null) => new()
    {
        ApiVersion = "batch/v1",
        Kind = "Job",
        Metadata = new V1ObjectMeta { Name = "pi", NamespaceProperty = TestObjects.Namespace, Uid = "uid-pi", ResourceVersion = "7" },
        Spec = new V1JobSpec
        {
            Completions = completions,
            Parallelism = parallelism,
            BackoffLimit = backoffLimit,
            CompletionMode = mode,
            ActiveDeadlineSeconds = deadline,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["batch.kubernetes.io/controller-uid"] = "uid-pi" } },
            Template = TestObjects.Template(Labels, restartPolicy),
        },
        Status = status,
    };

    private static async Task<(ControllerHarness Harness, JobController Controller)> StartAsync(V1Job job, params V1Pod[] pods)
    {
        var harness = new ControllerHarness().Seed(job).Seed(pods);
        var controller = new JobController(harness.Context);
        await harness.StartAsync();
        return (harness, controller);
    }

    [Test]
    public async Task SyncAsync_NewJob_CreatesParallelismPodsAndRecordsStart()
    {
        var (harness, controller) = await StartAsync(NewJob(completions: 5, parallelism: 3));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/pi"), CancellationToken.None);

        var pods = harness.Bodies<V1Pod>("POST", PodsPath);
        Assert.That(pods, Has.Count.EqualTo(3));
        Assert.That(pods[0].Metadata.GenerateName, Is.EqualTo("pi-"));
        Assert.That(pods[0].Metadata.Labels, Does.ContainKey("batch.kubernetes.io/job-name"));
        Assert.That(pods[0].Metadata.OwnerReferences.Single().Uid, Is.EqualTo("uid-pi"));
        var status = harness.Bodies<V1Job>("PUT", JobsPath + "pi/status").Single().Status;
        Assert.That(status.Active, Is.EqualTo(3));
        Assert.That(status.StartTime, Is.EqualTo(harness.Time.GetUtcNow().UtcDateTime));
        Assert.That(status.Conditions ?? [], Is.Empty);
    }

    [Test]
    public async Task SyncAsync_CompletionsSucceeded_WritesSuccessCriteriaMetThenComplete()
    {
        var started = new V1JobStatus { StartTime = new DateTime(2025, 1, 1, 11, 0, 0, DateTimeKind.Utc), Active = 1, Succeeded = 1 };
        var (harness, controller) = await StartAsync(NewJob(completions: 2, status: started),
            TestObjects.Pod("pi-a", Owner, Labels, "Succeeded"), TestObjects.Pod("pi-b", Owner, Labels, "Succeeded"));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/pi"), CancellationToken.None);

        Assert.That(harness.Writes("POST", PodsPath), Is.Empty);
        var status = harness.Bodies<V1Job>("PUT", JobsPath + "pi/status").Single().Status;
        Assert.That(status.Succeeded, Is.EqualTo(2));
        Assert.That(status.Active, Is.Zero);
        Assert.That(status.Conditions.Select(c => (c.Type, c.Status, c.Reason)), Is.EqualTo(new[]
        {
            ("SuccessCriteriaMet", "True", "CompletionsReached"),
            ("Complete", "True", "CompletionsReached"),
        }));
        Assert.That(status.CompletionTime, Is.EqualTo(harness.Time.GetUtcNow().UtcDateTime));
    }

    [Test]
    public async Task SyncAsync_FailuresOverBackoffLimit_DeletesActivePodsAndFails()
    {
        var started = new V1JobStatus { StartTime = new DateTime(2025, 1, 1, 11, 0, 0, DateTimeKind.Utc) };
        var (harness, controller) = await StartAsync(NewJob(completions: 3, parallelism: 2, backoffLimit: 1, status: started),
            TestObjects.Pod("pi-a", Owner, Labels, "Failed"), TestObjects.Pod("pi-b", Owner, Labels, "Failed"), TestObjects.Pod("pi-c", Owner, Labels, "Running"));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/pi"), CancellationToken.None);

        Assert.That(harness.Writes("DELETE", PodsPath).Select(c => c.Path), Is.EqualTo(new[] { PodsPath + "/pi-c" }));
        Assert.That(harness.Writes("POST", PodsPath), Is.Empty);
        var status = harness.Bodies<V1Job>("PUT", JobsPath + "pi/status").Single().Status;
        Assert.That(status.Failed, Is.EqualTo(2));
        Assert.That(status.Conditions.Select(c => (c.Type, c.Reason, c.Message)), Is.EqualTo(new[]
        {
            ("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
            ("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
        }));
        Assert.That(status.CompletionTime, Is.Null);
    }

    [Test]
    public async Task SyncAsync_RecentFailure_WaitsForBackoffBeforeReplacing()
    {
        var failedAt = new DateTime(2025, 1, 1, 11, 59, 55, DateTimeKind.Utc);
        var failed = TestObjects.Pod("pi-a", Owner, Labels, "Failed");
        failed.Status.ContainerStatuses = [new V1ContainerStatus { Name = "c", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, FinishedAt = failedAt } } }];
        var started = new V1JobStatus { StartTime = new DateTime(2025, 1, 1, 11, 0, 0, DateTimeKind.Utc), Failed = 1, Active = 0 };
        var (harness, controller) = await StartAsync(NewJob(status: started), failed);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/pi"), CancellationToken.None);
        Assert.That(harness.Writes("POST", PodsPath), Is.Empty, "5 s after the failure, inside the 10 s back-off");

        harness.Time.Advance(TimeSpan.FromSeconds(5));
        await controller.SyncAsync(NamespacedName.Parse("ns/pi"), CancellationToken.None);
        Assert.That(harness.Writes("POST", PodsPath), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SyncAsync_PastActiveDeadline_FailsWithDeadlineExceeded()
    {
        var started = new V1JobStatus { StartTime = new DateTime(2025, 1, 1, 11, 0, 0, DateTimeKind.Utc) };
        var (harness, controller) = await StartAsync(NewJob(status: started, deadline: 60), TestObjects.Pod("pi-a", Owner, Labels, "Running"));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/pi"), CancellationToken.None);

        Assert.That(harness.Writes("DELETE", PodsPath), Has.Count.EqualTo(1));
        var status = harness.Bodies<V1Job>("PUT", JobsPath + "pi/status").Single().Status;
        Assert.That(status.Conditions.Last().Type, Is.EqualTo("Failed"));
        Assert.That(status.Conditions.Last().Reason, Is.EqualTo("DeadlineExceeded"));
        Assert.That(status.Conditions.Last().Message, Is.EqualTo("Job was active longer than specified deadline"));
    }

    [Test]
    public async Task SyncAsync_Indexed_CreatesPodsForMissingIndexesWithHostnames()
    {
        var done = TestObjects.Pod("pi-0-x", Owner, Labels, "Succeeded");
        done.Metadata.Annotations = new Dictionary<string, string> { [CompletionIndexes.Annotation] = "0" };
        var started = new V1JobStatus { StartTime = new DateTime(2025, 1, 1, 11, 0, 0, DateTimeKind.Utc) };
        var (harness, controller) = await StartAsync(NewJob(completions: 3, parallelism: 3, mode: "Indexed", status: started), done);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/pi"), CancellationToken.None);

        var pods = harness.Bodies<V1Pod>("POST", PodsPath).OrderBy(p => p.Metadata.GenerateName).ToList();
        Assert.That(pods.Select(p => p.Metadata.Annotations[CompletionIndexes.Annotation]), Is.EqualTo(new[] { "1", "2" }));
        Assert.That(pods.Select(p => p.Spec.Hostname), Is.EqualTo(new[] { "pi-1", "pi-2" }));
        Assert.That(pods.Select(p => p.Metadata.GenerateName), Is.EqualTo(new[] { "pi-1-", "pi-2-" }));
        Assert.That(pods[0].Spec.Containers[0].Env.Single().Name, Is.EqualTo("JOB_COMPLETION_INDEX"));
        var status = harness.Bodies<V1Job>("PUT", JobsPath + "pi/status").Single().Status;
        Assert.That(status.CompletedIndexes, Is.EqualTo("0"));
        Assert.That(status.Succeeded, Is.EqualTo(1));
    }

    [Test]
    public async Task SyncAsync_Suspended_DeletesActivePodsAndSetsSuspendedCondition()
    {
        var job = NewJob(status: new V1JobStatus { StartTime = new DateTime(2025, 1, 1, 11, 0, 0, DateTimeKind.Utc) });
        job.Spec.Suspend = true;
        var (harness, controller) = await StartAsync(job, TestObjects.Pod("pi-a", Owner, Labels, "Running"));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/pi"), CancellationToken.None);

        Assert.That(harness.Writes("DELETE", PodsPath), Has.Count.EqualTo(1));
        var condition = harness.Bodies<V1Job>("PUT", JobsPath + "pi/status").Single().Status.Conditions.Single();
        Assert.That((condition.Type, condition.Status, condition.Reason), Is.EqualTo(("Suspended", "True", "JobSuspended")));
    }

    [Test]
    public async Task SyncAsync_OnFailureRestartsReachLimit_Fails()
    {
        var started = new V1JobStatus { StartTime = new DateTime(2025, 1, 1, 11, 0, 0, DateTimeKind.Utc) };
        var running = TestObjects.Pod("pi-a", Owner, Labels, "Running");
        running.Status.ContainerStatuses = [new V1ContainerStatus { Name = "c", RestartCount = 2 }];
        var (harness, controller) = await StartAsync(NewJob(backoffLimit: 2, restartPolicy: "OnFailure", status: started), running);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/pi"), CancellationToken.None);

        Assert.That(harness.Bodies<V1Job>("PUT", JobsPath + "pi/status").Single().Status.Conditions.Last().Reason, Is.EqualTo("BackoffLimitExceeded"));
    }

    [Test]
    public void CompletionIndexes_FormatAndParse_RoundTrip()
    {
        Assert.That(CompletionIndexes.Format([0, 1, 2, 4, 6, 7]), Is.EqualTo("0-2,4,6-7"));
        Assert.That(CompletionIndexes.Parse("0-2,4,6-7", 7), Is.EqualTo(new[] { 0, 1, 2, 4, 6 }));
    }
}
