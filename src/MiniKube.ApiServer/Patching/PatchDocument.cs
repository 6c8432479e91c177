
namespace MiniKube.ApiServer.Patching;

/// <summary>
/// Parses a PATCH body into JSON nodes with the nesting bounded by <see cref="PatchLimits.MaxDepth"/>,
/// so that a hostile body is refused by the reader instead of by a stack overflow later.
/// Errors are 400s with kube-apiserver's wording (apiserver pkg/endpoints/handlers/patch.go).
/// </summary>
public static class PatchDocument
{
    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = PatchLimits.MaxDepth,
        // A JsonObject with a repeated member throws when first read; refuse it here as a 400,
        // which is also what kube-apiserver's strict decoding (kubectl's default) says of it.
        AllowDuplicateProperties = false,
    };

    /// <summary>
    /// The body as JSON for the JSON formats, or the YAML (or JSON, its subset) of an apply
    /// patch converted to JSON. Whether the root has the right shape is the engine's business.
    /// </summary>
    /// <exception cref="PatchException">400 when the body does not parse or nests too deep.</exception>
    public static JsonNode? Parse(ReadOnlySpan<byte> body, PatchFormat format)
    {
        if (format == PatchFormat.ApplyPatch)
        {
            return ParseApply(body);
        }
        try
        {
            return JsonNode.Parse(body, documentOptions: Options);
        }
        catch (JsonException ex)
        {
            // validateAndTranscodePatch answers this for every non-apply patch whose body is not JSON.
            throw new PatchException(400, "BadRequest", "invalid JSON patch", ex.Message);
        }
    }

    private static JsonNode? ParseApply(ReadOnlySpan<byte> body)
    {
        // kubectl sends JSON, a subset of YAML; reading it as JSON keeps numbers as written.
        if (LooksLikeJson(body))
        {
            try
            {
                return JsonNode.Parse(body, documentOptions: Options);
            }
            catch (JsonException)
            {
                // Flow-style YAML such as {a: 1} also starts with a brace; let the YAML reader judge.
            }
        }
        return YamlToJson.Convert(body, PatchLimits.MaxDepth);
    }

    private static bool LooksLikeJson(ReadOnlySpan<byte> body)
    {
        var text = body.TrimStart(" \t\r\n"u8);
        return !text.IsEmpty && text[0] == (byte)'{';
    }
}
