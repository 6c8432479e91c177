using System.Buffers.Text;
using System.Text;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// The opaque <c>continue</c> token of a paginated list: the store revision the first page was
/// read at and the last key returned, so every page comes from the same snapshot (as
/// kube-apiserver's etcd3 continue tokens do).
/// </summary>
internal static class ContinueToken
{
    private sealed record Token(long Rev, string Start);

    public static string Encode(long revision, string lastKey) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Token(revision, lastKey)));

    public static (long Revision, string StartAfter) Decode(string token)
    {
        try
        {
            var decoded = JsonSerializer.Deserialize<Token>(Base64Url.DecodeFromChars(token));
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
