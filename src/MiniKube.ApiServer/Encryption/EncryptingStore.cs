using System.Runtime.CompilerServices;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Encryption;

/// <summary>
/// The store as the API server sees it when Secrets are encrypted at rest: the one seam where
/// apiserver's value transformer sits (storage/etcd3/store.go calls it on every value it reads
/// or writes). Values of keys under <c>/registry/secrets/</c> are sealed on their way in and
/// opened on their way out — gets, ranges, both sides of a compare-and-swap, the value a delete
/// returns, and both values of every watch event — so the registry, the watch cache, server-side
/// apply and every other reader above see plain objects, and the store below never does. Other
/// keys pass untouched. The keyring is read per call, so a key rotation takes effect at once.
/// </summary>
internal sealed class EncryptingStore(IStore inner, SecretsEncryption encryption) : IStore
{
    /// <summary>Where Secrets live (the registry's key layout: /registry/&lt;resource&gt;/…).</summary>
    public const string SecretsPrefix = "/registry/secrets/";

    public static bool IsSecret(string key) => key.StartsWith(SecretsPrefix, StringComparison.Ordinal);

    public Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken) => inner.GetCurrentRevisionAsync(cancellationToken);

    public async Task<KeyValue?> GetAsync(string key, long revision, CancellationToken cancellationToken) =>
        Open(await inner.GetAsync(key, revision, cancellationToken));

    public async Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken)
    {
        var result = await inner.RangeAsync(request, cancellationToken);
        if (!MayHoldSecrets(request.Prefix))
        {
            return result;
        }
        return result with { Items = result.Items.Select(kv => Open(kv)!).ToList() };
    }

    public Task<long> CountAsync(string prefix, CancellationToken cancellationToken) => inner.CountAsync(prefix, cancellationToken);

    public async Task<WriteResult> CreateAsync(string key, byte[] value, long leaseId, CancellationToken cancellationToken) =>
        Open(await inner.CreateAsync(key, Seal(key, value), leaseId, cancellationToken));

    public async Task<WriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, long leaseId, CancellationToken cancellationToken) =>
        Open(await inner.UpdateAsync(key, Seal(key, value), expectedModRevision, leaseId, cancellationToken));

    public async Task<WriteResult> DeleteAsync(string key, long expectedModRevision, CancellationToken cancellationToken) =>
        Open(await inner.DeleteAsync(key, expectedModRevision, cancellationToken));

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var transform = MayHoldSecrets(prefix);
        await foreach (var ev in inner.WatchAsync(prefix, fromRevision, cancellationToken))
        {
            yield return transform ? ev with { Kv = Open(ev.Kv)!, PrevKv = Open(ev.PrevKv) } : ev;
        }
    }

    public Task CompactAsync(long revision, CancellationToken cancellationToken) => inner.CompactAsync(revision, cancellationToken);

    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken) => inner.GrantLeaseAsync(ttl, cancellationToken);

    public Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken) => inner.RevokeLeaseAsync(leaseId, cancellationToken);

    /// <summary>The wrapped store belongs to whoever opened it.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // A range or watch over a wider prefix (/registry/) may reach Secrets too.
    private static bool MayHoldSecrets(string prefix) => IsSecret(prefix) || SecretsPrefix.StartsWith(prefix, StringComparison.Ordinal);

    private byte[] Seal(string key, byte[] value) => IsSecret(key) ? encryption.Keyring.Write(value) : value;

    private KeyValue? Open(KeyValue? kv)
    {
        if (kv is null || kv.Value.Length == 0 || !IsSecret(kv.Key))
        {
            return kv;
        }
        try
        {
            return kv with { Value = encryption.Keyring.Read(kv.Value) };
        }
        catch (InvalidDataException e)
        {
            // As storage/etcd3's wording; a 500 InternalError to the client (the key names the Secret, no value is shown).
            throw new InvalidDataException($"unable to transform key \"{kv.Key}\": {e.Message}", e);
        }
    }

    private WriteResult Open(WriteResult result) => result.Current is null ? result : result with { Current = Open(result.Current) };
}
