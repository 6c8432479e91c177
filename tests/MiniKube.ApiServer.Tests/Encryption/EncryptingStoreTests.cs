using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.ApiServer.Encryption;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Tests.Encryption;

public sealed class EncryptingStoreTests : EmbeddedStoreFixture
{
    private const string Key = "/registry/secrets/default/db";
    private static readonly byte[] Value = "{\"kind\":\"Secret\",\"data\":{\"p\":\"c2VjcmV0\"}}"u8.ToArray();
    private string _credentials = null!;
    private SecretsEncryption _encryption = null!;
    private EncryptingStore _store = null!;

    [SetUp]
    public void CreateEncryption()
    {
        _credentials = Directory.CreateTempSubdirectory("mkube-cred-").FullName;
        _encryption = SecretsEncryption.LoadOrCreate(_credentials, enable: true, EncryptionProviders.AesCbc, TimeProvider.System, NullLogger.Instance)!;
        _store = new EncryptingStore(Store, _encryption);
    }

    [TearDown]
    public async Task RemoveEncryption()
    {
        await _store.DisposeAsync();
        _encryption.Dispose();
        Directory.Delete(_credentials, recursive: true);
    }

    [Test]
    public async Task Create_Secret_IsSealedBelowAndPlainAbove()
    {
        await _store.CreateAsync(Key, Value, 0, CancellationToken.None);

        var raw = await Store.GetAsync(Key, 0, CancellationToken.None);
        var seen = await _store.GetAsync(Key, 0, CancellationToken.None);
        var range = await _store.RangeAsync(new RangeRequest("/registry/"), CancellationToken.None);

        Assert.That(Encoding.UTF8.GetString(raw!.Value), Does.StartWith("k8s:enc:aescbc:v1:aescbckey:").And.Not.Contain("c2VjcmV0"));
        Assert.That(seen!.Value, Is.EqualTo(Value));
        Assert.That(range.Items.Single().Value, Is.EqualTo(Value), "a range over a wider prefix opens Secrets too");
    }

    [Test]
    public async Task Create_OtherResource_IsStoredAsItIs()
    {
        await _store.CreateAsync("/registry/configmaps/default/c", Value, 0, CancellationToken.None);
        await _store.CreateAsync("/registry/secretsx/default/c", Value, 0, CancellationToken.None);

        Assert.That((await Store.GetAsync("/registry/configmaps/default/c", 0, CancellationToken.None))!.Value, Is.EqualTo(Value));
        Assert.That((await Store.GetAsync("/registry/secretsx/default/c", 0, CancellationToken.None))!.Value, Is.EqualTo(Value));
    }

    [Test]
    public async Task UpdateAndDelete_CurrentValues_AreOpened()
    {
        var created = await _store.CreateAsync(Key, Value, 0, CancellationToken.None);

        var lost = await _store.UpdateAsync(Key, Value, created.Revision + 100, 0, CancellationToken.None);
        var again = await _store.CreateAsync(Key, Value, 0, CancellationToken.None);
        var deleted = await _store.DeleteAsync(Key, 0, CancellationToken.None);

        Assert.That(lost.Succeeded, Is.False);
        Assert.That(lost.Current!.Value, Is.EqualTo(Value), "a lost compare-and-swap hands back the plain object");
        Assert.That(again.Current!.Value, Is.EqualTo(Value));
        Assert.That(deleted.Current!.Value, Is.EqualTo(Value));
    }

    [Test]
    public async Task Watch_SecretEvents_CarryPlainValues()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var start = await Store.GetCurrentRevisionAsync(cancel.Token) + 1;
        await _store.CreateAsync(Key, Value, 0, cancel.Token);
        await _store.DeleteAsync(Key, 0, cancel.Token);

        var events = new List<WatchEvent>();
        await foreach (var ev in _store.WatchAsync("/registry/secrets/", start, cancel.Token))
        {
            events.Add(ev);
            if (events.Count == 2)
            {
                break;
            }
        }

        Assert.That(events[0].Kv.Value, Is.EqualTo(Value));
        Assert.That(events[1].Type, Is.EqualTo(WatchEventType.Delete));
        Assert.That(events[1].PrevKv!.Value, Is.EqualTo(Value));
    }

    [Test]
    public async Task Get_UnreadableEnvelope_FailsNamingTheKeyOnly()
    {
        await Store.CreateAsync(Key, "k8s:enc:aescbc:v1:gone:0123456789abcdef0123456789abcdef"u8.ToArray(), 0, CancellationToken.None);

        Assert.That(async () => await _store.GetAsync(Key, 0, CancellationToken.None),
            Throws.TypeOf<InvalidDataException>().With.Message.EqualTo($"unable to transform key \"{Key}\": identity transformer tried to read encrypted data"));
    }
}
