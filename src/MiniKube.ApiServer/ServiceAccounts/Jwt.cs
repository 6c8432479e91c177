using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace MiniKube.ApiServer.ServiceAccounts;

/// <summary>
/// JSON Web Signatures in compact form, RS256 only (RSASSA-PKCS1-v1_5 over SHA-256, upstream's
/// default for service-account keys and what every OIDC consumer accepts), over
/// System.Security.Cryptography and the UTF-8 JSON reader: no JOSE library, no reflection. The
/// header carries <c>alg</c> and <c>kid</c> as upstream's signer writes them (go-jose).
/// </summary>
public static class Jwt
{
    /// <summary>The one algorithm signed and accepted.</summary>
    public const string Algorithm = "RS256";

    /// <summary>Signs <paramref name="payload"/> (the claims' UTF-8 JSON) with <paramref name="key"/>.</summary>
    public static string Sign(RSA key, string keyId, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(key);
        var header = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", Algorithm);
            writer.WriteString("kid", keyId);
            writer.WriteEndObject();
        }
        var signingInput = Base64Url.EncodeToString(header.WrittenSpan) + "." + Base64Url.EncodeToString(payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Whether <paramref name="token"/> has the shape of a compact JWS (three base64url parts).</summary>
    public static bool LooksLikeJwt(string token) =>
        token.Count(c => c == '.') == 2 && !token.StartsWith('.') && !token.EndsWith('.');

    /// <summary>
    /// The payload of <paramref name="token"/> when its signature verifies under the key its
    /// <c>kid</c> names (every key when it names none); null for anything malformed, another
    /// algorithm (<c>none</c> included) or a signature no key verifies.
    /// </summary>
    public static byte[]? Verify(string token, Func<string, IEnumerable<RSA>> keysFor)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(keysFor);
        var first = token.IndexOf('.', StringComparison.Ordinal);
        var last = token.LastIndexOf('.');
        if (first <= 0 || last <= first || last == token.Length - 1 || token.IndexOf('.', first + 1) != last)
        {
            return null;
        }
        if (!TryDecode(token.AsSpan(0, first), out var header) || ReadHeader(header) is not { } keyId
            || !TryDecode(token.AsSpan(last + 1), out var signature) || !TryDecode(token.AsSpan(first + 1, last - first - 1), out var payload))
        {
            return null;
        }
        var signingInput = Encoding.ASCII.GetBytes(token, 0, last);
        foreach (var key in keysFor(keyId))
        {
            if (key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return payload;
            }
        }
        return null;
    }

    private static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (!Base64Url.IsValid(text))
        {
            return false;
        }
        bytes = Base64Url.DecodeFromChars(text);
        return true;
    }

    // The header's kid ("" when absent), or null when it is not JSON or its alg is not RS256.
    private static string? ReadHeader(byte[] header)
    {
        string? alg = null;
        var kid = "";
        try
        {
            var reader = new Utf8JsonReader(header);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "alg" when reader.TokenType == JsonTokenType.String:
                        alg = reader.GetString();
                        break;
                    case "kid" when reader.TokenType == JsonTokenType.String:
                        kid = reader.GetString() ?? "";
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }
        return alg == Algorithm ? kid : null;
    }
}
