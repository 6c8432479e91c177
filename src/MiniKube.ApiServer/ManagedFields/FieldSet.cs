namespace MiniKube.ApiServer.ManagedFields;

/// <summary>
/// A set of field paths as a tree (structured-merge-diff fieldpath/set.go): at each level the
/// elements that are members (the path itself is in the set) and the elements with a child set
/// (longer paths go through them). An element may be both; its FieldsV1 object then carries
/// <c>".":{}</c>. Child sets are never empty once an operation has returned. Set operations
/// return new sets and never change their inputs, but may share subtrees with them: only sets
/// built fresh (new, <see cref="Copy"/>) are changed, by Insert and AddAll.
/// </summary>
public sealed class FieldSet
{
    private readonly Dictionary<PathElement, Node> _nodes;

    public FieldSet() => _nodes = [];

    private FieldSet(int capacity) => _nodes = new Dictionary<PathElement, Node>(capacity);

    private struct Node
    {
        public bool Member;
        public FieldSet? Children;
    }

    public bool IsEmpty => _nodes.Count == 0;

    /// <summary>Adds one path; an empty path is ignored, as upstream's Insert does.</summary>
    public void Insert(ReadOnlySpan<PathElement> path)
    {
        if (path.IsEmpty)
        {
            return;
        }
        var set = this;
        for (var i = 0; ; i++)
        {
            ref var node = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(set._nodes, path[i], out _);
            if (i == path.Length - 1)
            {
                node.Member = true;
                return;
            }
            node.Children ??= new FieldSet();
            set = node.Children;
        }
    }

    public void Insert(params PathElement[] path) => Insert(path.AsSpan());

    /// <summary>True when the exact path is a member.</summary>
    public bool Has(ReadOnlySpan<PathElement> path)
    {
        var set = this;
        for (var i = 0; i < path.Length; i++)
        {
            if (!set._nodes.TryGetValue(path[i], out var node))
            {
                return false;
            }
            if (i == path.Length - 1)
            {
                return node.Member;
            }
            if (node.Children is null)
            {
                return false;
            }
            set = node.Children;
        }
        return false;
    }

    /// <summary>The child set under <paramref name="element"/>, or null.</summary>
    public FieldSet? Child(PathElement element) => _nodes.TryGetValue(element, out var node) ? node.Children : null;

    /// <summary>True when <paramref name="element"/> is a member at this level.</summary>
    public bool IsMember(PathElement element) => _nodes.TryGetValue(element, out var node) && node.Member;

    /// <summary>The elements of this level with their membership and child set, in upstream's order.</summary>
    public IEnumerable<(PathElement Element, bool Member, FieldSet? Children)> Entries() =>
        Ordered().Select(n => (n.Key, n.Value.Member, n.Value.Children));

    private KeyValuePair<PathElement, Node>[] Ordered()
    {
        var nodes = _nodes.ToArray();
        if (nodes.Length > 1)
        {
            Array.Sort(nodes, static (a, b) => a.Key.CompareTo(b.Key));
        }
        return nodes;
    }

    public FieldSet Union(FieldSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var result = Copy();
        result.AddAll(other);
        return result;
    }

