using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Secrets (pkg/registry/core/secret/strategy.go): type Opaque by default, and the write-only
/// stringData folded into data, base64-encoded, as pkg/apis/core/v1 conversion does on decode.
/// </summary>
public sealed class SecretStrategy : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        obj.DefaultString("type", "Opaque");
        if (obj["stringData"] is not JsonObject stringData)
        {
            return;
        }
        var data = obj["data"] as JsonObject ?? [];
        foreach (var (key, value) in stringData)
        {
            data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ObjectMeta.Str(value) ?? ""));
        }
        obj["data"] = data;
        obj.Remove("stringData");
    }
}
