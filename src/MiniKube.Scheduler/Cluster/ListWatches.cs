using System.Runtime.CompilerServices;
using k8s;

namespace MiniKube.Scheduler.Cluster;

/// <summary>
/// Every pod in the cluster: the scheduler needs the bound ones (to count what nodes hold) and the
/// unbound ones (to place them), like upstream's single pod informer split by spec.nodeName.
/// </summary>
internal sealed class AllPodsListWatch(IKubernetes client) : IListWatch<V1Pod>
{
    public async Task<(IReadOnlyList<V1Pod> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken)
    {
        var list = await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: cancellationToken);
        return ([.. list.Items], list.Metadata.ResourceVersion);
    }

    public async IAsyncEnumerable<(WatchEventType Type, V1Pod Object)> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Exception? error = null;
        await foreach (var item in client.CoreV1.WatchListPodForAllNamespacesAsync(
            resourceVersion: resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 + Random.Shared.Next(300),
            onError: e => error = e, cancellationToken: cancellationToken))
        {
            yield return item;
        }
        if (error is not null)
        {
            throw error;
        }
    }
}

/// <summary>Every node.</summary>
internal sealed class NodesListWatch(IKubernetes client) : IListWatch<V1Node>
{
    public async Task<(IReadOnlyList<V1Node> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken)
    {
        var list = await client.CoreV1.ListNodeAsync(cancellationToken: cancellationToken);
        return ([.. list.Items], list.Metadata.ResourceVersion);
    }

    public async IAsyncEnumerable<(WatchEventType Type, V1Node Object)> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Exception? error = null;
        await foreach (var item in client.CoreV1.WatchListNodeAsync(
            resourceVersion: resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 + Random.Shared.Next(300),
            onError: e => error = e, cancellationToken: cancellationToken))
        {
            yield return item;
        }
        if (error is not null)
        {
            throw error;
        }
    }
}
