namespace MiniKube.ApiServer.Encryption;

/// <summary>
/// One key of one provider: seals a stored value and opens it again. The output carries
/// everything needed to open it but the key (the IV or nonce comes first), and never the
/// provider prefix, which <see cref="EncryptionKeyring"/> adds. Implementations are thread-safe.
/// </summary>
internal interface IEnvelopeCipher
{
    /// <summary>The random IV or nonce followed by the ciphertext.</summary>
    byte[] Seal(ReadOnlySpan<byte> plaintext);

    /// <summary>The plaintext; throws <see cref="InvalidDataException"/> for data this key did not seal
    /// (wrong key, damaged or tampered bytes); the message never contains the value.</summary>
    byte[] Open(ReadOnlySpan<byte> sealedData);
}
