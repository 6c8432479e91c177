using System.Security.Cryptography;

namespace MiniKube.ApiServer.Encryption;

/// <summary>
/// The <c>aescbc</c> provider's key: AES in CBC mode with PKCS#7 padding, a fresh random
/// 16-byte IV in front of the ciphertext, as apiserver's
/// storage/value/encrypt/aes/aes.go (cbcTransformer) writes it. CBC carries no MAC: a damaged
/// value is found only when its padding no longer checks out, as upstream.
/// </summary>
internal sealed class AesCbcCipher : IEnvelopeCipher
{
    private const int BlockSize = 16;
    private readonly byte[] _key;

    public AesCbcCipher(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException($"an aescbc key must be 16, 24 or 32 bytes, not {key.Length}", nameof(key));
        }
        _key = key;
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext) => Seal(plaintext, RandomNumberGenerator.GetBytes(BlockSize));

    /// <summary>Seals with a given IV: for known-answer tests only; production IVs are random.</summary>
    internal byte[] Seal(ReadOnlySpan<byte> plaintext, byte[] iv)
    {
        using var aes = Aes.Create();
        aes.Key = _key;
        var paddedLength = (plaintext.Length / BlockSize + 1) * BlockSize;
        var result = new byte[BlockSize + paddedLength];
        iv.CopyTo(result, 0);
        aes.EncryptCbc(plaintext, iv, result.AsSpan(BlockSize), PaddingMode.PKCS7);
        return result;
    }

    public byte[] Open(ReadOnlySpan<byte> sealedData)
    {
        // The same checks and words as cbcTransformer.TransformFromStorage.
        if (sealedData.Length < BlockSize)
        {
            throw new InvalidDataException("the stored data was shorter than the required size");
        }
        var ciphertext = sealedData[BlockSize..];
        if (ciphertext.Length % BlockSize != 0)
        {
            throw new InvalidDataException("the stored data is not a multiple of the block size");
        }
        using var aes = Aes.Create();
        aes.Key = _key;
        try
        {
            return aes.DecryptCbc(ciphertext, sealedData[..BlockSize], PaddingMode.PKCS7);
        }
        catch (CryptographicException)
        {
            throw new InvalidDataException("invalid PKCS7 padding found");
        }
    }
}
