using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using MiniKube.Client;

namespace MiniKube.Agent.Kubelet;

/// <summary>The pods bound to one node, across namespaces (fieldSelector spec.nodeName=NODE), as kubelets watch them.</summary>
internal sealed class PodListWatch(IKubernetes client, string nodeName) : IListWatch<V1Pod>
{
    private readonly string _selector = "spec.nodeName=" + nodeName;

    public async Task<(IReadOnlyList<V1Pod> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken)
    {
        var list = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: _selector, cancellationToken: cancellationToken);
        return ([.. list.Items], list.Metadata.ResourceVersion);
    }

    public async IAsyncEnumerable<(WatchEventType Type, V1Pod Object)> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Exception? error = null;
        await foreach (var item in client.CoreV1.WatchListPodForAllNamespacesAsync(
            fieldSelector: _selector, resourceVersion: resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 + Random.Shared.Next(300),
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
