using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.ResourceQuota;

/// <summary>The quota controller with the API server's quota admission: enforced once counted, charged on create, released on delete.</summary>
[Category("Integration")]
public sealed class ResourceQuotaControllerIntegrationTests
{
    [Test]
    public async Task Quota_CountedChargedAndReleased_WithAdmission()
    {
        await using var cluster = await ClusterHarness.StartAsync("resourcequota");
        const string ns = TestObjects.Namespace;
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(ClusterHarness.Pod("before"), ns);
        await cluster.Client.CoreV1.CreateNamespacedResourceQuotaAsync(new V1ResourceQuota
        {
            Metadata = new V1ObjectMeta { Name = "q1" },
            Spec = new V1ResourceQuotaSpec { Hard = new Dictionary<string, ResourceQuantity> { ["pods"] = new("2"), ["count/configmaps"] = new("10") } },
        }, ns);

        var counted = await UsedAsync(cluster, used => used.GetValueOrDefault("pods") == "1", "the controller to count the existing pod");
        Assert.That(counted.GetValueOrDefault("count/configmaps"), Is.EqualTo("0"));

        await cluster.Client.CoreV1.CreateNamespacedPodAsync(ClusterHarness.Pod("second"), ns);
        Assert.That((await UsedAsync(cluster, _ => true, "the quota"))["pods"], Is.EqualTo("2"), "admission charged the create");
        var refused = Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.CreateNamespacedPodAsync(ClusterHarness.Pod("third"), ns));
        Assert.That(refused!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(refused.Response.Content, Does.Contain("exceeded quota: q1, requested: pods=1, used: pods=2, limited: pods=2"));

        await cluster.Client.CoreV1.DeleteNamespacedPodAsync("before", ns, new V1DeleteOptions { GracePeriodSeconds = 0 });
        await UsedAsync(cluster, used => used.GetValueOrDefault("pods") == "1", "the controller to release the deleted pod");
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(ClusterHarness.Pod("third"), ns);
    }

    private static Task<Dictionary<string, string>> UsedAsync(ClusterHarness cluster, Func<Dictionary<string, string>, bool> done, string what) =>
        cluster.EventuallyAsync(async () =>
        {
            var quota = await cluster.Client.CoreV1.ReadNamespacedResourceQuotaAsync("q1", TestObjects.Namespace);
            var used = quota.Status?.Used?.ToDictionary(p => p.Key, p => p.Value.ToString());
            return used is not null && done(used) ? used : null;
        }, what);
}
