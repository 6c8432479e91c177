using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniKube.ApiServer.Encryption;

namespace MiniKube.ApiServer.Tests.Encryption;

public sealed class SecretsEncryptionTests : EmbeddedStoreFixture
{
    private static readonly byte[] Value = "{\"kind\":\"Secret\",\"data\":{\"p\":\"c2VjcmV0\"}}"u8.ToArray();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));
    private string _credentials = null!;

    [SetUp]
    public void CreateDirectory() => _credentials = Path.Combine(Directory.CreateTempSubdirectory("mkube-cred-").FullName, "cred");

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(Path.GetDirectoryName(_credentials)!, recursive: true);

    private SecretsEncryption? Load(bool enable, string provider = EncryptionProviders.AesCbc) =>
        SecretsEncryption.LoadOrCreate(_credentials, enable, provider, _time, NullLogger.Instance);

    [Test]
    public void LoadOrCreate_FirstStart_WritesOneKeyOwnerOnly()
    {
        using var encryption = Load(enable: true, EncryptionProviders.Secretbox)!;

        var path = SecretsEncryption.ConfigPath(_credentials);
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(EncryptionConfiguration.Parse(File.ReadAllBytes(path)).Keys.Select(k => (k.Type, k.Key.Name)), Is.EqualTo(new[] { ("secretbox", "secretboxkey") }));
        Assert.That(File.ReadAllText(Path.Combine(_credentials, "encryption-hash")), Does.StartWith("start-"));
        var status = encryption.Status();
        Assert.That(status.Enable, Is.True);
        Assert.That(status.HashMatch, Is.True, status.HashError);
        Assert.That(status.Keys, Is.EqualTo(new[] { ("secretboxkey", "XSalsa20-POLY1305", true) }));
    }

    [Test]
    public void LoadOrCreate_NeverEnabled_IsNull()
    {
        Assert.That(Load(enable: false), Is.Null);
        Assert.That(Directory.Exists(_credentials), Is.False);
    }

    [Test]
    public void LoadOrCreate_Restart_KeepsTheKeys()
    {
        byte[] first;
        using (var encryption = Load(enable: true)!)
        {
            first = encryption.Keyring.Write(Value);
        }

        using var again = Load(enable: true, EncryptionProviders.Secretbox)!;

        Assert.That(again.Keyring.Read(first), Is.EqualTo(Value));
        Assert.That(again.Configuration.Providers[0].Type, Is.EqualTo("aescbc"), "the provider flag matters only when the file is made");
    }

    [Test]
    public void LoadOrCreate_TurnedOff_WritesPlainAndStillReads()
    {
        byte[] sealedValue;
        using (var encryption = Load(enable: true)!)
        {
            sealedValue = encryption.Keyring.Write(Value);
        }

        using var off = Load(enable: false)!;

        Assert.That(off.Enabled, Is.False);
        Assert.That(off.Keyring.Write(Value), Is.EqualTo(Value));
        Assert.That(off.Keyring.Read(sealedValue), Is.EqualTo(Value));
        Assert.That(off.Status().Enable, Is.False);
        Assert.That(() => off.RotateKeysAsync(CancellationToken.None), Throws.InvalidOperationException);
    }

    [Test]
    public async Task RotateKeys_NewKeyFirst_OldStillReads()
    {
        using var encryption = Load(enable: true)!;
        var old = encryption.Keyring.Write(Value);

        var name = await encryption.RotateKeysAsync(CancellationToken.None);

        Assert.That(name, Is.EqualTo("aescbckey-2026-12-06T10:00:00Z"));
        Assert.That(encryption.Status().Keys, Is.EqualTo(new[] { (name, "AES-CBC", true), ("aescbckey", "AES-CBC", false) }));
        Assert.That(encryption.Status().Stage, Is.EqualTo("rotate"));
        Assert.That(encryption.Keyring.Read(old), Is.EqualTo(Value));
        Assert.That(Encoding.UTF8.GetString(encryption.Keyring.Write(Value)), Does.StartWith($"k8s:enc:aescbc:v1:{name}:"));
        Assert.That(await encryption.RotateKeysAsync(CancellationToken.None), Is.EqualTo(name + "-2"), "a second rotation in the same second");
        using var reloaded = Load(enable: true)!;
        Assert.That(reloaded.Status().Keys.Select(k => k.Name), Is.EqualTo(new[] { name + "-2", name, "aescbckey" }));
        Assert.That(reloaded.Status().Stage, Is.EqualTo("rotate"));
    }

    [Test]
    public async Task Reencrypt_RewritesOldAndPlainValues_ThenDropsOldKeys()
    {
        using var encryption = Load(enable: true)!;
        await Store.CreateAsync("/registry/secrets/a/old", encryption.Keyring.Write(Value), 0, CancellationToken.None);
        await Store.CreateAsync("/registry/secrets/b/plain", Value, 0, CancellationToken.None);
        await Store.CreateAsync("/registry/configmaps/a/c", Value, 0, CancellationToken.None);
        var name = await encryption.RotateKeysAsync(CancellationToken.None);
        await Store.CreateAsync("/registry/secrets/c/new", encryption.Keyring.Write(Value), 0, CancellationToken.None);

        var rewritten = await encryption.ReencryptAsync(Store, CancellationToken.None);

        Assert.That(rewritten, Is.EqualTo(2));
        var range = await Store.RangeAsync(new Storage.RangeRequest("/registry/secrets/"), CancellationToken.None);
        Assert.That(range.Items.Select(kv => Encoding.UTF8.GetString(kv.Value)), Has.All.StartWith($"k8s:enc:aescbc:v1:{name}:"));
        Assert.That(range.Items.Select(kv => encryption.Keyring.Read(kv.Value)), Has.All.EqualTo(Value));
        Assert.That((await Store.GetAsync("/registry/configmaps/a/c", 0, CancellationToken.None))!.Value, Is.EqualTo(Value));
        Assert.That(encryption.Status().Keys.Select(k => k.Name), Is.EqualTo(new[] { name }));
        Assert.That(encryption.Status().Stage, Is.EqualTo("reencrypt_finished"));
        Assert.That(EncryptionConfiguration.Parse(File.ReadAllBytes(SecretsEncryption.ConfigPath(_credentials))).Keys.Select(k => k.Key.Name), Is.EqualTo(new[] { name }));
    }

    [Test]
    public async Task Status_FileChangedBehindTheServer_ReportsTheHashMismatch()
    {
        using var encryption = Load(enable: true)!;
        await File.WriteAllBytesAsync(SecretsEncryption.ConfigPath(_credentials), EncryptionConfiguration.Create("aescbc", "other").ToJson());

        var status = encryption.Status();

        Assert.That(status.HashMatch, Is.False);
        Assert.That(status.HashError, Does.StartWith("hash does not match between"));
    }

    [Test]
    public async Task ShareAsync_SecondServerOfTheDatastore_AdoptsTheFirstsKeys()
    {
        var other = Path.Combine(Path.GetDirectoryName(_credentials)!, "other");
        using var first = Load(enable: true)!;
        using var second = SecretsEncryption.LoadOrCreate(other, enable: true, EncryptionProviders.AesCbc, _time, NullLogger.Instance)!;
        var written = first.Keyring.Write(Value);

        await first.ShareAsync(Store, "token-secret", CancellationToken.None);
        await second.ShareAsync(Store, "token-secret", CancellationToken.None);

        Assert.That(second.Keyring.Read(written), Is.EqualTo(Value));
        Assert.That(File.ReadAllBytes(SecretsEncryption.ConfigPath(other)), Is.EqualTo(File.ReadAllBytes(SecretsEncryption.ConfigPath(_credentials))));
        var shared = Encoding.UTF8.GetString((await Store.GetAsync(SharedKeys.Key, 0, CancellationToken.None))!.Value);
        Assert.That(shared, Does.StartWith("mkube:enc:v1:").And.Not.Contain(first.Configuration.Keys.First().Key.Secret), "the datastore never holds the keys in the clear");
    }

    [Test]
    public async Task ShareAsync_RotationPublished_NextServerStartGetsTheNewKey()
    {
        using var first = Load(enable: true)!;
        await first.ShareAsync(Store, "token-secret", CancellationToken.None);
        var name = await first.RotateKeysAsync(CancellationToken.None);
        using var later = SecretsEncryption.LoadOrCreate(Path.Combine(Path.GetDirectoryName(_credentials)!, "later"), enable: true, EncryptionProviders.AesCbc, _time, NullLogger.Instance)!;

        await later.ShareAsync(Store, "token-secret", CancellationToken.None);

        Assert.That(later.Status().Keys.Select(k => k.Name), Is.EqualTo(new[] { name, "aescbckey" }));
        Assert.That(later.Keyring.Read(first.Keyring.Write(Value)), Is.EqualTo(Value));
    }

    [Test]
    public async Task ShareAsync_OtherToken_RefusesWithOneClearMessage()
    {
        using var first = Load(enable: true)!;
        await first.ShareAsync(Store, "token-secret", CancellationToken.None);
        using var second = SecretsEncryption.LoadOrCreate(Path.Combine(Path.GetDirectoryName(_credentials)!, "other"), enable: true, EncryptionProviders.AesCbc, _time, NullLogger.Instance)!;

        Assert.That(async () => await second.ShareAsync(Store, "another-secret", CancellationToken.None),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("sealed with another token"));
    }
}
