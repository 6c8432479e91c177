using System.Runtime.CompilerServices;
using MiniKube.Storage;

namespace MiniKube.ApiServer.WatchCache;

/// <summary>
/// The store as the API server sees it, counting the watches open on it, so /metrics can show
/// that the watch cache holds one store watch per resource whatever the number of API watchers.
/// Every other call passes straight through.
/// </summary>
internal sealed class CountingStore(IStore inner) : IStore
{
    private long _watches;

    /// <summary>Store watches open now.</summary>
    public long OpenWatches => Interlocked.Read(ref _watches);

    public Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken) => inner.GetCurrentRevisionAsync(cancellationToken);

    public Task<KeyValue?> GetAsync(string key, long revision, CancellationToken cancellationToken) => inner.GetAsync(key, revision, cancellationToken);

    public Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken) => inner.RangeAsync(request, cancellationToken);

    public Task<long> CountAsync(string prefix, CancellationToken cancellationToken) => inner.CountAsync(prefix, cancellationToken);

    public Task<WriteResult> CreateAsync(string key, byte[] value, long leaseId, CancellationToken cancellationToken) => inner.CreateAsync(key, value, leaseId, cancellationToken);

    public Task<WriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, long leaseId, CancellationToken cancellationToken) =>
        inner.UpdateAsync(key, value, expectedModRevision, leaseId, cancellationToken);

    public Task<WriteResult> DeleteAsync(string key, long expectedModRevision, CancellationToken cancellationToken) => inner.DeleteAsync(key, expectedModRevision, cancellationToken);

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _watches);
        try
        {
            await foreach (var ev in inner.WatchAsync(prefix, fromRevision, cancellationToken))
            {
                yield return ev;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _watches);
        }
    }

    public Task CompactAsync(long revision, CancellationToken cancellationToken) => inner.CompactAsync(revision, cancellationToken);

    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken) => inner.GrantLeaseAsync(ttl, cancellationToken);

    public Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken) => inner.RevokeLeaseAsync(leaseId, cancellationToken);

    /// <summary>The wrapped store belongs to whoever opened it.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
