using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Patching;

/// <summary>
/// The merge half of server-side apply, without ownership: the applied configuration merged into
/// the live object as structured-merge-diff merges them (<see cref="TypedWalk.Merge"/>: the
/// configuration wins every leaf; granular maps and keyed or set lists merge; atomic lists and
/// maps are replaced; <c>null</c> removes the field). Ownership, pruning and conflicts are
/// <see cref="FieldManager.Apply"/>'s, which the API server uses for apply patches.
/// The live object is changed in place: pass a copy. The configuration is not changed.
/// </summary>
internal static class ApplyMerge
{
    /// <summary>The new object: the configuration (without nulls) when nothing is live, else the merge.</summary>
    public static JsonObject Apply(JsonObject? live, JsonObject applied, SchemaNode? schema)
    {
        var shape = schema?.Model is { } model ? ModelShapes.Instance.For(model) : DeducedShape.Instance;
        try
        {
            return TypedWalk.Merge(live ?? [], applied, shape);
        }
        catch (FieldShapeException e)
        {
            throw PatchException.BadRequest(e.Message);
        }
    }
}
