using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Patching;

/// <summary>
/// Applies a strategic merge patch as kube-apiserver does (apimachinery
/// pkg/util/strategicpatch/patch.go, <c>mergeMap</c> with MergeParallelList and
/// IgnoreUnmatchedNulls): JSON merge patch, except that lists whose schema property has a
/// <see cref="SchemaProperty.MergeKey"/> merge element by element on that key ("" = a set of
/// primitives), and the directives <c>$patch</c>, <c>$retainKeys</c>,
/// <c>$setElementOrder/&lt;list&gt;</c> and <c>$deleteFromPrimitiveList/&lt;list&gt;</c> are honoured and
/// never reach the result. Where the schema does not know a field (Any, maps' values without a
/// model) it behaves like merge patch. Element order follows upstream: <c>$setElementOrder</c>
/// first, then the patch's order, then the live order.
/// Deliberate differences: <c>$patch: merge</c> is accepted as "merge as usual" (upstream rejects
/// it); a <c>$patch: replace</c> map under an absent key is kept (upstream drops it); format
/// errors that upstream lets through as 500s are 400s.
/// The original is changed in place: pass a copy. The patch is not changed.
/// </summary>
internal static class StrategicMergePatch
{
    private const string PatchDirective = "$patch";
    private const string RetainKeysDirective = "$retainKeys";
    private const string SetElementOrderPrefix = "$setElementOrder/";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";

    public static JsonObject Apply(JsonObject original, JsonNode? patch, SchemaNode? schema)
    {
        if (patch is not JsonObject members)
        {
            throw PatchException.BadRequest($"json: cannot unmarshal {JsonKindName.Of(patch)} into Go value of type map[string]interface {{}}");
        }
        return MergeMap(original, members, schema);
    }

