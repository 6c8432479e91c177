namespace MiniKube.ApiServer.Patching;

/// <summary>The patch formats kube-apiserver accepts, one per request media type.</summary>
public enum PatchFormat
{
    /// <summary>RFC 6902, <c>application/json-patch+json</c>.</summary>
    JsonPatch,

    /// <summary>RFC 7386, <c>application/merge-patch+json</c>.</summary>
    MergePatch,

    /// <summary><c>application/strategic-merge-patch+json</c>; built-in kinds only.</summary>
    StrategicMergePatch,

    /// <summary>Server-side apply, <c>application/apply-patch+yaml</c>; may create the object.</summary>
    ApplyPatch,
}

/// <summary>
/// Maps a PATCH request's Content-Type to a <see cref="PatchFormat"/>, refusing the rest with
/// kube-apiserver's 415 (apiserver pkg/endpoints/handlers/patch.go and negotiation/errors.go).
/// </summary>
public static class PatchFormats
{
    public const string JsonPatchMediaType = "application/json-patch+json";
    public const string MergePatchMediaType = "application/merge-patch+json";
    public const string StrategicMergePatchMediaType = "application/strategic-merge-patch+json";
    public const string ApplyPatchMediaType = "application/apply-patch+yaml";

    /// <summary>
    /// The format of <paramref name="contentType"/>, ignoring parameters such as charset and
    /// letter case. Strategic merge patch needs a schema, so without one (custom resources,
    /// unknown kinds) it is refused like any unknown type, as upstream does for CRDs.
    /// </summary>
    /// <exception cref="PatchException">415 for an unsupported or missing media type.</exception>
    public static PatchFormat FromContentType(string? contentType, bool strategicMergeSupported = true)
    {
        var mediaType = (contentType ?? "").Split(';', 2)[0].Trim();
        PatchFormat? format = mediaType.ToUpperInvariant() switch
        {
            "APPLICATION/JSON-PATCH+JSON" => PatchFormat.JsonPatch,
            "APPLICATION/MERGE-PATCH+JSON" => PatchFormat.MergePatch,
            "APPLICATION/STRATEGIC-MERGE-PATCH+JSON" when strategicMergeSupported => PatchFormat.StrategicMergePatch,
            "APPLICATION/APPLY-PATCH+YAML" => PatchFormat.ApplyPatch,
            _ => null,
        };
        return format ?? throw Unsupported(strategicMergeSupported);
    }

    /// <summary>The media types accepted, in the order kube-apiserver lists them.</summary>
    public static IReadOnlyList<string> Accepted(bool strategicMergeSupported) => strategicMergeSupported
        ? [JsonPatchMediaType, MergePatchMediaType, StrategicMergePatchMediaType, ApplyPatchMediaType]
        : [JsonPatchMediaType, MergePatchMediaType, ApplyPatchMediaType];

    private static PatchException Unsupported(bool strategicMergeSupported) => new(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: " + string.Join(", ", Accepted(strategicMergeSupported)));
}
