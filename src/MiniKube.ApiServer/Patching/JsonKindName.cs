
namespace MiniKube.ApiServer.Patching;

/// <summary>
/// Names a JSON value's kind the way Go's encoding/json does in its "cannot unmarshal X into ..."
/// errors, so that decoding errors read like kube-apiserver's.
/// </summary>
internal static class JsonKindName
{
    public static string Of(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        _ => "bool",
    };
}
