using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Client;

namespace MiniKube.Controllers.Tests;

/// <summary>A list+watch that lists the objects it was given and then watches nothing, until cancelled.</summary>
internal sealed class FixedListWatch<T>(IReadOnlyList<T> items) : IListWatch<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    public Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult((items, "1"));

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }
}

/// <summary>
/// A controller's world for a unit test: shared informers whose caches hold fixed objects, a
/// <see cref="FakeApi"/> that records what the controller writes, and the context to build the
/// controller from. Give every kind the controller watches (<see cref="With{T}"/>, possibly
/// empty) before <see cref="StartAsync"/>, then call the controller's sync and read
/// <see cref="FakeApi.Writes"/>.
/// </summary>
internal sealed class FixedInformers : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    public FixedInformers(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        Informers = new SharedInformers(Api.Client, NullLoggerFactory.Instance, new SharedInformerOptions { Time = Time });
        Context = new ControllerContext(Api.Client, Informers, NullLoggerFactory.Instance, Time);
    }

    public FakeApi Api { get; } = new();

    public TimeProvider Time { get; }

    public SharedInformers Informers { get; }

    public ControllerContext Context { get; }

    public FixedInformers With<T>(params T[] items)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Informers.For(() => new FixedListWatch<T>(items));
        return this;
    }

    /// <summary>Runs the informers and waits for their first lists, then forgets the calls made so far.</summary>
    public async Task StartAsync()
    {
        _running = Informers.RunAsync(_stop.Token);
        await Informers.WaitForCacheSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Api.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
        Api.Dispose();
    }
}
