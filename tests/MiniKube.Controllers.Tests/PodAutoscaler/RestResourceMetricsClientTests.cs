using System.Collections.Concurrent;
using System.Net;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniKube.Controllers.PodAutoscaler;

namespace MiniKube.Controllers.Tests.PodAutoscaler;

/// <summary>
/// The metrics.k8s.io client against a small HTTP server of the test's own that answers the
/// PodMetrics list as metrics-server does (the shape of API-GUIDE-WAVE2 §4): the request's path
/// and label selector, container sums, pods left out when a container lacks the resource, one
/// container's usage, and upstream's errors.
/// </summary>
[Category("Integration")]
public sealed class RestResourceMetricsClientTests
{
    private const string Path = "/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods";

    private const string TwoPods = """
        {"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[
         {"metadata":{"name":"web-1","namespace":"ns","labels":{"app":"web"}},"timestamp":"2026-12-06T00:08:56Z","window":"15.012s",
          "containers":[{"name":"app","usage":{"cpu":"150000000n","memory":"8740Ki"}},{"name":"sidecar","usage":{"cpu":"2m","memory":"1Mi"}}]},
         {"metadata":{"name":"web-2","namespace":"ns","labels":{"app":"web"}},"timestamp":"2026-12-06T00:08:57Z","window":"20s",
          "containers":[{"name":"app","usage":{"cpu":"250m"}},{"name":"sidecar","usage":{"cpu":"1m"}}]}]}
        """;

    private WebApplication _server = null!;
    private Kubernetes _client = null!;
    private readonly ConcurrentQueue<string> _requests = new();
    private (int Code, string Body) _answer;

    [SetUp]
    public async Task SetUp()
    {
        _requests.Clear();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _server = builder.Build();
        _server.Run(async context =>
        {
            _requests.Enqueue(context.Request.Path + context.Request.QueryString);
            context.Response.StatusCode = _answer.Code;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(_answer.Body);
        });
        await _server.StartAsync();
        var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = address });
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task GetResourceMetric_SumsContainers_AndAsksByLabelSelector()
    {
        _answer = (200, TwoPods);

        var metrics = await new RestResourceMetricsClient(_client).GetResourceMetricAsync("cpu", "ns", "app=web,tier in (a,b)", "", CancellationToken.None);

        Assert.That(_requests.Single(), Is.EqualTo(Path + "?labelSelector=app%3Dweb%2Ctier%20in%20%28a%2Cb%29"));
        Assert.That(metrics.Pods["web-1"], Is.EqualTo(new PodMetric(new DateTimeOffset(2026, 12, 6, 0, 8, 56, TimeSpan.Zero), TimeSpan.FromMilliseconds(15012), 152)));
        Assert.That(metrics.Pods["web-2"].Value, Is.EqualTo(251));
        Assert.That(metrics.Timestamp, Is.EqualTo(new DateTimeOffset(2026, 12, 6, 0, 8, 56, TimeSpan.Zero)));
    }

    [Test]
    public async Task GetResourceMetric_PodWithAContainerLackingTheResource_IsLeftOut()
    {
        _answer = (200, TwoPods);

        var metrics = await new RestResourceMetricsClient(_client).GetResourceMetricAsync("memory", "ns", "app=web", "", CancellationToken.None);

        Assert.That(metrics.Pods.Keys, Is.EqualTo(new[] { "web-1" }));
        Assert.That(metrics.Pods["web-1"].Value, Is.EqualTo((8740L * 1024 + 1024 * 1024) * 1000));
    }

    [Test]
    public async Task GetResourceMetric_Container_TakesThatContainersUsage()
    {
        _answer = (200, TwoPods);

        var metrics = await new RestResourceMetricsClient(_client).GetResourceMetricAsync("cpu", "ns", "app=web", "sidecar", CancellationToken.None);

        Assert.That(metrics.Pods.ToDictionary(p => p.Key, p => p.Value.Value), Is.EqualTo(new Dictionary<string, long> { ["web-1"] = 2, ["web-2"] = 1 }));
    }

    [Test]
    public void GetResourceMetric_ContainerNotInAPod_IsUpstreamsError()
    {
        _answer = (200, TwoPods);

        var error = Assert.ThrowsAsync<AutoscalerException>(() => new RestResourceMetricsClient(_client).GetResourceMetricAsync("cpu", "ns", "app=web", "db", CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo("failed to get container metrics: container db not present in metrics for pod ns/web-1"));
    }

    [Test]
    public void GetResourceMetric_EmptyList_IsUpstreamsError()
    {
        _answer = (200, """{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[]}""");

        var error = Assert.ThrowsAsync<AutoscalerException>(() => new RestResourceMetricsClient(_client).GetResourceMetricAsync("cpu", "ns", "app=web", "", CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo("no metrics returned from resource metrics API"));
    }

    [Test]
    public void GetResourceMetric_ApiNotServed_IsUpstreamsErrorWithTheStatusMessage()
    {
        _answer = (404, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}""");

        var error = Assert.ThrowsAsync<AutoscalerException>(() => new RestResourceMetricsClient(_client).GetResourceMetricAsync("cpu", "ns", "app=web", "", CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo("unable to fetch metrics from resource metrics API: the server could not find the requested resource"));
    }
}