    /// <summary>Merges a patch map into an original map; returns the result, which is a new object for <c>$patch</c> replace and delete.</summary>
    private static JsonObject MergeMap(JsonObject original, JsonObject patch, SchemaNode? schema)
    {
        if (patch.TryGetPropertyValue(PatchDirective, out var directive))
        {
            switch (DirectiveName(directive, patch))
            {
                case "replace":
                    return (JsonObject)Clean(patch)!;
                case "delete":
                    // Upstream leaves an empty map where the deleted one was.
                    return [];
                default:
                    break;
            }
        }
        ApplyRetainKeys(original, patch);
        var handled = MergeOrderedLists(original, patch, schema);
        foreach (var (key, value) in patch)
        {
            if (IsDirectiveKey(key) || handled.Contains(key))
            {
                continue;
            }
            if (value is null)
            {
                original.Remove(key);
                continue;
            }
            var current = original[key];
            var merged = MergeValue(current, value, SchemaField.Of(schema, key));
            if (merged is null)
            {
                // A $patch: delete map where there was no map: nothing to keep.
                original.Remove(key);
            }
            else if (!ReferenceEquals(merged, current))
            {
                original[key] = merged;
            }
        }
        foreach (var (key, value) in patch)
        {
            if (key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
            {
                DeleteFromPrimitiveList(original, ListName(key, DeleteFromPrimitiveListPrefix, "invalid patch format of primitive list"), value);
            }
        }
        return original;
    }

    /// <summary>The merged value of one member: <paramref name="current"/> itself when merged into in place, else a new node (null: drop the member).</summary>
    private static JsonNode? MergeValue(JsonNode? current, JsonNode patchValue, SchemaField field)
    {
        switch (current, patchValue)
        {
            case (JsonObject currentMap, JsonObject patchMap):
                return MergeMap(currentMap, patchMap, field.Schema);
            case (JsonArray currentList, JsonArray patchList) when field.MergeKey is not null:
                return MergeList(currentList, patchList, field.MergeKey, field.Schema?.Items);
            default:
                // Absent, of another JSON type, a scalar or a replaced list: the patch value wins.
                return Clean(patchValue);
        }
    }

    /// <summary>
    /// Merges a list with a merge strategy: primitives as a set union, maps by merge key with
    /// <c>$patch</c> delete/replace elements. Then orders it as upstream's mergeSlice does.
    /// </summary>
    private static JsonArray MergeList(JsonArray original, JsonArray patch, string mergeKey, SchemaNode? itemSchema)
    {
        if (original.Count == 0 && patch.Count == 0)
        {
            return original;
        }
        var elementKind = ElementKind(original, patch);
        var items = Detach(original);
        if (elementKind != JsonValueKind.Object)
        {
            // A set: duplicates go, the live list's included (upstream's deduplicateScalars).
            var live = WithKeys(items, null);
            var patched = WithKeys(patch, null);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var union = new List<Keyed>(items.Count + patch.Count);
            foreach (var value in live)
            {
                if (seen.Add(value.Key))
                {
                    union.Add(value);
                }
            }
            foreach (var value in patched)
            {
                if (seen.Add(value.Key))
                {
                    union.Add(value with { Node = value.Node?.DeepClone() });
                }
            }
            return Fill(original, Order(union, patched, live));
        }
        if (mergeKey.Length == 0)
        {
            throw PatchException.BadRequest("cannot merge lists without merge key");
        }
        var patchElements = new List<JsonObject>();
        var replace = false;
        foreach (var element in patch.Cast<JsonObject>())
        {
            if (!element.TryGetPropertyValue(PatchDirective, out var directive))
            {
                patchElements.Add(element);
                continue;
            }
            switch (DirectiveName(directive, element))
            {
                case "delete":
                    var deleted = KeyText(MergeKeyValue(element, mergeKey));
                    items.RemoveAll(item => KeyText(item![mergeKey]) == deleted);
                    break;
                case "replace":
                    replace = true;
                    break;
                default:
                    // "merge": upstream refuses it; here it means what an element without it means.
                    patchElements.Add(element);
                    break;
            }
        }
        if (replace)
        {
            return Fill(original, [.. patchElements.Select(Clean).Where(e => e is not null)]);
        }
        var liveOrder = WithKeys(items, mergeKey);
        var positions = FirstPositions(liveOrder);
        var patchOrder = new List<Keyed>(patchElements.Count);
        foreach (var element in patchElements)
        {
            var key = KeyText(MergeKeyValue(element, mergeKey));
            patchOrder.Add(new Keyed(element, key));
            if (positions.TryGetValue(key, out var index))
            {
                items[index] = MergeMap((JsonObject)items[index]!, element, itemSchema);
            }
            else if (Clean(element) is { } added)
            {
                positions[key] = items.Count;
                items.Add(added);
            }
        }
        return Fill(original, Order(WithKeys(items, mergeKey), patchOrder, liveOrder));
    }

    /// <summary>
    /// Processes each <c>$setElementOrder/&lt;list&gt;</c>: merges the list it names (if the patch has
    /// it) and puts the elements in the given order, live-only elements staying near their live
    /// neighbours. Returns the list names it consumed.
    /// </summary>
    private static HashSet<string> MergeOrderedLists(JsonObject original, JsonObject patch, SchemaNode? schema)
    {
        var handled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, orderNode) in patch)
        {
            if (!key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
            {
                continue;
            }
            var name = ListName(key, SetElementOrderPrefix, "invalid patch format of setElementOrder list");
            if (orderNode is not JsonArray order)
            {
                throw PatchException.BadRequest("invalid patch format of setElementOrder list");
            }
            var field = SchemaField.Of(schema, name);
            var patchList = patch[name];
            if (patchList is not null and not JsonArray || original[name] is not null and not JsonArray)
            {
                // Not a list on one side: the plain member merge decides.
                continue;
            }
            handled.Add(name);
            var live = original[name] as JsonArray;
            var liveElements = live is null ? [] : live.ToList();
            JsonArray merged;
            if (patchList is JsonArray listInPatch)
            {
                CheckOrderAgrees(listInPatch, order, field.MergeKey);
                merged = live is null ? (JsonArray)Clean(listInPatch)! : (JsonArray)MergeValue(live, listInPatch, field)!;
            }
            else if (live is not null)
            {
                merged = live;
            }
            else
            {
                continue;
            }
            var hasMaps = merged.Any(e => e is JsonObject);
            var orderKey = hasMaps ? field.MergeKey : null;
            // Maps without a merge key cannot be matched to the order list; they stay as merged.
            if (!hasMaps || orderKey is { Length: > 0 })
            {
                Fill(merged, Order(WithKeys(Detach(merged), orderKey), WithKeys(order, orderKey), WithKeys(liveElements, orderKey)));
            }
            if (!ReferenceEquals(merged, live))
            {
                original[name] = merged;
            }
        }
        return handled;
    }

