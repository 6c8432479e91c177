using k8s;
using k8s.Models;

namespace MiniKube.Client;

/// <summary>How an informer lists (returning the list's resourceVersion) and watches one kind.</summary>
/// <typeparam name="T">The k8s.Models kind.</typeparam>
public interface IListWatch<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Changes after <paramref name="resourceVersion"/>; ends when the server closes the stream,
    /// throws <see cref="KubernetesException"/> on an ERROR event (410: re-list).
    /// </summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, CancellationToken cancellationToken);
}

/// <summary>One add, update or delete an informer saw, or a periodic resync of one object.</summary>
/// <param name="Key">The object's <see cref="ObjectKeys"/> key.</param>
/// <param name="Old">The cached object before the change; null when it was added. On a delete, the final state the server sent (or the last cached state when a re-list found it gone).</param>
/// <param name="New">The object after the change; null when it was deleted. On a resync, the same instance as <paramref name="Old"/>.</param>
public readonly record struct ObjectChange<T>(string Key, T? Old, T? New)
    where T : class
{
    /// <summary><see cref="Key"/> as a typed name, the key controllers queue.</summary>
    public MiniKube.Api.NamespacedName Name => MiniKube.Api.NamespacedName.Parse(Key);

    public bool IsAdd => Old is null && New is not null;

    public bool IsDelete => New is null;

    /// <summary>A periodic resync re-delivers the cached object as an update with nothing changed (client-go's OnUpdate(obj, obj)).</summary>
    public bool IsResync => Old is not null && ReferenceEquals(Old, New);

    /// <summary>The object as it is now, or as it was last when it is gone.</summary>
    public T Latest => New ?? Old!;
}
