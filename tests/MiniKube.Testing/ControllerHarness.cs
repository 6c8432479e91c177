using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniKube.Client;
using MiniKube.Client.Controllers;

namespace MiniKube.Testing;

/// <summary>
/// A controller's world for a unit test: shared informers whose caches hold exactly the objects
/// the test seeds (lists that never change, watches that stay quiet), a <see cref="FakeApi"/>
/// that records every call the controller makes, a clock, and the <see cref="ControllerContext"/>
/// to build the controller from. Seed every kind the controller watches (<see cref="Seed{T}"/>,
/// possibly empty) before building it, then <see cref="StartAsync"/>, call its sync and read
/// <see cref="FakeApi.Writes"/>. Deletes answer with an empty object, which every typed delete
/// call can read (the API returns the deleted object for most kinds).
/// </summary>
public sealed class ControllerHarness : IAsyncDisposable
{
    /// <summary>The fake clock's start when a test gives none.</summary>
    public static readonly DateTimeOffset DefaultNow = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource _stop = new();
    private Task _informers = Task.CompletedTask;

    /// <param name="now">Where the fake clock starts; <see cref="DefaultNow"/> when null.</param>
    public ControllerHarness(DateTimeOffset? now = null)
        : this(new FakeTimeProvider(now ?? DefaultNow))
    {
    }

    public ControllerHarness(FakeTimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var answer = Api.Respond;
        Api.Respond = call => call.Method == "DELETE" ? (System.Net.HttpStatusCode.OK, "{}") : answer(call);
        Time = time;
        Informers = new SharedInformers(Api.Client, NullLoggerFactory.Instance, new SharedInformerOptions { Time = Time });
        Context = new ControllerContext(Api.Client, Informers, NullLoggerFactory.Instance, Time);
    }

    public FakeApi Api { get; } = new();

    public FakeTimeProvider Time { get; }

    public SharedInformers Informers { get; }

    public ControllerContext Context { get; }

    /// <summary>What the informer of <typeparamref name="T"/> lists.</summary>
    public ControllerHarness Seed<T>(params T[] items)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Informers.For(() => new FixedListWatch<T>(items));
        return this;
    }

    /// <summary>Runs the informers, waits until every cache holds its seed, then forgets the calls made so far.</summary>
    public async Task StartAsync()
    {
        _informers = Informers.RunAsync(_stop.Token);
        await Informers.WaitForCacheSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Api.Clear();
    }

    /// <summary>The writes whose method and path start as given, e.g. ("POST", "/api/v1/namespaces/ns/pods").</summary>
    public IReadOnlyList<ApiCall> Writes(string method, string pathPrefix) =>
        [.. Api.Writes.Where(c => c.Method == method && c.Path.StartsWith(pathPrefix, StringComparison.Ordinal))];

    /// <summary>The bodies of those writes, decoded.</summary>
    public IReadOnlyList<T> Bodies<T>(string method, string pathPrefix) =>
        [.. Writes(method, pathPrefix).Select(c => KubernetesJson.Deserialize<T>(c.Body!))];

    /// <summary>Every write as "VERB path", without the query.</summary>
    public IReadOnlyList<string> WriteLines() => [.. Api.Writes.Select(c => $"{c.Method} {c.Path.Split('?')[0]}")];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _informers.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        Api.Dispose();
    }

    /// <summary>Lists the objects it was given, then watches nothing until cancelled.</summary>
    private sealed class FixedListWatch<T>(IReadOnlyList<T> items) : IListWatch<T>
        where T : IKubernetesObject<V1ObjectMeta>
    {
        public Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken) =>
            Task.FromResult<(IReadOnlyList<T>, string)>(([.. items], "1"));

        public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }
    }
}
