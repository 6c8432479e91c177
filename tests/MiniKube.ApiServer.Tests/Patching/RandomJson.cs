using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Patching;

/// <summary>Seeded random JSON for property-style tests; keys include the pointer-escaped characters.</summary>
internal static class RandomJson
{
    private static readonly string[] Keys = ["a", "b", "name", "x/y", "t~n", "~1", "spec", "3"];

    public static JsonObject Object(Random random, int depth)
    {
        var obj = new JsonObject();
        var count = random.Next(0, 4);
        for (var i = 0; i < count; i++)
        {
            obj[Keys[random.Next(Keys.Length)]] = Value(random, depth - 1);
        }
        return obj;
    }

    public static JsonNode Value(Random random, int depth)
    {
        var choice = depth <= 0 ? random.Next(3) : random.Next(5);
        return choice switch
        {
            0 => JsonValue.Create(random.Next(-5, 100)),
            1 => JsonValue.Create(Keys[random.Next(Keys.Length)]),
            2 => JsonValue.Create(random.Next(2) == 0),
            3 => Object(random, depth),
            _ => Array(random, depth),
        };
    }

    /// <summary>An escaped pointer to a member not yet present in some object of the document.</summary>
    public static string NewMemberPath(Random random, JsonObject document)
    {
        var pointer = "";
        var current = document;
        while (random.Next(2) == 0 && current.Where(p => p.Value is JsonObject).ToList() is { Count: > 0 } children)
        {
            var (key, child) = children[random.Next(children.Count)];
            pointer += "/" + Escape(key);
            current = child!.AsObject();
        }
        var fresh = "new~/" + random.Next(1000);
        return pointer + "/" + Escape(fresh);
    }

    private static JsonArray Array(Random random, int depth)
    {
        var array = new JsonArray();
        var count = random.Next(0, 3);
        for (var i = 0; i < count; i++)
        {
            array.Add(Value(random, depth - 1));
        }
        return array;
    }

    private static string Escape(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
