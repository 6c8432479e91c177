using System.Security.Cryptography;
using System.Text;

namespace MiniKube.ApiServer.Encryption;

/// <summary>
/// The value transformer of one <see cref="EncryptionConfiguration"/>, as apiserver's
/// storage/value/transformer.go (prefixTransformers) applies it: writes go through the first
/// provider, as <c>k8s:enc:&lt;provider&gt;:v1:&lt;key name&gt;:</c> followed by the sealed bytes
/// (identity writes the value as it is); reads take the first provider whose prefix the value
/// starts with. Identity reads anything that is not an envelope, so values stored before
/// encryption was turned on stay readable. Immutable and thread-safe.
/// </summary>
internal sealed class EncryptionKeyring
{
    private static readonly byte[] EnvelopeMarker = "k8s:enc:"u8.ToArray();
    private readonly List<(byte[] Prefix, IEnvelopeCipher? Cipher)> _providers = [];

    public EncryptionKeyring(EncryptionConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Configuration = configuration;
        foreach (var provider in configuration.Providers)
        {
            if (provider.Type == EncryptionProviders.Identity)
            {
                _providers.Add(([], null));
                continue;
            }
            foreach (var key in provider.Keys)
            {
                var bytes = EncryptionConfiguration.KeyBytes(key.Secret, key.Name);
                IEnvelopeCipher cipher = provider.Type == EncryptionProviders.Secretbox ? new SecretboxCipher(bytes) : new AesCbcCipher(bytes);
                _providers.Add((Prefix(provider.Type, key.Name), cipher));
            }
        }
    }

    public EncryptionConfiguration Configuration { get; }

    /// <summary>The envelope prefix of a key: <c>k8s:enc:aescbc:v1:NAME:</c>.</summary>
    public static byte[] Prefix(string provider, string keyName) => Encoding.UTF8.GetBytes($"k8s:enc:{provider}:v1:{keyName}:");

    /// <summary>The stored form of <paramref name="value"/>, through the first provider.</summary>
    public byte[] Write(ReadOnlySpan<byte> value)
    {
        var (prefix, cipher) = _providers[0];
        if (cipher is null)
        {
            return value.ToArray();
        }
        var sealedData = cipher.Seal(value);
        var result = new byte[prefix.Length + sealedData.Length];
        prefix.CopyTo(result, 0);
        sealedData.CopyTo(result, prefix.Length);
        CryptographicOperations.ZeroMemory(sealedData);
        return result;
    }

    /// <summary>The value behind a stored form; throws <see cref="InvalidDataException"/> when no provider can read it.</summary>
    public byte[] Read(byte[] stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var identitySkipped = false;
        foreach (var (prefix, cipher) in _providers)
        {
            if (cipher is null)
            {
                // Identity must not hand out an envelope as if it were the object; the next provider may read it.
                if (!stored.AsSpan().StartsWith(EnvelopeMarker))
                {
                    return stored;
                }
                identitySkipped = true;
                continue;
            }
            if (stored.AsSpan().StartsWith(prefix))
            {
                return cipher.Open(stored.AsSpan(prefix.Length));
            }
        }
        throw new InvalidDataException(identitySkipped ? "identity transformer tried to read encrypted data" : "no matching prefix found");
    }

    /// <summary>Whether <paramref name="stored"/> was written by the first provider, so a reencrypt can leave it alone.</summary>
    public bool IsCurrent(ReadOnlySpan<byte> stored)
    {
        var (prefix, cipher) = _providers[0];
        return cipher is null ? !stored.StartsWith(EnvelopeMarker) : stored.StartsWith(prefix);
    }
}
