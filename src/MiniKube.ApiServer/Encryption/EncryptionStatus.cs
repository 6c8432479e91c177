namespace MiniKube.ApiServer.Encryption;

/// <summary>
/// What <c>/v1-mkube/encrypt/status</c> answers, in k3s' EncryptionState JSON names
/// (pkg/server/secrets-encrypt.go) plus the key types. Carries key names only, never key material.
/// </summary>
public sealed record EncryptionStatus(bool? Enable, string Stage, bool HashMatch, string? HashError, IReadOnlyList<(string Name, string Type, bool Active)> Keys)
{
    /// <summary>The JSON body: stage, activekey, enable, hashmatch, hasherror, inactivekeys as k3s, and keys with their types.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["stage"] = Stage, ["activekey"] = Keys.FirstOrDefault(k => k.Active).Name ?? "" };
        if (Enable is { } enable)
        {
            json["enable"] = enable;
        }
        if (HashMatch)
        {
            json["hashmatch"] = true;
        }
        if (HashError is not null)
        {
            json["hasherror"] = HashError;
        }
        var inactive = Keys.Where(k => !k.Active).Select(k => (JsonNode)k.Name).ToArray();
        if (inactive.Length > 0)
        {
            json["inactivekeys"] = new JsonArray(inactive);
        }
        json["keys"] = new JsonArray(Keys.Select(k => (JsonNode)new JsonObject { ["name"] = k.Name, ["type"] = k.Type, ["active"] = k.Active }).ToArray());
        return json;
    }
}
