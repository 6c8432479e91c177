using System.Globalization;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>The official C# client (KubernetesClient) against an in-process API server.</summary>
[TestFixture]
[Category("Integration")]
public sealed class KubernetesClientTests : ApiServerFixture
{
    [Test]
    public async Task Create_ConfigMap_AssignsSystemMetadata()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("one", "a"), "default");

        Assert.That(created.Metadata.Uid, Is.Not.Empty);
        Assert.That(long.Parse(created.Metadata.ResourceVersion, CultureInfo.InvariantCulture), Is.GreaterThan(0));
        Assert.That(created.Metadata.CreationTimestamp, Is.Not.Null);
        var read = await Client.CoreV1.ReadNamespacedConfigMapAsync("one", "default");
        Assert.That(read.Data["key"], Is.EqualTo("a"));
        Assert.That(read.Metadata.ResourceVersion, Is.EqualTo(created.Metadata.ResourceVersion));
    }

    [Test]
    public async Task Delete_ServiceAndServiceAccount_AnswerWithTheDeletedObject()
    {
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service { Metadata = new V1ObjectMeta { Name = "gone" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] } }, "default");
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "gone" } }, "default");

        var service = await Client.CoreV1.DeleteNamespacedServiceAsync("gone", "default");
        var account = await Client.CoreV1.DeleteNamespacedServiceAccountAsync("gone", "default");

        Assert.That(service.Metadata.Name, Is.EqualTo("gone"));
        Assert.That(account.Metadata.Name, Is.EqualTo("gone"));
    }

    [Test]
    public async Task Create_Twice_Gets409AlreadyExists()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dup", "a"), "default");

        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dup", "b"), "default"));

        Assert.That((int)error!.Response.StatusCode, Is.EqualTo(409));
        Assert.That(error.Response.Content, Does.Contain("configmaps \\\"dup\\\" already exists").Or.Contain("configmaps \"dup\" already exists"));
    }

    [Test]
    public async Task List_WithLimit_PagesThroughEverythingOnce()
    {
        for (var i = 0; i < 25; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"page-{i:D2}", "x"), "default");
        }
        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 10, continueParameter: token);
            names.AddRange(page.Items.Select(i => i.Metadata.Name));
            token = page.Metadata.ContinueProperty;
            pages++;
        }
        while (!string.IsNullOrEmpty(token));

        Assert.That(pages, Is.EqualTo(3));
        Assert.That(names.Where(n => n.StartsWith("page-", StringComparison.Ordinal)), Is.EqualTo(Enumerable.Range(0, 25).Select(i => $"page-{i:D2}")));
    }

    [Test]
    public async Task Watch_FromListVersion_SeesLaterChangesInOrder()
    {
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync("default");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<(WatchEventType, string)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cancel.Token))
            {
                events.Add((type, item.Metadata.Name + ":" + (item.Data?["key"] ?? "")));
                if (type == WatchEventType.Deleted)
                {
                    return;
                }
            }
        }, cancel.Token);

        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("w", "1"), "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"key\":\"2\"}}", V1Patch.PatchType.MergePatch), "w", "default");
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("w", "default");
        await watching;

        Assert.That(events, Is.EqualTo(new[] { (WatchEventType.Added, "w:1"), (WatchEventType.Modified, "w:2"), (WatchEventType.Deleted, "w:2") }));
    }

    [Test]
    public async Task Watch_FromCompactedVersion_Gets410ThenResumesFromAFreshList()
    {
        var old = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("old", "1"), "default");
        for (var i = 0; i < 5; i++)
        {
            await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch($"{{\"data\":{{\"key\":\"{i}\"}}}}", V1Patch.PatchType.MergePatch), "old", "default");
        }
        await Server.Store.CompactAsync(await Server.Store.GetCurrentRevisionAsync(CancellationToken.None), CancellationToken.None);

        Exception? watchError = null;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var _ in Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: old.Metadata.ResourceVersion, onError: e => watchError = e, cancellationToken: cancel.Token))
        {
            Assert.Fail("a watch from a compacted version must not deliver events");
        }
        Assert.That(watchError, Is.InstanceOf<KubernetesException>());
        Assert.That(((KubernetesException)watchError!).Status.Code, Is.EqualTo(410));
        Assert.That(((KubernetesException)watchError).Status.Reason, Is.EqualTo("Expired"));

        // What an informer does next: re-list and watch from the list's version.
        var relisted = await Client.CoreV1.ListNamespacedConfigMapAsync("default");
        var seen = Task.Run(async () =>
        {
            await foreach (var (type, item) in Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: relisted.Metadata.ResourceVersion, cancellationToken: cancel.Token))
            {
                return (type, item.Metadata.Name);
            }
            return default;
        }, cancel.Token);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("after", "1"), "default");

        Assert.That(await seen, Is.EqualTo((WatchEventType.Added, "after")));
    }

    [Test]
    public async Task Patch_StaleResourceVersion_Gets409Conflict()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cas", "1"), "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"key\":\"2\"}}", V1Patch.PatchType.MergePatch), "cas", "default");

        created.Data["key"] = "3";
        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "cas", "default"));

        Assert.That((int)error!.Response.StatusCode, Is.EqualTo(409));
        Assert.That(error.Response.Content, Does.Contain("the object has been modified"));
        Assert.That((await Client.CoreV1.ReadNamespacedConfigMapAsync("cas", "default")).Data["key"], Is.EqualTo("2"));
    }

    [Test]
    public async Task Delete_ThenRead_Gets404()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("gone", "1"), "default");

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("gone", "default");

        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("gone", "default"));
        Assert.That((int)error!.Response.StatusCode, Is.EqualTo(404));
    }

    [Test]
    public async Task Restart_KeepsObjectsAndWatchesResumeFromTheirVersion()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("durable", "1"), "default");
        Client.Dispose();
        Server = await Server.RestartAsync();
        Client = Server.Client();

        var read = await Client.CoreV1.ReadNamespacedConfigMapAsync("durable", "default");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = Task.Run(async () =>
        {
            await foreach (var (type, item) in Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: created.Metadata.ResourceVersion, cancellationToken: cancel.Token))
            {
                return (type, item.Data["key"]);
            }
            return default;
        }, cancel.Token);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"key\":\"2\"}}", V1Patch.PatchType.MergePatch), "durable", "default");

        Assert.That(read.Metadata.Uid, Is.EqualTo(created.Metadata.Uid));
        Assert.That(read.Metadata.ResourceVersion, Is.EqualTo(created.Metadata.ResourceVersion));
        Assert.That(await seen, Is.EqualTo((WatchEventType.Modified, "2")));
    }

    [Test]
    public async Task Restart_OnAnotherPort_PointsTheKubernetesServiceAtTheNewPort()
    {
        var first = Server.Server.Address.Port;
        Client.Dispose();
        Server = await Server.RestartAsync();
        Client = Server.Client();

        var port = Server.Server.Address.Port;
        var endpoints = await Client.CoreV1.ReadNamespacedEndpointsAsync("kubernetes", "default");
        var slice = await Client.DiscoveryV1.ReadNamespacedEndpointSliceAsync("kubernetes", "default");
        Assert.That(port, Is.Not.EqualTo(first), "a second free port");
        Assert.That(endpoints.Subsets.Single().Ports.Single().Port, Is.EqualTo(port));
        Assert.That(slice.Ports.Single().Port, Is.EqualTo(port));
        Assert.That(slice.Endpoints.Single().Addresses.Single(), Is.EqualTo(endpoints.Subsets.Single().Addresses.Single().Ip));
    }

    private static V1ConfigMap ConfigMap(string name, string value) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Data = new Dictionary<string, string> { ["key"] = value },
    };
}
