using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniKube.Client;

namespace MiniKube.Controllers.Tests.ReplicaSet;

/// <summary>
/// A controller's world for unit tests: shared informers whose caches hold exactly the objects a
/// test seeds (lists that never change, watches that stay quiet), a recording <see cref="FakeApi"/>
/// for every write, and a fake clock. Seed every kind the controller watches before building it.
/// </summary>
internal sealed class ControllerHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _informers = Task.CompletedTask;

    public ControllerHarness()
    {
        // Deletes answer with an empty object, which every client method's return type can read.
        Api.Respond = call => call.Method switch
        {
            "GET" => (System.Net.HttpStatusCode.NotFound, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"""),
            "DELETE" => (System.Net.HttpStatusCode.OK, "{}"),
            _ => (System.Net.HttpStatusCode.OK, call.Body ?? "{}"),
        };
        Informers = new SharedInformers(Api.Client, NullLoggerFactory.Instance, new SharedInformerOptions { Time = Time });
        Context = new ControllerContext(Api.Client, Informers, NullLoggerFactory.Instance, Time);
    }

    public FakeApi Api { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public SharedInformers Informers { get; }

    public ControllerContext Context { get; }

    /// <summary>What the informer of <typeparamref name="T"/> will list.</summary>
    public void Seed<T>(params T[] items)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        Informers.For(() => new FixedListWatch<T>(items));

    /// <summary>Starts the informers and waits until every cache holds its seed.</summary>
    public async Task StartAsync()
    {
        _informers = Informers.RunAsync(_stop.Token);
        await Informers.WaitForCacheSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The writes the API saw, as "VERB path" without the query.</summary>
    public IReadOnlyList<string> Writes() => [.. Api.Writes.Select(c => $"{c.Method} {c.Path.Split('?')[0]}")];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _informers.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        Api.Dispose();
    }

    private sealed class FixedListWatch<T>(IReadOnlyList<T> items) : IListWatch<T>
        where T : IKubernetesObject<V1ObjectMeta>
    {
        public Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken) => Task.FromResult((items, "1"));

        public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }
    }
}
