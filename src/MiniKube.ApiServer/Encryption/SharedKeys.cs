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

    public static byte[] Seal(EncryptionConfiguration configuration, string tokenSecret)
    {
        var plaintext = configuration.ToJson();
        try
        {
            return TokenSealing.Seal(plaintext, tokenSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The configuration; <see cref="InvalidDataException"/> when the bytes are not ours or the token differs.</summary>
    public static EncryptionConfiguration Open(byte[] sealedValue, string tokenSecret)
    {
        var plaintext = TokenSealing.Open(sealedValue, tokenSecret, "the Secrets encryption keys");
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
}
