using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniKube.Client;

namespace MiniKube.Controllers.Tests.Common;

/// <summary>
/// What a controller unit test runs on: a recording <see cref="FakeApi"/>, a fake clock, and
/// shared informers whose caches hold exactly the objects the test seeds (no watch events).
/// Seed every kind the controller asks for before constructing it, then <see cref="StartAsync"/>.
/// </summary>
internal sealed class UnitHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _informers = Task.CompletedTask;

    public UnitHarness(DateTimeOffset? now = null)
    {
        // A DELETE answers with the object (as the API does for pods), not FakeApi's Status, which typed delete calls cannot read.
        var answer = Api.Respond;
        Api.Respond = call => call.Method == "DELETE" ? (System.Net.HttpStatusCode.OK, "{}") : answer(call);
        Time = new FakeTimeProvider(now ?? new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));
        Informers = new SharedInformers(Api.Client, NullLoggerFactory.Instance, new SharedInformerOptions { Time = Time });
        Context = new ControllerContext(Api.Client, Informers, NullLoggerFactory.Instance, Time);
    }

    public FakeApi Api { get; } = new();

    public FakeTimeProvider Time { get; }

    public SharedInformers Informers { get; }

    public ControllerContext Context { get; }

    public UnitHarness Seed<T>(params T[] items)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Informers.For<T>(() => new StaticListWatch<T>(items));
        return this;
    }

    public async Task StartAsync()
    {
        _informers = Informers.RunAsync(_stop.Token);
        await Informers.WaitForCacheSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The write calls whose method and path start as given, e.g. ("POST", "/api/v1/namespaces/ns/pods").</summary>
    public IReadOnlyList<ApiCall> Writes(string method, string pathPrefix) =>
        [.. Api.Writes.Where(c => c.Method == method && c.Path.StartsWith(pathPrefix, StringComparison.Ordinal))];

    /// <summary>The bodies of those writes, decoded.</summary>
    public IReadOnlyList<T> Bodies<T>(string method, string pathPrefix) =>
        [.. Writes(method, pathPrefix).Select(c => KubernetesJson.Deserialize<T>(c.Body!))];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _informers.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        Api.Dispose();
    }

    /// <summary>A source that lists fixed objects and whose watch stays open with nothing to say.</summary>
    private sealed class StaticListWatch<T>(IReadOnlyList<T> items) : IListWatch<T>
        where T : IKubernetesObject<V1ObjectMeta>
    {
        public Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken) =>
            Task.FromResult((items, "1"));

        public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }
    }
}
