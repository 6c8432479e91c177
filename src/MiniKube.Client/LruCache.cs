using System.Diagnostics.CodeAnalysis;

namespace MiniKube.Client;

/// <summary>
/// A bounded map that forgets the least recently used entry when full (the groupcache LRU
/// client-go's event correlator keeps its state in). Every operation is O(1): a dictionary finds
/// an entry's node in a list ordered from most to least recently used. Not thread-safe; its
/// owner serializes access.
/// </summary>
public sealed class LruCache<TKey, TValue>
    where TKey : notnull
{
    private readonly int _capacity;
    // Not presized: most recorders' caches stay far below their capacity, and a process has dozens.
    private readonly Dictionary<TKey, LinkedListNode<Entry>> _nodes = [];
    private readonly LinkedList<Entry> _byRecency = new();

    public LruCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count => _nodes.Count;

    /// <summary>Finds <paramref name="key"/>'s value and marks it the most recently used.</summary>
    public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (!_nodes.TryGetValue(key, out var node))
        {
            value = default;
            return false;
        }
        MakeMostRecent(node);
        value = node.Value.Value;
        return true;
    }

    /// <summary>Adds or replaces <paramref name="key"/>'s value as the most recently used, forgetting the least recently used entry when full.</summary>
    public void Set(TKey key, TValue value)
    {
        if (_nodes.TryGetValue(key, out var node))
        {
            node.Value = new Entry(key, value);
            MakeMostRecent(node);
            return;
        }
        if (_nodes.Count == _capacity)
        {
            // Reuse the forgotten entry's node: a full cache allocates nothing per new key.
            node = _byRecency.Last!;
            _byRecency.RemoveLast();
            _nodes.Remove(node.Value.Key);
            node.Value = new Entry(key, value);
        }
        else
        {
            node = new LinkedListNode<Entry>(new Entry(key, value));
        }
        _byRecency.AddFirst(node);
        _nodes.Add(key, node);
    }

    private void MakeMostRecent(LinkedListNode<Entry> node)
    {
        if (node != _byRecency.First)
        {
            _byRecency.Remove(node);
            _byRecency.AddFirst(node);
        }
    }

    private readonly record struct Entry(TKey Key, TValue Value);
}
