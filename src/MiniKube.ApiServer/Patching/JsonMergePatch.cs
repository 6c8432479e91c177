
namespace MiniKube.ApiServer.Patching;

/// <summary>
/// Applies an RFC 7386 JSON merge patch: objects merge member by member, <c>null</c> removes a
/// member, anything else (arrays included) replaces the target value. The patch must be an
/// object: kube-apiserver answers <c>Invalid JSON Patch</c> for null (evanphx/json-patch
/// merge.go) and fails to decode the result of any other non-object.
/// The target is changed in place: pass a copy. The patch is not changed.
/// </summary>
internal static class JsonMergePatch
{
    public static JsonObject Apply(JsonObject target, JsonNode? patch)
    {
        if (patch is not JsonObject members)
        {
            throw PatchException.BadRequest("Invalid JSON Patch");
        }
        Merge(target, members);
        return target;
    }

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject nested && target[key] is JsonObject existing)
            {
                Merge(existing, nested);
            }
            else
            {
                target[key] = WithoutNullMembers(value);
            }
        }
    }

    /// <summary>A copy of a new value; in its objects a null member means "absent", as if merged into nothing.</summary>
    internal static JsonNode WithoutNullMembers(JsonNode value)
    {
        if (value is not JsonObject obj)
        {
            return value.DeepClone();
        }
        var copy = new JsonObject();
        foreach (var (key, member) in obj)
        {
            if (member is not null)
            {
                copy[key] = WithoutNullMembers(member);
            }
        }
        return copy;
    }
}
