using System.Text;
using MiniKube.ApiServer.ServiceAccounts;

namespace MiniKube.ApiServer.Tests.ServiceAccounts;

public sealed class ServiceAccountKeysTests : EmbeddedStoreFixture
{
    private string _directory = null!;

    [SetUp]
    public void MakeDirectory() => _directory = Directory.CreateTempSubdirectory("mkube-sa-keys-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task LoadOrCreate_FirstStart_WritesTheKeyFileOwnerOnlyAndTheStore()
    {
        var file = Path.Combine(_directory, "tls", "service.key");

        using var keys = await ServiceAccountKeys.LoadOrCreateAsync(Store, file, null, CancellationToken.None);

        Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.ReadAllText(file), Does.StartWith("-----BEGIN PRIVATE KEY-----"));
        var stored = await Store.GetAsync(ServiceAccountKeys.StoreKey, 0, CancellationToken.None);
        Assert.That(Encoding.UTF8.GetString(stored!.Value), Is.EqualTo(File.ReadAllText(file)));
    }

    [Test]
    public async Task LoadOrCreate_SecondServerOverTheSameStore_UsesTheFirstServersKey()
    {
        using var first = await ServiceAccountKeys.LoadOrCreateAsync(Store, Path.Combine(_directory, "a", "service.key"), null, CancellationToken.None);
        // The second server had a key of its own on disk: the store's wins and replaces it.
        var secondFile = Path.Combine(_directory, "b", "service.key");
        Directory.CreateDirectory(Path.GetDirectoryName(secondFile)!);
        using (var own = ServiceAccountKeys.Generate())
        {
            File.WriteAllText(secondFile, own.ExportPem());
        }

        using var second = await ServiceAccountKeys.LoadOrCreateAsync(Store, secondFile, null, CancellationToken.None);

        Assert.That(second.SigningKeyId, Is.EqualTo(first.SigningKeyId));
        Assert.That(File.ReadAllText(secondFile), Is.EqualTo(File.ReadAllText(Path.Combine(_directory, "a", "service.key"))));
    }

    [Test]
    public async Task LoadOrCreate_EmptyStoreWithAKeyFile_KeepsTheFilesKey()
    {
        var file = Path.Combine(_directory, "service.key");
        using var existing = ServiceAccountKeys.Generate();
        File.WriteAllText(file, existing.ExportPem());

        using var loaded = await ServiceAccountKeys.LoadOrCreateAsync(Store, file, null, CancellationToken.None);

        Assert.That(loaded.SigningKeyId, Is.EqualTo(existing.SigningKeyId));
    }

    [Test]
    public async Task LoadOrCreate_WithTheToken_StoreHoldsNoKeyInTheClear_AndAnotherServerOpensIt()
    {
        using var first = await ServiceAccountKeys.LoadOrCreateAsync(Store, Path.Combine(_directory, "a", "service.key"), "token-secret", CancellationToken.None);

        var stored = (await Store.GetAsync(ServiceAccountKeys.StoreKey, 0, CancellationToken.None))!.Value;
        using var second = await ServiceAccountKeys.LoadOrCreateAsync(Store, Path.Combine(_directory, "b", "service.key"), "token-secret", CancellationToken.None);

        Assert.That(Encoding.UTF8.GetString(stored), Does.Not.Contain("PRIVATE KEY"));
        Assert.That(second.SigningKeyId, Is.EqualTo(first.SigningKeyId));
        Assert.That(File.ReadAllText(Path.Combine(_directory, "b", "service.key")), Does.StartWith("-----BEGIN PRIVATE KEY-----"), "the data dir keeps the key in the clear, 0600, as k3s");
    }

    [Test]
    public async Task LoadOrCreate_PlainKeyFromAnEarlierVersion_IsSealedInPlace()
    {
        using var plain = await ServiceAccountKeys.LoadOrCreateAsync(Store, null, null, CancellationToken.None);

        using var sealedKeys = await ServiceAccountKeys.LoadOrCreateAsync(Store, null, "token-secret", CancellationToken.None);

        Assert.That(sealedKeys.SigningKeyId, Is.EqualTo(plain.SigningKeyId));
        var stored = (await Store.GetAsync(ServiceAccountKeys.StoreKey, 0, CancellationToken.None))!.Value;
        Assert.That(Encoding.UTF8.GetString(stored), Does.Not.Contain("PRIVATE KEY"));
    }

    [Test]
    public async Task LoadOrCreate_AnotherToken_FailsWithOneClearReason()
    {
        using var first = await ServiceAccountKeys.LoadOrCreateAsync(Store, null, "token-secret", CancellationToken.None);

        var failure = Assert.ThrowsAsync<InvalidDataException>(() => ServiceAccountKeys.LoadOrCreateAsync(Store, null, "other-secret", CancellationToken.None));

        Assert.That(failure!.Message, Does.Contain("sealed with another token: start every server of this datastore with the same --token"));
    }

    [Test]
    public void FromPem_PrivateThenPublicKeys_SignsWithThePrivateVerifiesWithAll()
    {
        using var signing = ServiceAccountKeys.Generate();
        using var retired = ServiceAccountKeys.Generate();
        var pem = retired.Signing.ExportSubjectPublicKeyInfoPem() + "\n" + signing.ExportPem();

        using var keys = ServiceAccountKeys.FromPem(pem);

        Assert.That(keys.SigningKeyId, Is.EqualTo(signing.SigningKeyId));
        Assert.That(keys.Verifying.Select(k => k.Id), Is.EquivalentTo(new[] { signing.SigningKeyId, retired.SigningKeyId }));
    }

    [Test]
    public void FromPem_OnlyPublicKeys_Refused()
    {
        using var keys = ServiceAccountKeys.Generate();

        Assert.Throws<InvalidDataException>(() => ServiceAccountKeys.FromPem(keys.Signing.ExportSubjectPublicKeyInfoPem()));
    }
}
