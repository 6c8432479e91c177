using System.Text;

namespace MiniKube.ApiServer.Patching;

/// <summary>
/// The first YAML document of a request body as JSON nodes, through the shared
/// <see cref="YamlJson"/> (aliases refused, depth bounded, YAML 1.2 core schema), with its
/// failures as kube-apiserver reports them: 400 "error decoding patch: …".
/// </summary>
internal static class YamlToJson
{
    /// <exception cref="PatchException">400 for YAML that does not parse, aliases, non-scalar keys or too deep nesting.</exception>
    public static JsonNode? Convert(ReadOnlySpan<byte> body, int maxDepth)
    {
        try
        {
            return YamlJson.ReadFirstDocument(Encoding.UTF8.GetString(body), maxDepth);
        }
        catch (InvalidYamlException ex)
        {
            throw PatchException.BadRequest("error decoding patch: " + ex.Message);
        }
    }
}
