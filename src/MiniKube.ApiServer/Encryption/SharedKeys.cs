using System.Security.Cryptography;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Encryption;

/// <summary>
/// The encryption configuration as the servers of one datastore share it, as k3s shares its
/// bootstrap data: a copy under <see cref="Key"/>, sealed with a key derived from the server
/// token's secret (PBKDF2-SHA256, random salt, AES-256-GCM), so the datastore never holds the
/// Secrets' keys in the clear and only servers given the same token can read them.
/// </summary>
internal static class SharedKeys
{
    /// <summary>Where the sealed copy lives, beside the API server's other keys of its own.</summary>
    public const string Key = "/registry/mkube/secrets-encryption";

    private const int SaltSize = 16;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Iterations = 100_000;
    private static readonly byte[] Magic = "mkube:enc:v1:"u8.ToArray();

    public static byte[] Seal(EncryptionConfiguration configuration, string tokenSecret)
    {
        var plaintext = configuration.ToJson();
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var result = new byte[Magic.Length + SaltSize + NonceSize + TagSize + plaintext.Length];
        Magic.CopyTo(result, 0);
        salt.CopyTo(result, Magic.Length);
        nonce.CopyTo(result, Magic.Length + SaltSize);
        using var aes = new AesGcm(Derive(tokenSecret, salt), TagSize);
        var body = result.AsSpan(Magic.Length + SaltSize + NonceSize);
        aes.Encrypt(nonce, plaintext, body[TagSize..], body[..TagSize]);
        CryptographicOperations.ZeroMemory(plaintext);
        return result;
    }

    /// <summary>The configuration; <see cref="InvalidDataException"/> when the bytes are not ours or the token differs.</summary>
    public static EncryptionConfiguration Open(byte[] sealedValue, string tokenSecret)
    {
        var header = Magic.Length + SaltSize + NonceSize + TagSize;
        if (sealedValue.Length < header || !sealedValue.AsSpan().StartsWith(Magic))
        {
            throw new InvalidDataException($"{Key} in the datastore is not a sealed encryption configuration");
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
            throw new InvalidDataException("the Secrets encryption keys in the datastore are sealed with another token: start every server of this datastore with the same --token");
        }
        try
        {
            return EncryptionConfiguration.Parse(plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Writes <paramref name="configuration"/> as the shared copy, whatever was there (a compare-and-swap loop).</summary>
    public static async Task PublishAsync(IStore store, EncryptionConfiguration configuration, string tokenSecret, CancellationToken cancellationToken)
    {
        var sealedValue = Seal(configuration, tokenSecret);
        var current = await store.GetAsync(Key, 0, cancellationToken);
        while (true)
        {
            var result = current is null
                ? await store.CreateAsync(Key, sealedValue, 0, cancellationToken)
                : await store.UpdateAsync(Key, sealedValue, current.ModRevision, 0, cancellationToken);
            if (result.Succeeded)
            {
                return;
            }
            current = result.Current;
        }
    }

    private static byte[] Derive(string tokenSecret, byte[] salt) =>
        Rfc2898DeriveBytes.Pbkdf2(tokenSecret, salt, Iterations, HashAlgorithmName.SHA256, 32);
}
