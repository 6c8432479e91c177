using System.Buffers.Text;
using System.Text;
using System.Text.Json.Serialization;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// The opaque <c>continue</c> token of a paginated list: the store revision the first page was
/// read at and the last key returned, so every page comes from the same snapshot (as
/// kube-apiserver's etcd3 continue tokens do).
/// </summary>
internal static partial class ContinueToken
{
    private sealed record Token(long Rev, string Start);

    // Source-generated, so the trimmed release build needs no reflection over Token.
    [JsonSerializable(typeof(Token))]
    private sealed partial class TokenJson : JsonSerializerContext;

    public static string Encode(long revision, string lastKey) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Token(revision, lastKey), TokenJson.Default.Token));

    public static (long Revision, string StartAfter) Decode(string token)
    {
        try
        {
            var decoded = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(token), TokenJson.Default.Token);
            if (decoded is { Rev: > 0, Start.Length: > 0 })
            {
                return (decoded.Rev, decoded.Start);
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            // Reported below as the same 400 the upstream server gives for a garbled token.
        }
        throw ApiException.BadRequest($"continue key is not valid: {Encoding.UTF8.GetByteCount(token)} bytes could not be decoded");
    }
}
