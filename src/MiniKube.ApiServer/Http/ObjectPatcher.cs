using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Http;

/// <summary>Applies patches and field validation to request objects (wired to Patching/ and Schema/).</summary>
internal static class ObjectPatcher
{
    /// <summary>
    /// Field validation (apiserver pkg/endpoints/handlers create.go and patch.go): drops fields
    /// the kind does not have; fieldValidation=Strict refuses them (400, or 422 for a patch),
    /// Warn — the default — reports each in a Warning header, Ignore says nothing. A value of the
    /// wrong type is always refused.
    /// </summary>
    public static List<string> Prune(HttpContext context, ResourceType type, JsonObject obj, bool patch = false)
    {
        var result = FieldPruner.Prune(obj, ModelSchema.For(type.Model));
        var validation = Registry.ListOptions.Value(context.Request.Query, "fieldValidation") ?? "Warn";
        var strict = validation == "Strict";
        if (result.DecodeError(strict) is { } error)
        {
            if (patch && result.TypeError is null)
            {
                throw new ApiException(StatusCodes.Status422UnprocessableEntity, "Invalid", $"{type.Kind} \"{Registry.ObjectMeta.Name(obj)}\" is invalid: patch: Invalid value: \"\": {error}");
            }
            throw ApiException.BadRequest(result.DecodeFailure(type.Kind, type.Version, strict) ?? error);
        }
        return validation == "Ignore" ? [] : [.. result.Warnings];
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
