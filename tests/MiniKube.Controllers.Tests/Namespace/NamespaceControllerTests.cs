using k8s;
using k8s.Models;

namespace MiniKube.Controllers.Tests.Namespace;

[Category("Integration")]
public sealed class NamespaceControllerTests
{
    private static V1Namespace Namespace(string name) => new() { Metadata = new V1ObjectMeta { Name = name } };

    private static V1ConfigMap ConfigMap(string name, params string[] finalizers) =>
        new() { Metadata = new V1ObjectMeta { Name = name, Finalizers = finalizers.Length > 0 ? [.. finalizers] : null } };

    [Test]
    public async Task DeletedNamespace_WithContentOfSeveralGroups_IsEmptiedAndRemoved()
    {
        await using var harness = await ControllerManagerHarness.StartAsync(["namespace"]);
        var client = harness.Client;
        await client.CoreV1.CreateNamespaceAsync(Namespace("team"));
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "team");
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
        }, "team");
        await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "lock" } }, "team");

        await client.CoreV1.DeleteNamespaceAsync("team");

        await harness.EventuallyAsync(() => client.CoreV1.ReadNamespaceAsync("team"), ns => ns is null, "namespace gone");
        Assert.That((await client.CoreV1.ListNamespacedConfigMapAsync("team")).Items, Is.Empty);
        Assert.That((await client.CoreV1.ListNamespacedPodAsync("team")).Items, Is.Empty);
        Assert.That((await client.CoordinationV1.ListNamespacedLeaseAsync("team")).Items, Is.Empty);
    }

    [Test]
    public async Task DeletedNamespace_ContentHeldByFinalizer_StaysTerminatingUntilReleased()
    {
        await using var harness = await ControllerManagerHarness.StartAsync(["namespace"]);
        var client = harness.Client;
        await client.CoreV1.CreateNamespaceAsync(Namespace("team"));
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("held", "example.com/hold"), "team");

        await client.CoreV1.DeleteNamespaceAsync("team");

        var held = await harness.EventuallyAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("held", "team"), cm => cm?.Metadata.DeletionTimestamp is not null, "content marked deleted");
        var ns = await client.CoreV1.ReadNamespaceAsync("team");
        Assert.That(ns.Status.Phase, Is.EqualTo("Terminating"));
        Assert.That(ns.Spec.Finalizers, Does.Contain("kubernetes"));

        held.Metadata.Finalizers = null;
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(held, "held", "team");

        await harness.EventuallyAsync(() => client.CoreV1.ReadNamespaceAsync("team"), gone => gone is null, "namespace gone");
    }

    [Test]
    public async Task DeletedNamespace_WithoutTheController_StaysTerminating()
    {
        await using var harness = await ControllerManagerHarness.StartAsync([]);
        var client = harness.Client;
        await client.CoreV1.CreateNamespaceAsync(Namespace("team"));
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "team");

        await client.CoreV1.DeleteNamespaceAsync("team");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var ns = await client.CoreV1.ReadNamespaceAsync("team");
        Assert.That(ns.Status.Phase, Is.EqualTo("Terminating"));
        Assert.That((await client.CoreV1.ListNamespacedConfigMapAsync("team")).Items, Has.Count.EqualTo(1), "the API server no longer empties namespaces by itself");
    }
}
