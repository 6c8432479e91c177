using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Patching;

/// <summary>
/// A minimal server-side apply: create-or-merge of an applied configuration into the live object.
/// Maps merge recursively; lists with a merge key merge element by element on it (a matching
/// live element is merged into, a new one appended, live-only ones kept in place); every other
/// list and every scalar takes the applied value; <c>null</c> removes the field.
/// What real server-side apply does and this does not (kubernetes-sigs/structured-merge-diff):
/// there is no field ownership, so no <c>managedFields</c>, no conflicts and no 409, and a
/// field dropped from a manager's configuration is never removed from the object — only an
/// explicit null removes it. Sets such as finalizers are replaced rather than merged.
/// The live object is changed in place: pass a copy. The configuration is not changed.
/// </summary>
internal static class ApplyMerge
{
    /// <summary>The new object: the configuration itself when nothing is live, else the merge.</summary>
    public static JsonObject Apply(JsonObject? live, JsonObject applied, SchemaNode? schema) =>
        live is null ? (JsonObject)JsonMergePatch.WithoutNullMembers(applied) : MergeMap(live, applied, schema);

    private static JsonObject MergeMap(JsonObject live, JsonObject applied, SchemaNode? schema)
    {
        foreach (var (key, value) in applied)
        {
            if (value is null)
            {
                live.Remove(key);
                continue;
            }
            var field = SchemaField.Of(schema, key);
            switch (live[key], value)
            {
                case (JsonObject liveMap, JsonObject appliedMap):
                    MergeMap(liveMap, appliedMap, field.Schema);
                    break;
                case (JsonArray liveList, JsonArray appliedList) when field.MergeKey is { Length: > 0 } mergeKey:
                    MergeList(liveList, appliedList, mergeKey, field.Schema?.Items);
                    break;
                default:
                    live[key] = JsonMergePatch.WithoutNullMembers(value);
                    break;
            }
        }
        return live;
    }

    private static void MergeList(JsonArray live, JsonArray applied, string mergeKey, SchemaNode? itemSchema)
    {
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < live.Count; i++)
        {
            if (live[i] is JsonObject element && element[mergeKey] is { } key)
            {
                positions.TryAdd(key.ToJsonString(), i);
            }
        }
        foreach (var element in applied)
        {
            if (element is not JsonObject map || map[mergeKey] is not { } key)
            {
                throw PatchException.BadRequest($"associative list with keys has an element that omits key field \"{mergeKey}\"");
            }
            if (positions.TryGetValue(key.ToJsonString(), out var index) && live[index] is JsonObject match)
            {
                MergeMap(match, map, itemSchema);
            }
            else
            {
                positions[key.ToJsonString()] = live.Count;
                live.Add(JsonMergePatch.WithoutNullMembers(map));
            }
        }
    }
}
