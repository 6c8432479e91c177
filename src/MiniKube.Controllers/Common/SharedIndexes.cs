using k8s.Models;

namespace MiniKube.Controllers.Common;

/// <summary>
/// Adds the indexes several controllers share (every informer is shared by the whole process,
/// and <see cref="ObjectCache{T}.AddIndex"/> refuses a name twice): the first controller to ask
/// adds it, the others reuse it. Use it instead of calling AddIndex for the names of
/// <see cref="CacheIndexes"/>.
/// </summary>
public static class SharedIndexes
{
    private static readonly Lock Gate = new();

    /// <summary>Objects by the UID of each of their owners (<see cref="CacheIndexes.ByOwnerUid"/>).</summary>
    public static void EnsureOwnerUid<T>(Informer<T> informer)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(informer);
        Ensure(informer.Cache, CacheIndexes.ByOwnerUid, obj => CacheIndexes.OwnerUidsOf(obj));
    }

    /// <summary>Pods by the node they are bound to (<see cref="CacheIndexes.PodsByNodeName"/>).</summary>
    public static void EnsurePodsByNodeName(Informer<V1Pod> pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        Ensure(pods.Cache, CacheIndexes.PodsByNodeName, CacheIndexes.NodeNameOf);
    }

    private static void Ensure<T>(ObjectCache<T> cache, string name, IndexFunc<T> indexer)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (Gate)
        {
            try
            {
                cache.AddIndex(name, indexer);
            }
            catch (InvalidOperationException)
            {
                // Already there: by convention every index named in CacheIndexes uses the function of the same name.
            }
        }
    }
}
