namespace MiniKube.ApiServer.ManagedFields;

/// <summary>An object that does not fit its shape (an associative list item without its keys): upstream's typed-value errors.</summary>
public sealed class FieldShapeException(string message) : Exception(message);

/// <summary>Added, modified and removed paths between two objects (structured-merge-diff typed/compare.go).</summary>
public sealed record Comparison(FieldSet Added, FieldSet Modified, FieldSet Removed);

/// <summary>
/// The walks of structured-merge-diff's typed package over JSON: the field set an object names
/// (tofieldset.go), the comparison of two objects (compare.go), the merge of an applied
/// configuration into a live object (merge.go) and the removal of pruned paths (remove.go).
/// Each walk visits every node once; list items are indexed by their path element in a dictionary.
/// </summary>
public static class TypedWalk
{
    /// <summary>The paths <paramref name="value"/> names: leaves, list items, empty and null fields, map keys.</summary>
    public static FieldSet ToFieldSet(JsonNode? value, IFieldShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var walk = new Walk();
        walk.ToFieldSet(value, shape);
        return walk.Set;
    }

    /// <summary>Compares <paramref name="live"/> (null: absent) with <paramref name="updated"/>.</summary>
    public static Comparison Compare(JsonNode? live, JsonNode? updated, IFieldShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var walk = new Walk();
        var comparison = new Comparison(new FieldSet(), new FieldSet(), new FieldSet());
        walk.Compare(live, live is not null, updated, updated is not null, shape, comparison);
        return comparison;
    }

    /// <summary>
    /// Merges <paramref name="config"/> into <paramref name="live"/>, which is changed in place
    /// (pass a private copy): the configuration wins every leaf, maps and keyed lists merge,
    /// atomic values are replaced, a null removes the field. The configuration is not changed.
    /// </summary>
    public static JsonObject Merge(JsonObject live, JsonObject config, IFieldShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return (JsonObject)MergeNode(live, true, config, shape)!;
    }