    /// <summary>
    /// Upstream's validatePatchWithSetOrderList: the patch list's elements (deletions aside) must
    /// appear in <c>$setElementOrder</c>'s order, or the client computed an inconsistent patch.
    /// </summary>
    private static void CheckOrderAgrees(JsonArray patchList, JsonArray order, string? mergeKey)
    {
        var keyed = mergeKey is { Length: > 0 } && patchList.Any(e => e is JsonObject);
        string Key(JsonNode? element) => keyed ? KeyText(MergeKeyValue((JsonObject)element!, mergeKey!)) : KeyText(element);
        var listed = patchList.Where(e => !(keyed && e is JsonObject map && map.ContainsKey(PatchDirective))).ToList();
        int p = 0, o = 0;
        while (p < listed.Count && o < order.Count)
        {
            if (keyed && listed[p] is not JsonObject)
            {
                break;
            }
            if (Key(listed[p]) == Key(order[o]))
            {
                p++;
            }
            o++;
        }
        if (p < listed.Count && o >= order.Count)
        {
            throw PatchException.BadRequest(
                $"The order in patch list:\n{patchList.ToJsonString()}\n doesn't match {SetElementOrderPrefix.TrimEnd('/')} list:\n{order.ToJsonString()}\n");
        }
    }

    /// <summary>
    /// Upstream's normalizeElementOrder: the elements named in <paramref name="order"/> sorted by
    /// it, the others by their live position, then interleaved so that an unnamed element comes
    /// before a named one only when it also came before it in the live list.
    /// </summary>
    private static List<JsonNode?> Order(List<Keyed> elements, List<Keyed> order, List<Keyed> live)
    {
        var orderPositions = FirstPositions(order);
        var livePositions = FirstPositions(live);
        var named = new List<(JsonNode? Element, int OrderAt, int LiveAt)>();
        var unnamed = new List<(JsonNode? Element, int OrderAt, int LiveAt)>();
        foreach (var element in elements)
        {
            var orderAt = orderPositions.GetValueOrDefault(element.Key, -1);
            var entry = (element.Node, orderAt, livePositions.GetValueOrDefault(element.Key, -1));
            (orderAt >= 0 ? named : unnamed).Add(entry);
        }
        named = [.. named.OrderBy(e => e.OrderAt)];
        unnamed = [.. unnamed.OrderBy(e => e.LiveAt >= 0 ? e.LiveAt : int.MaxValue)];
        var result = new List<JsonNode?>(elements.Count);
        int u = 0, n = 0;
        while (u < unnamed.Count || n < named.Count)
        {
            var takeUnnamed = n >= named.Count
                || (u < unnamed.Count && unnamed[u].LiveAt >= 0 && named[n].LiveAt >= 0 && unnamed[u].LiveAt < named[n].LiveAt);
            result.Add(takeUnnamed ? unnamed[u++].Element : named[n++].Element);
        }
        return result;
    }

    /// <summary>Where each key first occurs in a list.</summary>
    private static Dictionary<string, int> FirstPositions(List<Keyed> elements)
    {
        var positions = new Dictionary<string, int>(elements.Count, StringComparer.Ordinal);
        for (var i = 0; i < elements.Count; i++)
        {
            positions.TryAdd(elements[i].Key, i);
        }
        return positions;
    }

    /// <summary>Pairs each element with its identity (the merge key's value, or the element itself), computed once.</summary>
    private static List<Keyed> WithKeys(IEnumerable<JsonNode?> elements, string? mergeKey) =>
        [.. elements.Select(e => new Keyed(e, KeyText(mergeKey is null ? e : e?[mergeKey])))];

    /// <summary>
    /// A value's identity for matching elements: its JSON text, so lookups are hashed rather than
    /// pairwise (a patch can carry a million elements). Like upstream's Go equality, 1 and 1.0 differ.
    /// </summary>
    private static string KeyText(JsonNode? value) => value switch
    {
        null => "null",
        // Strings are most keys; a leading quote keeps them apart from numbers' text.
        JsonValue text when text.TryGetValue<string>(out var s) => "\"" + s,
        _ => value.ToJsonString(),
    };

