using MiniKube.ApiServer.Encryption;

namespace MiniKube.ApiServer.Tests.Encryption;

public sealed class SecretboxCipherTests
{
    // Computed independently from NaCl's definition of crypto_secretbox (an XSalsa20 written
    // for the purpose in Python, Poly1305 from Python's `cryptography`): nonce, tag, ciphertext.
    private const string KnownAnswer = "c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedff2dba62bc243fc2decc0f110e13c3a3881700e05296434b0fe81ecad8c079d79d431b2b768d44be5441dbfcdecd05093ebb499698eb92fec1a1f97f4b2b228c2bef79882fd1e99bc593359ec0fec9f88d7e1c277e752";
    private static readonly byte[] Nonce = [.. Enumerable.Range(200, 24).Select(i => (byte)i)];

    [Test]
    public void Seal_FixedNonce_MatchesKnownAnswer()
    {
        var sealedData = new SecretboxCipher(AesCbcCipherTests.Key).Seal(AesCbcCipherTests.Plaintext, Nonce);

        Assert.That(Convert.ToHexStringLower(sealedData), Is.EqualTo(KnownAnswer));
    }

    [Test]
    public void Open_KnownAnswer_GivesThePlaintext()
    {
        Assert.That(new SecretboxCipher(AesCbcCipherTests.Key).Open(Convert.FromHexString(KnownAnswer)), Is.EqualTo(AesCbcCipherTests.Plaintext));
    }

    [Test]
    public void Seal_Twice_UsesFreshNoncesAndBothOpen()
    {
        var cipher = new SecretboxCipher(AesCbcCipherTests.Key);

        var first = cipher.Seal(AesCbcCipherTests.Plaintext);
        var second = cipher.Seal(AesCbcCipherTests.Plaintext);

        Assert.That(first, Is.Not.EqualTo(second));
        Assert.That(first, Has.Length.EqualTo(24 + 16 + AesCbcCipherTests.Plaintext.Length));
        Assert.That(cipher.Open(second), Is.EqualTo(AesCbcCipherTests.Plaintext));
        Assert.That(cipher.Open(cipher.Seal([])), Is.Empty);
    }

    [Test]
    public void Open_AnyByteFlipped_FailsAuthentication()
    {
        var cipher = new SecretboxCipher(AesCbcCipherTests.Key);
        var original = Convert.FromHexString(KnownAnswer);

        for (var i = 0; i < original.Length; i++)
        {
            var tampered = (byte[])original.Clone();
            tampered[i] ^= 0x80;
            Assert.That(() => cipher.Open(tampered), Throws.TypeOf<InvalidDataException>(), $"byte {i}");
        }
    }

    [Test]
    public void Open_OtherKeyOrTooShort_Fails()
    {
        var other = new SecretboxCipher(new byte[32]);

        Assert.That(() => other.Open(Convert.FromHexString(KnownAnswer)), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo("output array was not large enough for encryption"));
        Assert.That(() => other.Open(new byte[39]), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo("the stored data was shorter than the required size"));
    }

    [Test]
    public void Constructor_KeyNot32Bytes_Throws()
    {
        Assert.That(() => new SecretboxCipher(new byte[16]), Throws.ArgumentException);
    }
}
