
namespace MiniKube.ApiServer.Patching;

/// <summary>
/// Nesting depth of a JSON value (a scalar is 0, an object or array one more than its deepest
/// child), measured without recursion so it is safe on any input.
/// </summary>
internal static class JsonDepth
{
    public static int Of(JsonNode? node)
    {
        var deepest = 0;
        var pending = new Stack<(JsonNode Node, int Depth)>();
        if (node is JsonObject or JsonArray)
        {
            pending.Push((node, 1));
        }
        while (pending.TryPop(out var item))
        {
            deepest = Math.Max(deepest, item.Depth);
            IEnumerable<JsonNode?> children = item.Node is JsonObject obj ? obj.Select(p => p.Value) : (JsonArray)item.Node;
            foreach (var child in children)
            {
                if (child is JsonObject or JsonArray)
                {
                    pending.Push((child, item.Depth + 1));
                }
            }
        }
        return deepest;
    }
}
