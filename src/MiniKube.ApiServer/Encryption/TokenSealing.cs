using System.Security.Cryptography;

namespace MiniKube.ApiServer.Encryption;

/// <summary>
/// Seals what servers share through the datastore with the server token, as k3s encrypts its
/// bootstrap data with the token as passphrase: a key derived from the token's secret
/// (PBKDF2-SHA256, 100,000 rounds, random salt) and AES-256-GCM, behind a magic prefix. Only
/// servers started with the same <c>--token</c> can open it, and the datastore never holds the
/// plaintext.
/// </summary>
public static class TokenSealing
{
    // Sizes in bytes; PBKDF2 rounds.
    private const int SaltSize = 16, NonceSize = 12, TagSize = 16, Iterations = 100_000;
    private static readonly byte[] Magic = "mkube:enc:v1:"u8.ToArray();

    /// <summary>Whether <paramref name="value"/> is sealed by this scheme (rather than stored plain).</summary>
    public static bool IsSealed(ReadOnlySpan<byte> value) => value.StartsWith(Magic);

    public static byte[] Seal(ReadOnlySpan<byte> plaintext, string tokenSecret)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenSecret);
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var result = new byte[Magic.Length + SaltSize + NonceSize + TagSize + plaintext.Length];
        Magic.CopyTo(result, 0);
        salt.CopyTo(result, Magic.Length);
        nonce.CopyTo(result, Magic.Length + SaltSize);
        using var aes = new AesGcm(Derive(tokenSecret, salt), TagSize);
        var body = result.AsSpan(Magic.Length + SaltSize + NonceSize);
        aes.Encrypt(nonce, plaintext, body[TagSize..], body[..TagSize]);
        return result;
    }

    /// <summary>The plaintext; <see cref="InvalidDataException"/> naming <paramref name="what"/> when the bytes are not sealed or the token differs.</summary>
    public static byte[] Open(byte[] sealedValue, string tokenSecret, string what)
    {
        ArgumentNullException.ThrowIfNull(sealedValue);
        ArgumentException.ThrowIfNullOrEmpty(tokenSecret);
        var header = Magic.Length + SaltSize + NonceSize + TagSize;
        if (sealedValue.Length < header || !IsSealed(sealedValue))
        {
            throw new InvalidDataException($"{what} in the datastore are not sealed as mkube seals them");
        }
        var salt = sealedValue.AsSpan(Magic.Length, SaltSize).ToArray();
        var nonce = sealedValue.AsSpan(Magic.Length + SaltSize, NonceSize);
        var body = sealedValue.AsSpan(Magic.Length + SaltSize + NonceSize);
        var plaintext = new byte[body.Length - TagSize];
        using var aes = new AesGcm(Derive(tokenSecret, salt), TagSize);
        try
        {
            aes.Decrypt(nonce, body[TagSize..], body[..TagSize], plaintext);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new InvalidDataException($"{what} in the datastore are sealed with another token: start every server of this datastore with the same --token");
        }
        return plaintext;
    }

    private static byte[] Derive(string tokenSecret, byte[] salt) =>
        Rfc2898DeriveBytes.Pbkdf2(tokenSecret, salt, Iterations, HashAlgorithmName.SHA256, 32);
}
