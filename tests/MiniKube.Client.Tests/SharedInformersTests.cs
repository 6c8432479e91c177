using MiniKube.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace MiniKube.Client.Tests;

/// <summary>The shared informers over a real in-process API server.</summary>
[TestFixture]
[Category("Integration")]
public sealed class SharedInformersTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private TestApiServer _server = null!;
    private Kubernetes _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.Client();
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }

    [Test]
    public async Task RunAsync_OneInformerPerKind_ListsWatchesAndStartsLateInformers()
    {
        var informers = new SharedInformers(_client, NullLoggerFactory.Instance);
        var pods = informers.Pods;
        Assert.That(informers.For(KubeListWatches.Pods), Is.SameAs(pods));
        var added = new TaskCompletionSource<V1Pod>(TaskCreationOptions.RunContinuationsAsynchronously);
        pods.AddHandler(change =>
        {
            if (change.IsAdd)
            {
                added.TrySetResult(change.New!);
            }
        });

        using var stop = new CancellationTokenSource();
        var run = informers.RunAsync(stop.Token);
        await informers.WaitForCacheSyncAsync(stop.Token).WaitAsync(Timeout);
        await _client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p1" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
        }, "default");
        var pod = await added.Task.WaitAsync(Timeout);
        Assert.That(ObjectKeys.Of(pod), Is.EqualTo("default/p1"));

        // Asked for while running: starts at once.
        var namespaces = informers.Namespaces;
        await informers.WaitForCacheSyncAsync(stop.Token).WaitAsync(Timeout);
        Assert.That(namespaces.Cache.Get("kube-system"), Is.Not.Null);

        await stop.CancelAsync();
        await run.WaitAsync(Timeout);
    }
}

/// <summary><see cref="SharedInformers.RunWithAsync"/> over a list+watch the test drives.</summary>
[TestFixture]
public sealed class SharedInformersRunWithTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private Kubernetes _client = null!;

    [SetUp]
    public void SetUp() => _client = new Kubernetes(new KubernetesClientConfiguration { Host = "http://fake.invalid" });

    [TearDown]
    public void TearDown() => _client.Dispose();

    [Test]
    public async Task RunWithAsync_CachesSynced_RunsTheWorkUntilCancelled()
    {
        var informers = new SharedInformers(_client, NullLoggerFactory.Instance);
        var source = new FakeListWatch<V1Pod> { Items = [new V1Pod { Metadata = new V1ObjectMeta { Name = "p1", NamespaceProperty = "default" } }] };
        var pods = informers.For(() => source);
        var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        using var stop = new CancellationTokenSource();
        var run = informers.RunWithAsync(async token =>
        {
            started.TrySetResult(pods.List().Count);
            await Task.Delay(System.Threading.Timeout.Infinite, token);
        }, stop.Token);

        Assert.That(await started.Task.WaitAsync(Timeout), Is.EqualTo(1), "the work starts only once the first list is cached");
        await stop.CancelAsync();
        Assert.That(async () => await run.WaitAsync(Timeout), Throws.Nothing);
    }

    [Test]
    public void RunWithAsync_WorkFails_StopsTheInformersAndThrows()
    {
        var informers = new SharedInformers(_client, NullLoggerFactory.Instance);
        informers.For(() => new FakeListWatch<V1Pod>());

        Assert.That(async () => await informers.RunWithAsync(_ => throw new InvalidOperationException("broken"), CancellationToken.None).WaitAsync(Timeout),
            Throws.InvalidOperationException.With.Message.EqualTo("broken"));
    }
}
