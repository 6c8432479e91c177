using k8s;
using k8s.Models;

namespace MiniKube.Client;

/// <summary>Index values of one object for a named index (e.g. a pod's node name, its owners' UIDs); empty when it has none.</summary>
public delegate IEnumerable<string> IndexFunc<in T>(T obj);

/// <summary>
/// An informer's local copy of one kind, keyed by <see cref="ObjectKeys"/>, with secondary
/// indexes (client-go tools/cache thread_safe_store.go + index.go; its read side is the lister).
/// Only the owning informer writes; any thread may read. Objects returned are the cached
/// instances, shared by every reader in the process: never mutate one — <see cref="ObjectCopy.Clone{T}"/> it first.
/// </summary>
public sealed class ObjectCache<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The built-in index of namespaced objects by namespace.</summary>
    public const string NamespaceIndex = "namespace";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IndexFunc<T>> _indexers = new(StringComparer.Ordinal);

    // index name → index value → keys of the objects with that value.
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _indices = new(StringComparer.Ordinal);

    public ObjectCache() => AddIndex(NamespaceIndex, NamespaceOf);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (_gate)
            {
                return [.. _items.Keys];
            }
        }
    }

    /// <summary>Adds an index (e.g. pods by <c>spec.nodeName</c>); objects already cached are indexed at once. Names are unique.</summary>
    public void AddIndex(string name, IndexFunc<T> indexer)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(indexer);
        lock (_gate)
        {
            if (!_indexers.TryAdd(name, indexer))
            {
                throw new InvalidOperationException($"index \"{name}\" already exists");
            }
            var index = _indices[name] = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var (key, obj) in _items)
            {
                AddToIndex(index, indexer, key, obj);
            }
        }
    }

    public T? Get(string key)
    {
        lock (_gate)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    public T? Get(string? namespaceName, string name) => Get(ObjectKeys.Of(namespaceName, name));

    public T? Get(MiniKube.Api.NamespacedName name) => Get(name.Namespace, name.Name);

    public IReadOnlyList<T> List()
    {
        lock (_gate)
        {
            return [.. _items.Values];
        }
    }

    public IReadOnlyList<T> List(LabelSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        lock (_gate)
        {
            return [.. _items.Values.Where(selector.Matches)];
        }
    }

    /// <summary>The objects of one namespace, optionally filtered by a selector (the namespace lister).</summary>
    public IReadOnlyList<T> ListNamespace(string namespaceName, LabelSelector? selector = null)
    {
        var items = ByIndex(NamespaceIndex, namespaceName);
        return selector is null || selector.IsEverything ? items : [.. items.Where(selector.Matches)];
    }

    /// <summary>The objects whose index <paramref name="indexName"/> has <paramref name="value"/>.</summary>
    public IReadOnlyList<T> ByIndex(string indexName, string value)
    {
        lock (_gate)
        {
            if (!_indices.TryGetValue(indexName, out var index))
            {
                throw new InvalidOperationException($"index \"{indexName}\" does not exist");
            }
            return index.TryGetValue(value, out var keys) ? [.. keys.Select(k => _items[k])] : [];
        }
    }

    /// <summary>Stores <paramref name="obj"/> and returns the object it replaced.</summary>
    internal T? Upsert(string key, T obj)
    {
        lock (_gate)
        {
            var old = _items.GetValueOrDefault(key);
            if (old is not null)
            {
                RemoveFromIndices(key, old);
            }
            _items[key] = obj;
            foreach (var (name, indexer) in _indexers)
            {
                AddToIndex(_indices[name], indexer, key, obj);
            }
            return old;
        }
    }

    /// <summary>Removes the object at <paramref name="key"/> and returns it, or null when there was none.</summary>
    internal T? Remove(string key)
    {
        lock (_gate)
        {
            if (!_items.Remove(key, out var old))
            {
                return null;
            }
            RemoveFromIndices(key, old);
            return old;
        }
    }

    private static IEnumerable<string> NamespaceOf(T obj) =>
        obj.Metadata.NamespaceProperty is { Length: > 0 } ns ? [ns] : [];

    private static void AddToIndex(Dictionary<string, HashSet<string>> index, IndexFunc<T> indexer, string key, T obj)
    {
        foreach (var value in indexer(obj))
        {
            if (!index.TryGetValue(value, out var keys))
            {
                index[value] = keys = new HashSet<string>(StringComparer.Ordinal);
            }
            keys.Add(key);
        }
    }

    private void RemoveFromIndices(string key, T old)
    {
        foreach (var (name, indexer) in _indexers)
        {
            var index = _indices[name];
            foreach (var value in indexer(old))
            {
                if (index.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0)
                {
                    index.Remove(value);
                }
            }
        }
    }
}
