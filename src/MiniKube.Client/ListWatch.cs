using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;

namespace MiniKube.Client;

/// <summary>Starts a watch: (resourceVersion, timeoutSeconds, onError, cancellationToken) → the event stream, as the generated WatchListXxxAsync methods take them.</summary>
public delegate IAsyncEnumerable<(WatchEventType Type, T Object)> WatchFunc<T>(string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken);

/// <summary>
/// An <see cref="IListWatch{T}"/> over one generated list method and its watch counterpart of
/// KubernetesClient; <see cref="KubeListWatches"/> has one for each kind we watch.
/// Watches ask for bookmarks and end after a random 5–10 minutes, as client-go's reflector does,
/// so many watchers do not reconnect at once.
/// </summary>
public sealed class ListWatch<T, TList>(Func<CancellationToken, Task<TList>> list, WatchFunc<T> watch) : IListWatch<T>
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IItems<T>, IMetadata<V1ListMeta>
{
    public async Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken)
    {
        var result = await list(cancellationToken);
        return ([.. result.Items], result.Metadata.ResourceVersion);
    }

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Exception? error = null;
        await foreach (var item in watch(resourceVersion, 300 + Random.Shared.Next(300), e => error = e, cancellationToken))
        {
            yield return item;
        }
        if (error is not null)
        {
            throw error;
        }
    }
}
