using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.CronJob;

[Category("Integration")]
public sealed class CronJobControllerIntegrationTests
{
    [Test]
    public async Task CronJob_EveryMinute_StartsAJobPerActivationOnTheControllersClock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await ClusterHarness.StartAsync(time, "cronjob");
        var cronJob = new V1CronJob
        {
            Metadata = new V1ObjectMeta { Name = "tick" },
            Spec = new V1CronJobSpec
            {
                Schedule = "* * * * *",
                JobTemplate = new V1JobTemplateSpec
                {
                    Spec = new V1JobSpec
                    {
                        Template = new V1PodTemplateSpec
                        {
                            Spec = new V1PodSpec { RestartPolicy = "OnFailure", Containers = [new V1Container { Name = "c", Image = "busybox" }] },
                        },
                    },
                },
            },
        };
        var created = await cluster.Client.BatchV1.CreateNamespacedCronJobAsync(cronJob, TestObjects.Namespace);
        // A minute after its creation on the controllers' clock, one activation is due.
        time.SetUtcNow(new DateTimeOffset(DateTime.SpecifyKind(created.Metadata.CreationTimestamp!.Value, DateTimeKind.Utc)).AddSeconds(61));

        var first = await cluster.EventuallyAsync(async () => (await cluster.Client.BatchV1.ListNamespacedJobAsync(TestObjects.Namespace)).Items.SingleOrDefault(), "the first job");
        var scheduled = DateTimeOffset.Parse(first.Metadata.Annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(first.Metadata.Name, Is.EqualTo($"tick-{scheduled.ToUnixTimeSeconds() / 60}"));
        var status = await cluster.EventuallyAsync(async () => (await cluster.Client.BatchV1.ReadNamespacedCronJobAsync("tick", TestObjects.Namespace)).Status is { Active.Count: 1 } s ? s : null, "status.active");
        Assert.That(status.LastScheduleTime, Is.EqualTo(scheduled.UtcDateTime));

        time.Advance(TimeSpan.FromMinutes(1));

        var jobs = await cluster.EventuallyAsync(async () => (await cluster.Client.BatchV1.ListNamespacedJobAsync(TestObjects.Namespace)).Items is { Count: 2 } items ? items : null, "the second job");
        Assert.That(jobs.Select(j => j.Metadata.Name), Does.Contain($"tick-{(scheduled.ToUnixTimeSeconds() / 60) + 1}"));
    }
}
