using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Patching;

/// <summary>
/// The one entry point of PATCH: picks the engine for the request's media type, parses the body
/// within <see cref="PatchLimits"/> and returns the patched object. The live object is never
/// changed (it may be a cached one): every engine works on a deep copy. Failures are
/// <see cref="PatchException"/>s carrying kube-apiserver's code, reason and message.
/// What stays with the caller: 404 for a missing object unless the patch is an apply patch,
/// 201 vs 200, <c>fieldManager</c> being required for apply, preconditions such as
/// <c>metadata.resourceVersion</c>, ignoring <c>status</c> on the main resource, and validation.
/// </summary>
public static class PatchApplier
{
    /// <summary>
    /// Applies a PATCH body. <paramref name="schema"/> is the kind's schema
    /// (<see cref="ModelSchema.For"/>), or null for kinds without one (custom resources), which
    /// refuses strategic merge patch with 415 as kube-apiserver does.
    /// </summary>
    /// <param name="contentType">The request's Content-Type; parameters such as charset are ignored.</param>
    /// <param name="live">The current object, or null when absent (only an apply patch may then create it).</param>
    /// <exception cref="PatchException">400, 413, 415 or 422.</exception>
    public static JsonObject Apply(string? contentType, JsonObject? live, ReadOnlySpan<byte> patchBody, SchemaNode? schema) =>
        Apply(PatchFormats.FromContentType(contentType, schema is not null), live, patchBody, schema);

    /// <inheritdoc cref="Apply(string?, JsonObject?, ReadOnlySpan{byte}, SchemaNode?)"/>
    public static JsonObject Apply(PatchFormat format, JsonObject? live, ReadOnlySpan<byte> patchBody, SchemaNode? schema)
    {
        if (live is null && format != PatchFormat.ApplyPatch)
        {
            throw new ArgumentNullException(nameof(live), "Only an apply patch can create an object; answer 404 before patching.");
        }
        if (patchBody.Length > PatchLimits.MaxBodyBytes)
        {
            throw PatchException.TooLarge($"limit is {PatchLimits.MaxBodyBytes}");
        }
        var patch = PatchDocument.Parse(patchBody, format);
        var target = (JsonObject?)live?.DeepClone();
        return format switch
        {
            PatchFormat.JsonPatch => JsonPatch.Apply(target!, patch) as JsonObject
                ?? throw PatchException.Invalid("the patched document is not an object"),
            PatchFormat.MergePatch => JsonMergePatch.Apply(target!, patch),
            PatchFormat.StrategicMergePatch => StrategicMergePatch.Apply(target!, patch, schema),
            _ => ApplyMerge.Apply(target, patch as JsonObject ?? throw PatchException.BadRequest(
                $"error decoding patch: json: cannot unmarshal {JsonKindName.Of(patch)} into Go value of type map[string]interface {{}}"), schema),
        };
    }
}
