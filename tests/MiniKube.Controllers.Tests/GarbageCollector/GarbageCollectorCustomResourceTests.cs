using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using static MiniKube.Controllers.Tests.Common.ClusterHarness;

namespace MiniKube.Controllers.Tests.GarbageCollector;

/// <summary>
/// The garbage collector alone against an in-process API server, with owner references from and
/// to custom objects of a CRD created after the collector started: its monitors find the new
/// resource through discovery (a resync the test brings on by moving the collector's clock).
/// </summary>
[Category("Integration")]
public sealed class GarbageCollectorCustomResourceTests
{
    private const string Ns = "default";

    private static async Task<V1ObjectMeta> CreateWidgetAsync(Kubernetes client, string name, params V1OwnerReference[] owners)
    {
        var metadata = new V1ObjectMeta { Name = name, OwnerReferences = owners.Length == 0 ? null : owners };
        var body = new Dictionary<string, object> { ["apiVersion"] = "example.com/v1", ["kind"] = "Widget", ["metadata"] = metadata };
        var created = (JsonElement)await client.CustomObjects.CreateNamespacedCustomObjectAsync(body, "example.com", "v1", Ns, "widgets");
        return KubernetesJson.Deserialize<V1ObjectMeta>(created.GetProperty("metadata").GetRawText());
    }

    private static async Task<V1ObjectMeta?> ReadWidgetAsync(Kubernetes client, string name)
    {
        try
        {
            var read = (JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync("example.com", "v1", Ns, "widgets", name);
            return KubernetesJson.Deserialize<V1ObjectMeta>(read.GetProperty("metadata").GetRawText());
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static V1OwnerReference WidgetRef(V1ObjectMeta widget) =>
        new() { ApiVersion = "example.com/v1", Kind = "Widget", Name = widget.Name, Uid = widget.Uid, BlockOwnerDeletion = true };

    /// <summary>Waits for <paramref name="condition"/>, moving the collector's clock past a monitor resync at every look.</summary>
    private static Task EventuallyWithResyncAsync(Common.ClusterHarness harness, FakeTimeProvider time, Func<Task<bool>> condition, string what) =>
        harness.EventuallyAsync(async () =>
        {
            time.Advance(TimeSpan.FromSeconds(31));
            return await condition();
        }, what);

    [Test]
    public async Task DeleteCustomOwner_DeletesItsConfigMap()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = await StartControllersAsync(["garbagecollector"], time);
        var client = harness.Client;
        await CreateWidgetCrdAsync(client);
        var widget = await harness.EventuallyAsync(async () => await TryAsync(() => CreateWidgetAsync(client, "owner")), "the CRD to serve widgets");
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "child", OwnerReferences = [WidgetRef(widget)] } }, Ns);
        await EventuallyWithResyncAsync(harness, time, async () => true, "a monitor resync");

        await client.CustomObjects.DeleteNamespacedCustomObjectAsync("example.com", "v1", Ns, "widgets", "owner", new V1DeleteOptions { PropagationPolicy = "Background" });

        await EventuallyWithResyncAsync(harness, time, async () => await ReadOrNull(() => client.CoreV1.ReadNamespacedConfigMapAsync("child", Ns)) is null, "the ConfigMap of the deleted Widget to be gone");
    }

    [Test]
    public async Task DeleteConfigMapOwner_DeletesItsCustomObject()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = await StartControllersAsync(["garbagecollector"], time);
        var client = harness.Client;
        await CreateWidgetCrdAsync(client);
        var owner = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "owner" } }, Ns);
        var reference = new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid };
        await harness.EventuallyAsync(async () => await TryAsync(() => CreateWidgetAsync(client, "child", reference)), "the CRD to serve widgets");
        var keeper = await CreateWidgetAsync(client, "keeper");
        await CreateWidgetAsync(client, "shared", reference, WidgetRef(keeper));

        await client.CoreV1.DeleteNamespacedConfigMapAsync("owner", Ns, new V1DeleteOptions { PropagationPolicy = "Background" });

        await EventuallyWithResyncAsync(harness, time, async () => await ReadWidgetAsync(client, "child") is null, "the Widget of the deleted ConfigMap to be gone");
        await EventuallyWithResyncAsync(harness, time, async () => (await ReadWidgetAsync(client, "shared"))?.OwnerReferences is { Count: 1 }, "the dead reference removed from the shared Widget");
        Assert.That((await ReadWidgetAsync(client, "shared"))!.OwnerReferences[0].Name, Is.EqualTo("keeper"));
    }

    [Test]
    public async Task DeleteCustomOwner_Foreground_WaitsForItsBlockingDependent()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = await StartControllersAsync(["garbagecollector"], time);
        var client = harness.Client;
        await CreateWidgetCrdAsync(client);
        var widget = await harness.EventuallyAsync(async () => await TryAsync(() => CreateWidgetAsync(client, "owner")), "the CRD to serve widgets");
        // A dependent that lingers after its delete, as an object with a finalizer does.
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "slow", Finalizers = ["example.com/hold"], OwnerReferences = [WidgetRef(widget)] },
        }, Ns);
        await EventuallyWithResyncAsync(harness, time, async () => true, "a monitor resync");

        await client.CustomObjects.DeleteNamespacedCustomObjectAsync("example.com", "v1", Ns, "widgets", "owner", new V1DeleteOptions { PropagationPolicy = "Foreground" });

        await EventuallyWithResyncAsync(harness, time,
            async () => (await ReadOrNull(() => client.CoreV1.ReadNamespacedConfigMapAsync("slow", Ns)))?.Metadata.DeletionTimestamp is not null, "the slow dependent deleting");
        var waiting = await ReadWidgetAsync(client, "owner");
        Assert.That(waiting?.Finalizers, Does.Contain("foregroundDeletion"), "the Widget waits for its blocking dependent");

        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "slow", Ns);

        await EventuallyWithResyncAsync(harness, time, async () => await ReadWidgetAsync(client, "owner") is null, "the Widget after its last blocking dependent");
    }

    private static async Task<T?> TryAsync<T>(Func<Task<T>> create)
        where T : class
    {
        try
        {
            return await create();
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null; // Not served yet.
        }
    }

    private static async Task<T?> ReadOrNull<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
