using System.Globalization;
using k8s;
using k8s.Models;
using MiniKube.ApiServer.Tests.Integration;

namespace MiniKube.ApiServer.Tests.WatchCache;

/// <summary>The watch cache behind the HTTP API: shared store watches and lists at resourceVersion "0".</summary>
[TestFixture]
[Category("Integration")]
public sealed class WatchCacheIntegrationTests : ApiServerFixture
{
    [Test]
    public async Task Watch_TenWatchersOfOneResource_OpenOneStoreWatchBetweenThem()
    {
        var before = await StoreWatchesAsync();
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync("default");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++)
        {
            var uri = new Uri(Client.BaseUri, $"api/v1/namespaces/default/configmaps?watch=true&resourceVersion={list.Metadata.ResourceVersion}");
            responses.Add(await Client.HttpClient.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancel.Token));
        }

        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "shared" } }, "default", cancellationToken: cancel.Token);

        foreach (var response in responses)
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
            Assert.That(await reader.ReadLineAsync(cancel.Token), Does.StartWith("{\"type\":\"ADDED\"").And.Contain("\"name\":\"shared\""));
        }
        Assert.That(await StoreWatchesAsync(), Is.EqualTo(before + 1));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Test]
    public async Task List_ResourceVersionZero_IsServedWholeFromTheCache()
    {
        for (var i = 0; i < 3; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "rv0-" + i.ToString(CultureInfo.InvariantCulture) } }, "default");
        }

        var page = await Client.CoreV1.ListNamespacedConfigMapAsync("default", resourceVersion: "0", limit: 1);

        // As v1.32 serves it: the limit is ignored for resourceVersion "0", so there is no continue.
        Assert.That(page.Items.Select(i => i.Metadata.Name).Where(n => n.StartsWith("rv0-", StringComparison.Ordinal)), Is.EqualTo(new[] { "rv0-0", "rv0-1", "rv0-2" }));
        Assert.That(page.Metadata.ContinueProperty, Is.Null.Or.Empty);
    }

    private async Task<long> StoreWatchesAsync()
    {
        var metrics = await Client.HttpClient.GetStringAsync(new Uri(Client.BaseUri, "metrics"));
        const string gauge = "mkube_store_watches ";
        var line = metrics.Split('\n').Single(l => l.StartsWith(gauge, StringComparison.Ordinal));
        return long.Parse(line[gauge.Length..], CultureInfo.InvariantCulture);
    }
}