    /// <summary>Applies <c>$retainKeys</c>: every member of the original not listed goes, and the patch may only set listed members.</summary>
    private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(RetainKeysDirective, out var retainNode))
        {
            return;
        }
        if (retainNode is not JsonArray retainList)
        {
            throw PatchException.BadRequest("invalid patch format of retainKeys");
        }
        var retained = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in retainList)
        {
            if (item is JsonValue value && value.TryGetValue<string>(out var name))
            {
                retained.Add(name);
            }
        }
        foreach (var (key, value) in patch)
        {
            if (value is not null && !IsDirectiveKey(key) && !retained.Contains(key))
            {
                throw PatchException.BadRequest("invalid patch format of retainKeys");
            }
        }
        foreach (var key in original.Select(p => p.Key).Where(k => !retained.Contains(k)).ToList())
        {
            original.Remove(key);
        }
    }

    /// <summary>Removes the listed values from a list, whatever its patch strategy (upstream's deleteFromSlice).</summary>
    private static void DeleteFromPrimitiveList(JsonObject original, string name, JsonNode? values)
    {
        if (original[name] is not JsonArray list || values is not JsonArray toDelete)
        {
            return;
        }
        var doomed = toDelete.Select(KeyText).ToHashSet(StringComparer.Ordinal);
        var kept = Detach(list);
        kept.RemoveAll(item => doomed.Contains(KeyText(item)));
        Fill(list, kept);
    }

    /// <summary>
    /// A copy of a patch value fit for the result: directives and null members removed, maps
    /// marked <c>$patch: delete</c> dropped (null means "drop it").
    /// </summary>
    private static JsonNode? Clean(JsonNode? value)
    {
        switch (value)
        {
            case JsonObject map:
                if (map.TryGetPropertyValue(PatchDirective, out var directive) && DirectiveName(directive, map) == "delete")
                {
                    return null;
                }
                var copy = new JsonObject();
                foreach (var (key, member) in map)
                {
                    if (member is not null && !IsDirectiveKey(key) && Clean(member) is { } cleaned)
                    {
                        copy[key] = cleaned;
                    }
                }
                return copy;
            case JsonArray list:
                var elements = new JsonArray();
                foreach (var element in list)
                {
                    if (element is null)
                    {
                        elements.Add(null);
                    }
                    else if (!IsMarkerOnly(element) && Clean(element) is { } cleaned)
                    {
                        elements.Add(cleaned);
                    }
                }
                return elements;
            default:
                return value?.DeepClone();
        }
    }

    // {"$patch": "replace"} as a list element only says how to treat the list.
    private static bool IsMarkerOnly(JsonNode element) =>
        element is JsonObject { Count: 1 } map && map.ContainsKey(PatchDirective);

    private static string DirectiveName(JsonNode? directive, JsonObject map)
    {
        if (directive is JsonValue value && value.TryGetValue<string>(out var name) && name is "replace" or "delete" or "merge")
        {
            return name;
        }
        throw PatchException.BadRequest($"unknown patch type: {directive?.ToJsonString() ?? "null"} in map: {map.ToJsonString()}");
    }

    private static bool IsDirectiveKey(string key) =>
        key is PatchDirective or RetainKeysDirective
        || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)
        || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal);

    private static string ListName(string key, string prefix, string error)
    {
        var name = key[prefix.Length..];
        return name.Length > 0 ? name : throw PatchException.BadRequest(error);
    }

    private static JsonNode MergeKeyValue(JsonObject element, string mergeKey) =>
        element.TryGetPropertyValue(mergeKey, out var value) && value is not null
            ? value
            : throw PatchException.BadRequest($"map: {element.ToJsonString()} does not contain declared merge key: {mergeKey}");

    /// <summary>The one JSON kind of all elements of both lists (null when both are empty of non-nulls).</summary>
    private static JsonValueKind? ElementKind(JsonArray original, JsonArray patch)
    {
        JsonValueKind? kind = null;
        foreach (var element in original.Concat(patch))
        {
            var elementKind = element?.GetValueKind() ?? JsonValueKind.Null;
            if (elementKind == JsonValueKind.Array)
            {
                // Upstream answers this one with 422.
                throw PatchException.Invalid("lists of lists are not supported");
            }
            if (elementKind is JsonValueKind.True or JsonValueKind.False)
            {
                elementKind = JsonValueKind.True;
            }
            if (kind is not null && kind != elementKind)
            {
                throw PatchException.BadRequest("list element types are not identical");
            }
            kind = elementKind;
        }
        return kind;
    }

    /// <summary>Takes the elements out of a list so they can be reordered or moved.</summary>
    private static List<JsonNode?> Detach(JsonArray list)
    {
        var elements = list.ToList();
        list.Clear();
        return elements;
    }

    private static JsonArray Fill(JsonArray list, List<JsonNode?> elements)
    {
        list.Clear();
        foreach (var element in elements)
        {
            list.Add(element);
        }
        return list;
    }

    /// <summary>A list element with its identity for matching and ordering.</summary>
    private readonly record struct Keyed(JsonNode? Node, string Key);
}
