using System.Text;
using MiniKube.ApiServer.Encryption;

namespace MiniKube.ApiServer.Tests.Encryption;

public sealed class EncryptionKeyringTests
{
    private static readonly EncryptionKey First = new("first", Convert.ToBase64String(AesCbcCipherTests.Key));
    private static readonly EncryptionKey Second = EncryptionConfiguration.NewKey("second");

    private static EncryptionKeyring Keyring(params EncryptionProvider[] providers) => new(new EncryptionConfiguration(providers));

    private static EncryptionProvider AesCbc(params EncryptionKey[] keys) => new(EncryptionProviders.AesCbc, keys);

    private static readonly EncryptionProvider Identity = new(EncryptionProviders.Identity, []);

    [Test]
    public void Write_AesCbcFirst_IsUpstreamsEnvelope()
    {
        var keyring = Keyring(AesCbc(First), Identity);

        var stored = keyring.Write(AesCbcCipherTests.Plaintext);

        var prefix = "k8s:enc:aescbc:v1:first:"u8.ToArray();
        Assert.That(stored.AsSpan().StartsWith(prefix), Is.True);
        Assert.That(new AesCbcCipher(AesCbcCipherTests.Key).Open(stored.AsSpan(prefix.Length)), Is.EqualTo(AesCbcCipherTests.Plaintext), "the rest is aes.go's IV ‖ ciphertext");
        Assert.That(keyring.Read(stored), Is.EqualTo(AesCbcCipherTests.Plaintext));
        Assert.That(keyring.IsCurrent(stored), Is.True);
    }

    [Test]
    public void Write_SecretboxFirst_CarriesItsPrefix()
    {
        var keyring = Keyring(new EncryptionProvider(EncryptionProviders.Secretbox, [First]), Identity);

        var stored = keyring.Write(AesCbcCipherTests.Plaintext);

        Assert.That(Encoding.UTF8.GetString(stored), Does.StartWith("k8s:enc:secretbox:v1:first:"));
        Assert.That(keyring.Read(stored), Is.EqualTo(AesCbcCipherTests.Plaintext));
    }

    [Test]
    public void Read_PlainValueWithIdentityConfigured_IsReadAsItIs()
    {
        var keyring = Keyring(AesCbc(First), Identity);

        Assert.That(keyring.Read(AesCbcCipherTests.Plaintext), Is.EqualTo(AesCbcCipherTests.Plaintext));
        Assert.That(keyring.IsCurrent(AesCbcCipherTests.Plaintext), Is.False, "a reencrypt rewrites plain values");
    }

    [Test]
    public void Read_OlderKey_StillReadsButIsNotCurrent()
    {
        var old = Keyring(AesCbc(First), Identity).Write(AesCbcCipherTests.Plaintext);
        var rotated = Keyring(AesCbc(Second, First), Identity);

        Assert.That(rotated.Read(old), Is.EqualTo(AesCbcCipherTests.Plaintext));
        Assert.That(rotated.IsCurrent(old), Is.False);
        Assert.That(Encoding.UTF8.GetString(rotated.Write(AesCbcCipherTests.Plaintext)), Does.StartWith("k8s:enc:aescbc:v1:second:"));
    }

    [Test]
    public void Read_IdentityFirst_WritesPlainAndReadsEnvelopes()
    {
        var sealedValue = Keyring(AesCbc(First), Identity).Write(AesCbcCipherTests.Plaintext);
        var disabled = Keyring(Identity, AesCbc(First));

        Assert.That(disabled.Write(AesCbcCipherTests.Plaintext), Is.EqualTo(AesCbcCipherTests.Plaintext));
        Assert.That(disabled.Read(sealedValue), Is.EqualTo(AesCbcCipherTests.Plaintext), "identity passes an envelope on to the next provider");
    }

    [Test]
    public void Read_EnvelopeOfUnknownKey_IsAnErrorNotTheEnvelope()
    {
        var sealedValue = Keyring(AesCbc(Second), Identity).Write(AesCbcCipherTests.Plaintext);

        Assert.That(() => Keyring(AesCbc(First), Identity).Read(sealedValue), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo("identity transformer tried to read encrypted data"));
        Assert.That(() => Keyring(AesCbc(First)).Read(AesCbcCipherTests.Plaintext), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo("no matching prefix found"));
    }

    [Test]
    public void Read_TamperedEnvelope_Fails()
    {
        var keyring = Keyring(new EncryptionProvider(EncryptionProviders.Secretbox, [First]), Identity);
        var stored = keyring.Write(AesCbcCipherTests.Plaintext);
        stored[^1] ^= 1;

        Assert.That(() => keyring.Read(stored), Throws.TypeOf<InvalidDataException>());
    }
}
