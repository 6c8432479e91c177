using System.Text;
using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Patching;

/// <summary>Helpers for writing JSON in tests and comparing it structurally.</summary>
internal static class Json
{
    public static JsonObject Object(string json) => JsonNode.Parse(json)!.AsObject();

    public static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);

    /// <summary>Asserts structural equality (member order ignored, list order not) and shows both texts on failure.</summary>
    public static void AssertEqual(JsonNode? actual, string expected)
    {
        var expectedNode = JsonNode.Parse(expected);
        Assert.That(
            JsonNode.DeepEquals(actual, expectedNode),
            Is.True,
            $"expected {expectedNode?.ToJsonString()}{Environment.NewLine}  but was {actual?.ToJsonString()}");
    }
}
