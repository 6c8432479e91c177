using k8s;
using k8s.Autorest;
using k8s.Models;
using MiniKube.Controllers.PodAutoscaler;
using MiniKube.Controllers.Tests.Common;
using MiniKube.Testing;

namespace MiniKube.Controllers.Tests.PodAutoscaler;

/// <summary>
/// The scale client against the in-process API server: kinds mapped to resources through
/// discovery (a built-in StatefulSet, a custom resource with a scale subresource), the scale read
/// and written at /scale, and upstream's errors for an unknown kind and a bad apiVersion.
/// </summary>
[Category("Integration")]
public sealed class ScaleTargetsTests
{
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.Client();
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "ns" } });
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }

    [Test]
    public async Task StatefulSet_ScaleIsReadAndWritten()
    {
        await _client.AppsV1.CreateNamespacedStatefulSetAsync(new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "db" },
            Spec = new V1StatefulSetSpec
            {
                Replicas = 2,
                ServiceName = "db",
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "db" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "db" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "db", Image = "busybox" }] },
                },
            },
        }, "ns");
        var targets = new ScaleTargets(_client, TimeProvider.System);

        var scale = await targets.GetAsync(new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "StatefulSet", Name = "db" }, "ns", CancellationToken.None);
        await targets.UpdateAsync(scale, 5, CancellationToken.None);

        Assert.That(scale.Path, Is.EqualTo("apis/apps/v1/namespaces/ns/statefulsets/db/scale"));
        Assert.That((scale.Scale.Spec.Replicas, scale.Scale.Status.Selector), Is.EqualTo((2, "app=db")));
        Assert.That((await _client.AppsV1.ReadNamespacedStatefulSetAsync("db", "ns")).Spec.Replicas, Is.EqualTo(5));
    }

    [Test]
    public async Task CustomResourceWithScaleSubresource_ScaleIsReadAndWritten()
    {
        await ClusterHarness.CreateWidgetCrdAsync(_client, new V1CustomResourceSubresources
        {
            Scale = new V1CustomResourceSubresourceScale { SpecReplicasPath = ".spec.replicas", StatusReplicasPath = ".status.replicas", LabelSelectorPath = ".status.selector" },
        });
        var api = new MiniKube.Client.Dynamic.RawApi(_client);
        await EventuallyAsync(async () =>
        {
            try
            {
                await api.SendAsync(HttpMethod.Post, "apis/example.com/v1/namespaces/ns/widgets", """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"replicas":1}}""", CancellationToken.None);
                return true;
            }
            catch (HttpOperationException)
            {
                return false;
            }
        });
        var targets = new ScaleTargets(_client, TimeProvider.System);

        var scale = await targets.GetAsync(new V2CrossVersionObjectReference { ApiVersion = "example.com/v1", Kind = "Widget", Name = "w" }, "ns", CancellationToken.None);
        await targets.UpdateAsync(scale, 3, CancellationToken.None);

        Assert.That(scale.Scale.Spec.Replicas, Is.EqualTo(1));
        Assert.That(await api.SendAsync(HttpMethod.Get, "apis/example.com/v1/namespaces/ns/widgets/w", null, CancellationToken.None), Does.Contain("\"replicas\":3"));
    }

    [Test]
    public void UnknownKind_IsUpstreamsNoMatchError()
    {
        var targets = new ScaleTargets(_client, TimeProvider.System);

        var error = Assert.ThrowsAsync<AutoscalerException>(() => targets.GetAsync(new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Gadget", Name = "g" }, "ns", CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo("no matches for kind \"Gadget\" in group \"apps\""));
    }

    [Test]
    public void ApiVersionWithTwoSlashes_IsUpstreamsParseError()
    {
        var error = Assert.Throws<AutoscalerException>(() => ScaleTargets.GroupOf("apps/v1/extra"));

        Assert.That(error!.Message, Is.EqualTo("unexpected GroupVersion string: apps/v1/extra"));
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the custom resource was never served");
            await Task.Delay(100);
        }
    }
}
