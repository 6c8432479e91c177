using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Protobuf;

/// <summary>
/// Drops what carries no information (null, {} and []), recursively, so that JSON printed by
/// kubectl's dry run and JSON decoded from its protobuf body compare equal when they mean the same.
/// </summary>
public static class JsonNormalizer
{
    public static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (Normalize(value) is { } kept)
                    {
                        result[name] = kept;
                    }
                }
                return result.Count == 0 ? null : result;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    items.Add(Normalize(item) ?? new JsonObject());
                }
                return items.Count == 0 ? null : items;
            default:
                return node?.DeepClone();
        }
    }
}
