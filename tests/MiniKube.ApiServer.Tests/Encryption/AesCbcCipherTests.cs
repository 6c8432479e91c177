using MiniKube.ApiServer.Encryption;

namespace MiniKube.ApiServer.Tests.Encryption;

public sealed class AesCbcCipherTests
{
    internal static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    internal static readonly byte[] Plaintext = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"data\":{\"password\":\"aHVudGVyMg==\"}}"u8.ToArray();

    // Computed independently (Python's `cryptography`: AES-256-CBC, PKCS#7) from the format
    // aes.go documents: the IV, then the padded ciphertext.
    private const string KnownAnswer = "6465666768696a6b6c6d6e6f70717273d65649f4371f6dca264fec5633b346373c6ec70cde172f408f1f50dec2ec01f2419504d6245f635d85953dec45e330bc413ef20dc73e680ba41c8085a38b25537f88893e60fb8651ca9ce717abf45ee8";
    private static readonly byte[] Iv = [.. Enumerable.Range(100, 16).Select(i => (byte)i)];

    [Test]
    public void Seal_FixedIv_MatchesKnownAnswer()
    {
        var sealedData = new AesCbcCipher(Key).Seal(Plaintext, Iv);

        Assert.That(Convert.ToHexStringLower(sealedData), Is.EqualTo(KnownAnswer));
    }

    [Test]
    public void Open_KnownAnswer_GivesThePlaintext()
    {
        Assert.That(new AesCbcCipher(Key).Open(Convert.FromHexString(KnownAnswer)), Is.EqualTo(Plaintext));
    }

    [Test]
    public void Seal_Twice_UsesFreshIvsAndBothOpen()
    {
        var cipher = new AesCbcCipher(Key);

        var first = cipher.Seal(Plaintext);
        var second = cipher.Seal(Plaintext);

        Assert.That(first, Is.Not.EqualTo(second));
        Assert.That(first, Has.Length.EqualTo(16 + 80), "IV plus the padded 71 bytes");
        Assert.That(cipher.Open(first), Is.EqualTo(Plaintext));
        Assert.That(cipher.Open(second), Is.EqualTo(Plaintext));
    }

    [Test]
    public void Open_EmptyValueSealed_RoundTrips()
    {
        var cipher = new AesCbcCipher(Key);

        Assert.That(cipher.Open(cipher.Seal([])), Is.Empty);
    }

    [Test]
    public void Open_TamperedLastBlock_FailsOnPadding()
    {
        var tampered = Convert.FromHexString(KnownAnswer);
        tampered[^1] ^= 0x01;

        Assert.That(() => new AesCbcCipher(Key).Open(tampered), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo("invalid PKCS7 padding found"));
    }

    [Test]
    public void Open_Truncated_FailsOnBlockSize()
    {
        var truncated = Convert.FromHexString(KnownAnswer)[..^3];

        Assert.That(() => new AesCbcCipher(Key).Open(truncated), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo("the stored data is not a multiple of the block size"));
        Assert.That(() => new AesCbcCipher(Key).Open(new byte[15]), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo("the stored data was shorter than the required size"));
    }

    [Test]
    public void Open_OtherKey_Fails()
    {
        var other = Key.Select(b => (byte)(b ^ 0x5a)).ToArray();

        Assert.That(() => new AesCbcCipher(other).Open(Convert.FromHexString(KnownAnswer)), Throws.TypeOf<InvalidDataException>());
    }

    [TestCase(15)]
    [TestCase(31)]
    [TestCase(64)]
    public void Constructor_KeyOfWrongSize_Throws(int size)
    {
        Assert.That(() => new AesCbcCipher(new byte[size]), Throws.ArgumentException);
    }
}