    /// <summary>Adds every path of <paramref name="other"/> to this set.</summary>
    public void AddAll(FieldSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (element, node) in other._nodes)
        {
            ref var mine = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_nodes, element, out _);
            mine.Member |= node.Member;
            if (node.Children is not null)
            {
                mine.Children ??= new FieldSet();
                mine.Children.AddAll(node.Children);
            }
        }
    }

    /// <summary>The paths of this set that are not in <paramref name="other"/> (not recursive: a member there does not remove paths below it here).</summary>
    public FieldSet Difference(FieldSet other) => Combine(other, keepUnmatched: true, static (mine, theirs) => new Node
    {
        Member = mine.Member && !theirs.Member,
        Children = theirs.Children is null ? mine.Children : mine.Children?.Difference(theirs.Children),
    });

    public FieldSet Intersection(FieldSet other) => Combine(other, keepUnmatched: false, static (mine, theirs) => new Node
    {
        Member = mine.Member && theirs.Member,
        Children = theirs.Children is null ? null : mine.Children?.Intersection(theirs.Children),
    });

    /// <summary>
    /// The paths of this set that do not start with a member of <paramref name="prefixes"/>
    /// (fieldpath Set.RecursiveDifference, used for the fields a strategy resets).
    /// </summary>
    public FieldSet RecursiveDifference(FieldSet prefixes) => Combine(prefixes, keepUnmatched: true, static (mine, theirs) => theirs.Member ? default : new Node
    {
        Member = mine.Member,
        Children = theirs.Children is null ? mine.Children : mine.Children?.RecursiveDifference(theirs.Children),
    });

    // Walks this set's elements against other's: unmatched ones are copied or dropped, matched
    // ones combined; elements left with neither membership nor children are dropped.
    private FieldSet Combine(FieldSet other, bool keepUnmatched, Func<Node, Node, Node> combine)
    {
        ArgumentNullException.ThrowIfNull(other);
        var result = new FieldSet(_nodes.Count);
        foreach (var (element, node) in _nodes)
        {
            if (!other._nodes.TryGetValue(element, out var theirs))
            {
                if (keepUnmatched)
                {
                    result._nodes[element] = node;
                }
                continue;
            }
            var kept = combine(node, theirs);
            if (kept.Children is { IsEmpty: true })
            {
                kept.Children = null;
            }
            if (kept.Member || kept.Children is not null)
            {
                result._nodes[element] = kept;
            }
        }
        return result;
    }

    /// <summary>Every member path, members of a level before the paths below it, each level in order.</summary>
    public IEnumerable<PathElement[]> Paths() => Paths([]);

    private IEnumerable<PathElement[]> Paths(PathElement[] prefix)
    {
        var ordered = Ordered();
        foreach (var (element, node) in ordered)
        {
            if (node.Member)
            {
                yield return [.. prefix, element];
            }
        }
        foreach (var (element, node) in ordered)
        {
            if (node.Children is not null)
            {
                foreach (var path in node.Children.Paths([.. prefix, element]))
                {
                    yield return path;
                }
            }
        }
    }

    public FieldSet Copy()
    {
        var copy = new FieldSet(_nodes.Count);
        foreach (var (element, node) in _nodes)
        {
            copy._nodes[element] = Clone(node);
        }
        return copy;
    }

    private static Node Clone(Node node) => new() { Member = node.Member, Children = node.Children?.Copy() };

    /// <summary>The FieldsV1 form (fieldpath/serialize.go): keys in upstream's order, <c>".":{}</c> first where an element is also a member.</summary>
    public JsonObject ToFieldsV1()
    {
        var json = new JsonObject();
        Write(json, includeSelf: false);
        return json;
    }

    private void Write(JsonObject json, bool includeSelf)
    {
        if (includeSelf)
        {
            json["."] = new JsonObject();
        }
        foreach (var (element, node) in Ordered())
        {
            if (node.Children is null)
            {
                json[element.Text] = new JsonObject();
                continue;
            }
            var child = new JsonObject();
            node.Children.Write(child, node.Member);
            json[element.Text] = child;
        }
    }

    /// <summary>Reads FieldsV1 JSON; <c>".":{}</c> makes the enclosing element a member.</summary>
    /// <exception cref="FormatException">Not a FieldsV1 object, or a key upstream could not have written.</exception>
    public static FieldSet FromFieldsV1(JsonNode? json)
    {
        if (json is not JsonObject map)
        {
            throw new FormatException("FieldsV1 must be a JSON object");
        }
        var set = new FieldSet();
        set.Read(map);
        return set;
    }

    private void Read(JsonObject map)
    {
        foreach (var (key, value) in map)
        {
            if (key == ".")
            {
                continue;
            }
            if (value is not JsonObject child)
            {
                throw new FormatException($"FieldsV1 value of \"{key}\" must be an object");
            }
            var element = PathElement.Parse(key);
            var node = new Node();
            if (child.Count == 0 || child.ContainsKey("."))
            {
                node.Member = true;
            }
            if (child.Count > (child.ContainsKey(".") ? 1 : 0))
            {
                node.Children = new FieldSet();
                node.Children.Read(child);
            }
            _nodes[element] = node;
        }
    }
}
