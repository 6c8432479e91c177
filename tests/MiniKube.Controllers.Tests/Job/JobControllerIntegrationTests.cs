using k8s;
using k8s.Autorest;
using k8s.Models;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.Job;

[Category("Integration")]
public sealed class JobControllerIntegrationTests
{
    private static V1Job NewJob(string name, int completions, int parallelism, int backoffLimit = 6, int? ttl = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1JobSpec
        {
            Completions = completions,
            Parallelism = parallelism,
            BackoffLimit = backoffLimit,
            TtlSecondsAfterFinished = ttl,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "c", Image = "busybox" }] },
            },
        },
    };

    [Test]
    public async Task Job_PodsSucceedOneByOne_CompletesAndTtlDeletesIt()
    {
        await using var cluster = await ClusterHarness.StartAsync("job", "ttl-after-finished");
        var job = await cluster.Client.BatchV1.CreateNamespacedJobAsync(NewJob("pi", completions: 2, parallelism: 1, ttl: 0), TestObjects.Namespace);
        var selector = $"batch.kubernetes.io/controller-uid={job.Metadata.Uid}";

        for (var done = 0; done < 2; done++)
        {
            var pod = await cluster.EventuallyAsync(async () => (await cluster.PodsAsync(selector)).FirstOrDefault(p => p.Status?.Phase is null or "Pending"), $"pod {done + 1}");
            Assert.That(pod.Metadata.Labels["job-name"], Is.EqualTo("pi"));
            await cluster.SetPhaseAsync(pod, "Succeeded");
        }

        // ttlSecondsAfterFinished 0: the Job goes as soon as it is Complete; watch for Complete first.
        var gone = await cluster.EventuallyAsync(async () =>
        {
            try
            {
                var current = await cluster.Client.BatchV1.ReadNamespacedJobAsync("pi", TestObjects.Namespace);
                return current.Metadata.DeletionTimestamp is not null ? "deleting" : null;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return "gone";
            }
        }, "the ttl controller to delete the finished job");
        Assert.That(gone, Is.Not.Null);
    }

    [Test]
    public async Task Job_Completes_KubectlWaitForConditionComplete()
    {
        await using var cluster = await ClusterHarness.StartAsync("job");
        var job = await cluster.Client.BatchV1.CreateNamespacedJobAsync(NewJob("one", completions: 1, parallelism: 1), TestObjects.Namespace);
        var pod = await cluster.EventuallyAsync(async () => (await cluster.PodsAsync($"batch.kubernetes.io/controller-uid={job.Metadata.Uid}")).FirstOrDefault(), "the job's pod");
        await cluster.SetPhaseAsync(pod, "Succeeded");

        var (exit, output) = await Kubectl.RunAsync(cluster.KubeconfigPath, "wait", "-n", TestObjects.Namespace, "--for=condition=complete", "job/one", "--timeout=20s");

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("job.batch/one condition met"));
        var finished = await cluster.Client.BatchV1.ReadNamespacedJobAsync("one", TestObjects.Namespace);
        Assert.That(finished.Status.Succeeded, Is.EqualTo(1));
        Assert.That(finished.Status.CompletionTime, Is.Not.Null);
        Assert.That(finished.Status.Conditions.Select(c => c.Type), Is.EqualTo(new[] { "SuccessCriteriaMet", "Complete" }));
    }

    [Test]
    public async Task Job_FailedPodWithZeroBackoffLimit_FailsWithBackoffLimitExceeded()
    {
        await using var cluster = await ClusterHarness.StartAsync("job");
        var job = await cluster.Client.BatchV1.CreateNamespacedJobAsync(NewJob("bad", completions: 1, parallelism: 1, backoffLimit: 0), TestObjects.Namespace);
        var pod = await cluster.EventuallyAsync(async () => (await cluster.PodsAsync($"batch.kubernetes.io/controller-uid={job.Metadata.Uid}")).FirstOrDefault(), "the job's pod");
        await cluster.SetPhaseAsync(pod, "Failed");

        var failed = await cluster.EventuallyAsync(async () =>
        {
            var current = await cluster.Client.BatchV1.ReadNamespacedJobAsync("bad", TestObjects.Namespace);
            return current.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed");
        }, "the Failed condition");

        Assert.That(failed.Reason, Is.EqualTo("BackoffLimitExceeded"));
        Assert.That((await cluster.PodsAsync($"batch.kubernetes.io/controller-uid={job.Metadata.Uid}")).Count, Is.EqualTo(1), "no replacement pod");
    }
}