    /// <summary>
    /// Removes from <paramref name="obj"/> every member of <paramref name="candidates"/> below
    /// which <paramref name="keep"/> owns nothing; a member with owned paths below it stays and
    /// only its candidate children are considered (merge/update.go prune with addBackOwnedItems).
    /// </summary>
    public static void Remove(JsonNode? obj, FieldSet candidates, FieldSet? keep, IFieldShape shape)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(shape);
        foreach (var (element, member, children) in candidates.Entries())
        {
            var keptBelow = keep?.Child(element);
            if (member && keptBelow is null)
            {
                RemoveChild(obj, element, shape);
            }
            else if (children is not null && FindChild(obj, element, shape) is { } child)
            {
                Remove(child, children, keptBelow, ChildShape(shape, element));
            }
        }
    }

    /// <summary>
    /// The set plus every named struct field on its paths as a member (fieldpath
    /// EnsureNamedFieldsAreMembers): owning <c>.spec.replicas</c> then also owns <c>.spec</c>, but a map key's parent map is not owned.
    /// </summary>
    public static FieldSet EnsureNamedFieldsAreMembers(FieldSet set, IFieldShape shape)
    {
        ArgumentNullException.ThrowIfNull(set);
        var result = set.Copy();
        var path = new List<PathElement>();
        AddNamed(set, shape, path, result);
        return result;
    }

    private static void AddNamed(FieldSet set, IFieldShape shape, List<PathElement> path, FieldSet result)
    {
        foreach (var (element, _, children) in set.Entries())
        {
            if (children is null)
            {
                continue;
            }
            path.Add(element);
            if (element.Kind == PathElementKind.Field && shape.Kind == ShapeKind.Struct && shape.Field(element.Name!) is not null)
            {
                result.Insert(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(path));
            }
            AddNamed(children, ChildShape(shape, element), path, result);
            path.RemoveAt(path.Count - 1);
        }
    }

    /// <summary>The path element of a list item: its key fields (defaults filled in) or, in a set, its value.</summary>
    public static PathElement ItemElement(JsonNode? item, IFieldShape list, int index)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (list.Kind == ShapeKind.SetList)
        {
            return PathElement.SetValue(item);
        }
        if (item is not JsonObject map)
        {
            throw new FieldShapeException($"element {index}: associative list with keys has an element that is not a map type");
        }
        var fields = new List<KeyValuePair<string, JsonNode?>>(list.Keys.Count);
        foreach (var key in list.Keys)
        {
            var value = map[key] ?? list.KeyDefault(key)
                ?? throw new FieldShapeException($"element {index}: associative list with keys has an element that omits key field \"{key}\" (and doesn't have default value)");
            fields.Add(KeyValuePair.Create(key, (JsonNode?)value));
        }
        return PathElement.Key(fields);
    }

    private static IFieldShape ChildShape(IFieldShape shape, PathElement element) =>
        (element.Kind == PathElementKind.Field ? shape.Field(element.Name!) : shape.Items) ?? DeducedShape.Instance;

    private static ShapeKind KindOf(IFieldShape shape, JsonNode? value) =>
        shape.Kind == ShapeKind.Deduced ? (value is JsonObject ? ShapeKind.Map : ShapeKind.Atomic) : shape.Kind;

    private static bool IsMapKind(ShapeKind kind) => kind is ShapeKind.Struct or ShapeKind.Map;

    private static bool IsListKind(ShapeKind kind) => kind is ShapeKind.KeyedList or ShapeKind.SetList;

    private static JsonNode? FindChild(JsonNode? node, PathElement element, IFieldShape shape)
    {
        switch (node)
        {
            case JsonObject map when element.Kind == PathElementKind.Field:
                return map[element.Name!];
            case JsonArray list when element.Kind == PathElementKind.Index:
                return element.Index < list.Count ? list[element.Index] : null;
            case JsonArray list when IsListKind(shape.Kind):
                for (var i = 0; i < list.Count; i++)
                {
                    if (ItemElement(list[i], shape, i) == element)
                    {
                        return list[i];
                    }
                }
                return null;
            default:
                return null;
        }
    }

    private static void RemoveChild(JsonNode? node, PathElement element, IFieldShape shape)
    {
        switch (node)
        {
            case JsonObject map when element.Kind == PathElementKind.Field:
                map.Remove(element.Name!);
                break;
            case JsonArray list when element.Kind == PathElementKind.Index:
                if (element.Index < list.Count)
                {
                    list.RemoveAt(element.Index);
                }
                break;
            case JsonArray list when IsListKind(shape.Kind):
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    if (ItemElement(list[i], shape, i) == element)
                    {
                        list.RemoveAt(i);
                    }
                }
                break;
        }
    }

    private static JsonNode? MergeNode(JsonNode? live, bool hasLive, JsonNode? config, IFieldShape shape)
    {
        var kind = KindOf(shape, config);
        if (IsMapKind(kind) && config is JsonObject configMap && (!hasLive || live is null || live is JsonObject))
        {
            var liveMap = live as JsonObject;
            if ((liveMap is null || liveMap.Count == 0) && configMap.Count == 0)
            {
                return new JsonObject();
            }
            var result = liveMap ?? new JsonObject();
            foreach (var (key, value) in configMap)
            {
                if (value is null)
                {
                    result.Remove(key);
                    continue;
                }
                var fieldShape = shape.Field(key) ?? DeducedShape.Instance;
                var had = result.TryGetPropertyValue(key, out var current);
                var merged = MergeNode(current, had, value, fieldShape);
                if (!ReferenceEquals(merged, current))
                {
                    result[key] = merged;
                }
            }
            return result;
        }
        if (IsListKind(kind) && config is JsonArray configList && (!hasLive || live is null || live is JsonArray))
        {
            return MergeList(live as JsonArray, configList, shape);
        }
        return config?.DeepClone();
    }

    // merge.go visitListItems: live-only items stay where they are, shared items follow the
    // configuration's order, and configuration-only items come where the configuration has them.
    private static JsonArray MergeList(JsonArray? live, JsonArray config, IFieldShape shape)
    {
        var itemShape = shape.Items ?? DeducedShape.Instance;
        var liveItems = new List<(PathElement Element, JsonNode? Node)>(live?.Count ?? 0);
        var liveIndex = new Dictionary<PathElement, JsonNode?>();
        if (live is not null)
        {
            for (var i = 0; i < live.Count; i++)
            {
                var element = ItemElement(live[i], shape, i);
                if (liveIndex.TryAdd(element, live[i]))
                {
                    liveItems.Add((element, live[i]));
                }
            }
            live.Clear();
        }
        var configIndex = new Dictionary<PathElement, JsonNode?>();
        var configItems = new List<PathElement>(config.Count);
        for (var i = 0; i < config.Count; i++)
        {
            var element = ItemElement(config[i], shape, i);
            if (configIndex.TryAdd(element, config[i]))
            {
                configItems.Add(element);
            }
        }
        var shared = new Queue<PathElement>(configItems.Where(liveIndex.ContainsKey));
        PathElement? nextShared = shared.Count > 0 ? shared.Dequeue() : null;
        var emitted = new HashSet<PathElement>();
        var output = live ?? [];
        for (int l = 0, r = 0; l < liveItems.Count || r < configItems.Count;)
        {
            if (l < liveItems.Count && r < configItems.Count)
            {
                var element = liveItems[l].Element;
                if (element == configItems[r])
                {
                    emitted.Add(element);
                    output.Add(MergeNode(liveItems[l].Node, true, configIndex[element], itemShape));
                    l++;
                    r++;
                    nextShared = shared.Count > 0 ? shared.Dequeue() : null;
                    continue;
                }
                if (configIndex.ContainsKey(element) && nextShared is { } next && next != element)
                {
                    l++;
                    continue;
                }
            }
            if (l < liveItems.Count)
            {
                var element = liveItems[l].Element;
                if (!configIndex.ContainsKey(element))
                {
                    output.Add(liveItems[l].Node);
                    l++;
                    continue;
                }
                if (emitted.Contains(element))
                {
                    l++;
                }
            }
            if (r < configItems.Count)
            {
                var element = configItems[r];
                emitted.Add(element);
                var had = liveIndex.TryGetValue(element, out var current);
                output.Add(MergeNode(current, had, configIndex[element], itemShape));
                r++;
            }
        }
        return output;
    }

    /// <summary>One walk's state: the path so far, reused across the recursion.</summary>
    private sealed class Walk
    {
        private readonly List<PathElement> _path = new(16);

        public FieldSet Set { get; } = new();

        private ReadOnlySpan<PathElement> Path => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_path);

        public void ToFieldSet(JsonNode? value, IFieldShape shape)
        {
            var kind = KindOf(shape, value);
            if (IsMapKind(kind) && value is JsonObject map)
            {
                foreach (var (key, child) in map)
                {
                    var named = kind == ShapeKind.Struct ? shape.Field(key) : null;
                    _path.Add(PathElement.Field(key));
                    ToFieldSet(child, named ?? shape.Field(key) ?? DeducedShape.Instance);
                    if (child is null || child is JsonObject { Count: 0 } || named is null)
                    {
                        Set.Insert(Path);
                    }
                    _path.RemoveAt(_path.Count - 1);
                }
                return;
            }
            if (IsListKind(kind) && value is JsonArray list)
            {
                var items = shape.Items ?? DeducedShape.Instance;
                var seen = new HashSet<PathElement>();
                var duplicates = new HashSet<PathElement>();
                var elements = new PathElement[list.Count];
                for (var i = 0; i < list.Count; i++)
                {
                    elements[i] = ItemElement(list[i], shape, i);
                    if (!seen.Add(elements[i]))
                    {
                        duplicates.Add(elements[i]);
                    }
                }
                for (var i = 0; i < list.Count; i++)
                {
                    _path.Add(elements[i]);
                    if (!duplicates.Contains(elements[i]))
                    {
                        ToFieldSet(list[i], items);
                    }
                    Set.Insert(Path);
                    _path.RemoveAt(_path.Count - 1);
                }
                return;
            }
            if (!IsMapKind(kind) && !IsListKind(kind) || value is not null)
            {
                Set.Insert(Path);
            }
        }

        public void Compare(JsonNode? left, bool hasLeft, JsonNode? right, bool hasRight, IFieldShape shape, Comparison result)
        {
            var kind = KindOf(shape, hasRight ? right : left);
            if (kind == ShapeKind.Map && shape.Kind == ShapeKind.Deduced && hasLeft && hasRight && (left is JsonObject) != (right is JsonObject))
            {
                kind = ShapeKind.Atomic;
            }
            if (IsMapKind(kind) && Fits<JsonObject>(left, hasLeft) && Fits<JsonObject>(right, hasRight)
                && !(Count(left) == 0 && Count(right) == 0))
            {
                CompareMaps(left as JsonObject, right as JsonObject, shape, result);
            }
            else if (IsListKind(kind) && Fits<JsonArray>(left, hasLeft) && Fits<JsonArray>(right, hasRight)
                && !(Count(left) == 0 && Count(right) == 0))
            {
                CompareLists(left as JsonArray, right as JsonArray, shape, result);
            }
            else
            {
                if (!hasLeft)
                {
                    result.Added.Insert(Path);
                }
                else if (!hasRight)
                {
                    result.Removed.Insert(Path);
                }
                else if (!JsonNode.DeepEquals(left, right))
                {
                    result.Modified.Insert(Path);
                }
                return;
            }
            if (!hasLeft)
            {
                result.Added.Insert(Path);
            }
            else if (!hasRight)
            {
                result.Removed.Insert(Path);
            }
        }

        // A built-in object's spec and status are Go structs, never pointers: upstream always
        // sees them (as "status":{} at least), so writing the first status field does not add
        // the status node itself. Objects without a schema have no such zero values.
        private bool AlwaysPresent(IFieldShape shape, string key) =>
            _path.Count == 0 && shape.Kind == ShapeKind.Struct && shape.SpecAndStatusAlwaysPresent
            && key is ("spec" or "status") && shape.Field(key)?.Kind == ShapeKind.Struct;

        private static bool Fits<T>(JsonNode? node, bool present) where T : JsonNode => !present || node is null || node is T;

        private static int Count(JsonNode? node) => node switch
        {
            JsonObject map => map.Count,
            JsonArray list => list.Count,
            _ => 0,
        };

        private void CompareMaps(JsonObject? left, JsonObject? right, IFieldShape shape, Comparison result)
        {
            if (left is not null)
            {
                foreach (var (key, value) in left)
                {
                    JsonNode? other = null;
                    var inRight = right is not null && right.TryGetPropertyValue(key, out other) || AlwaysPresent(shape, key);
                    _path.Add(PathElement.Field(key));
                    Compare(value, true, other, inRight, shape.Field(key) ?? DeducedShape.Instance, result);
                    _path.RemoveAt(_path.Count - 1);
                }
            }
            if (right is not null)
            {
                foreach (var (key, value) in right)
                {
                    if (left is not null && left.ContainsKey(key))
                    {
                        continue;
                    }
                    var inLeft = AlwaysPresent(shape, key);
                    _path.Add(PathElement.Field(key));
                    Compare(null, inLeft, value, true, shape.Field(key) ?? DeducedShape.Instance, result);
                    _path.RemoveAt(_path.Count - 1);
                }
            }
        }

        private void CompareLists(JsonArray? left, JsonArray? right, IFieldShape shape, Comparison result)
        {
            var items = shape.Items ?? DeducedShape.Instance;
            var order = new List<PathElement>();
            var ordered = new HashSet<PathElement>();
            var leftItems = Index(left, shape, order, ordered);
            var rightItems = Index(right, shape, order, ordered);
            foreach (var element in order)
            {
                leftItems.TryGetValue(element, out var l);
                rightItems.TryGetValue(element, out var r);
                _path.Add(element);
                switch (l.Count, r.Count)
                {
                    case (<= 1, <= 1):
                        Compare(l.First, l.Count == 1, r.First, r.Count == 1, items, result);
                        break;
                    case (>= 2, >= 2):
                        if (!JsonNode.DeepEquals(Items(left!, shape, element), Items(right!, shape, element)))
                        {
                            result.Modified.Insert(Path);
                        }
                        break;
                    case (>= 2, _):
                        if (r.Count == 1)
                        {
                            Compare(null, false, r.First, true, items, result);
                        }
                        result.Removed.Insert(Path);
                        break;
                    default:
                        if (l.Count == 1)
                        {
                            Compare(l.First, true, null, false, items, result);
                        }
                        result.Added.Insert(Path);
                        break;
                }
                _path.RemoveAt(_path.Count - 1);
            }
        }

        private static Dictionary<PathElement, (JsonNode? First, int Count)> Index(JsonArray? list, IFieldShape shape, List<PathElement> order, HashSet<PathElement> ordered)
        {
            var index = new Dictionary<PathElement, (JsonNode? First, int Count)>(list?.Count ?? 0);
            if (list is null)
            {
                return index;
            }
            for (var i = 0; i < list.Count; i++)
            {
                var element = ItemElement(list[i], shape, i);
                if (index.TryGetValue(element, out var seen))
                {
                    index[element] = (seen.First, seen.Count + 1);
                    continue;
                }
                index[element] = (list[i], 1);
                if (ordered.Add(element))
                {
                    order.Add(element);
                }
            }
            return index;
        }

        private static JsonArray Items(JsonArray list, IFieldShape shape, PathElement element)
        {
            var items = new JsonArray();
            for (var i = 0; i < list.Count; i++)
            {
                if (ItemElement(list[i], shape, i) == element)
                {
                    items.Add(list[i]?.DeepClone());
                }
            }
            return items;
        }
    }
}
