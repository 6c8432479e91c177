using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace MiniKube.ApiServer.Encryption;

/// <summary>
/// The <c>secretbox</c> provider's key: NaCl's crypto_secretbox (XSalsa20 and Poly1305) with a
/// fresh random 24-byte nonce in front, as apiserver's storage/value/encrypt/secretbox writes
/// it through Go's x/crypto/nacl/secretbox: nonce ‖ Poly1305 tag (16) ‖ ciphertext.
/// <para>
/// .NET has neither cipher, so the two primitives come from BouncyCastle (managed, so the single
/// binary needs no native library on x64 or arm64), composed as the box is defined: the first 32
/// bytes of the XSalsa20 key stream are the one-time Poly1305 key, the message is XORed with the
/// stream from byte 32 on, and the tag covers the ciphertext.
/// </para>
/// </summary>
internal sealed class SecretboxCipher : IEnvelopeCipher
{
    public const int KeySize = 32;
    private const int NonceSize = 24;
    private const int TagSize = 16;
    private const int OneTimeKeySize = 32;
    private readonly byte[] _key;

    public SecretboxCipher(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"a secretbox key must be 32 bytes, not {key.Length}", nameof(key));
        }
        _key = key;
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext) => Seal(plaintext, RandomNumberGenerator.GetBytes(NonceSize));

    /// <summary>Seals with a given nonce: for known-answer tests only; production nonces are random.</summary>
    internal byte[] Seal(ReadOnlySpan<byte> plaintext, byte[] nonce)
    {
        var result = new byte[NonceSize + TagSize + plaintext.Length];
        nonce.CopyTo(result, 0);
        var stream = KeyStream(nonce, out var oneTimeKey);
        var ciphertext = result.AsSpan(NonceSize + TagSize);
        stream.ProcessBytes(plaintext, ciphertext);
        Tag(oneTimeKey, ciphertext, result.AsSpan(NonceSize, TagSize));
        return result;
    }

    public byte[] Open(ReadOnlySpan<byte> sealedData)
    {
        // The same check and words as secretboxTransformer.TransformFromStorage.
        if (sealedData.Length < NonceSize + TagSize)
        {
            throw new InvalidDataException("the stored data was shorter than the required size");
        }
        var stream = KeyStream(sealedData[..NonceSize].ToArray(), out var oneTimeKey);
        var ciphertext = sealedData[(NonceSize + TagSize)..];
        Span<byte> expected = stackalloc byte[TagSize];
        Tag(oneTimeKey, ciphertext, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, sealedData.Slice(NonceSize, TagSize)))
        {
            throw new InvalidDataException("output array was not large enough for encryption");
        }
        var plaintext = new byte[ciphertext.Length];
        stream.ProcessBytes(ciphertext, plaintext);
        return plaintext;
    }

    /// <summary>XSalsa20 under the key and nonce, advanced past the 32 bytes that became <paramref name="oneTimeKey"/>.</summary>
    private XSalsa20Engine KeyStream(byte[] nonce, out byte[] oneTimeKey)
    {
        var engine = new XSalsa20Engine();
        engine.Init(true, new ParametersWithIV(new KeyParameter(_key), nonce));
        oneTimeKey = new byte[OneTimeKeySize];
        engine.ProcessBytes(new byte[OneTimeKeySize], oneTimeKey);
        return engine;
    }

    private static void Tag(byte[] oneTimeKey, ReadOnlySpan<byte> ciphertext, Span<byte> tag)
    {
        // Poly1305 without a block cipher takes r ‖ s and clamps r itself.
        var mac = new Poly1305();
        mac.Init(new KeyParameter(oneTimeKey));
        mac.BlockUpdate(ciphertext);
        mac.DoFinal(tag);
        CryptographicOperations.ZeroMemory(oneTimeKey);
    }
}
