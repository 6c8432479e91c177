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

/// <summary>Tables for human-readable output (wired to Tables/).</summary>
internal static class Presentation
{
    public static bool WantsTable(HttpContext context)
    {
        _ = context;
        return false;
    }

    public static Task WriteTableAsync(HttpContext context, ResourceType type, IReadOnlyList<MiniKube.Storage.KeyValue> items, Registry.ListPage page)
    {
        _ = items;
        return ResponseWriter.WriteListAsync(context, type, page);
    }

    public static IWatchEncoder WatchEncoder(HttpContext context, ResourceType type)
    {
        _ = context;
        _ = type;
        return ObjectWatchEncoder.Instance;
    }
}

/// <summary>Label and field selectors as one predicate (wired to Selectors/).</summary>
internal static class ObjectFilter
{
    public static Func<JsonObject, bool>? From(ResourceType type, Registry.ListOptions options)
    {
        _ = type;
        if (options.FieldSelector is null && options.LabelSelector is null)
        {
            return null;
        }
        var fields = (options.FieldSelector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => t.Split('=', 2)).ToArray();
        var labels = (options.LabelSelector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => t.Split('=', 2)).ToArray();
        return obj => fields.All(f => f[0] switch
        {
            "metadata.name" => Registry.ObjectMeta.Name(obj) == f[1],
            "metadata.namespace" => Registry.ObjectMeta.Namespace(obj) == f[1],
            _ => true,
        }) && labels.All(l => Registry.ObjectMeta.Str(obj["metadata"]?["labels"]?[l[0]]) == (l.Length > 1 ? l[1] : null));
    }
}
