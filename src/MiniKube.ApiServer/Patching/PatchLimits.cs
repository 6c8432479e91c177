namespace MiniKube.ApiServer.Patching;

/// <summary>
/// The bounds that keep one request from harming the server while its patch is parsed and
/// applied. The operation and copy limits are kube-apiserver's (apiserver
/// pkg/endpoints/handlers/patch.go <c>maxJSONPatchOperations</c>, pkg/server/config.go
/// <c>JSONPatchMaxCopyBytes</c>); the depth limit is ours, since Go's decoder allows 10,000 levels
/// but recursion that deep would overflow a .NET thread pool stack, which no catch survives.
/// </summary>
public static class PatchLimits
{
    /// <summary>
    /// Deepest nesting accepted in a patch body and in a JSON Patch result. Deeper than any
    /// built-in object and than typical CRD schemas, far shallower than what would threaten the stack.
    /// </summary>
    public const int MaxDepth = 256;

    /// <summary>Largest PATCH body, kube-apiserver's MaxRequestBodyBytes.</summary>
    public const int MaxBodyBytes = 3 * 1024 * 1024;

    /// <summary>Most operations in one JSON Patch.</summary>
    public const int MaxJsonPatchOperations = 10_000;

    /// <summary>
    /// Most bytes that the <c>copy</c> operations of one JSON Patch may add: without it a patch of
    /// a few kilobytes (copy a list into itself, repeatedly) doubles the object with every operation.
    /// </summary>
    public const long MaxJsonPatchCopyBytes = 3 * 1024 * 1024;
}
