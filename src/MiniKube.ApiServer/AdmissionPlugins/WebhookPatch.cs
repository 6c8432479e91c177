using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Patching;
using MiniKube.ApiServer.Registry;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>A mutating webhook's answer applied (mutating/dispatcher.go after the call).</summary>
public static class WebhookPatch
{
    /// <summary>
    /// Applies the webhook's base64 JSONPatch to the object it was shown and puts the result, in
    /// its stored form with the kind's defaults, into the request's object in place; true when
    /// that changed it. An undecodable patch is the webhook's failure (failurePolicy applies); a
    /// patch that does not apply, or one for a DELETE, is an internal error as upstream.
    /// </summary>
    public static bool Apply(WebhookCall call, AdmissionRequest request, string patchBase64)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(patchBase64);
        var hook = call.Hook;
        JsonNode? patch;
        try
        {
            patch = JsonNode.Parse(Convert.FromBase64String(patchBase64));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new WebhookFailureException(hook.Name, "received undecodable patch in webhook response: " + e.Message, e);
        }
        if (patch is JsonArray { Count: 0 })
        {
            return false;
        }
        if (call.Object is not { } target)
        {
            throw ApiException.Internal($"admission webhook \"{hook.Name}\" attempted to modify the object, which is not supported for this operation");
        }
        JsonObject patched;
        try
        {
            patched = JsonPatch.Apply(target.DeepClone(), patch) as JsonObject
                ?? throw ApiException.Internal("the patched object is not a JSON object");
        }
        catch (PatchException e)
        {
            throw ApiException.Internal(e.Detail ?? e.Message);
        }
        var stored = call.Form.ToStorage(patched);
        request.Type.Strategy.ApplyDefaults(stored);
        if (JsonNode.DeepEquals(stored, request.Object))
        {
            return false;
        }
        // The request's object is the one the rest of the write goes on with: replace its content.
        request.Object.Clear();
        foreach (var (key, value) in stored.ToList())
        {
            stored.Remove(key);
            request.Object[key] = value;
        }
        return true;
    }
}
