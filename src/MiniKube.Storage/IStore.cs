namespace MiniKube.Storage;

/// <summary>
/// The cluster's state store: etcd v3's contract narrowed to what an API server needs (the
/// subset kine implements). Keys are strings such as <c>/registry/pods/default/web-0</c>;
/// values are opaque bytes. One global revision counts every successful write.
/// <para>
/// Expected outcomes are results, not exceptions: a failed compare-and-swap returns
/// <see cref="WriteResult.Succeeded"/> = false with the current value. Exceptions are for the
/// rest: <see cref="CompactedException"/>, <see cref="FutureRevisionException"/>,
/// <see cref="WatchLaggedException"/>, <see cref="StoreUnavailableException"/>, and
/// <see cref="ArgumentException"/> for keys or values the store does not accept.
/// </para>
/// </summary>
public interface IStore : IAsyncDisposable
{
    /// <summary>The newest revision a read can see.</summary>
    Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken);

    /// <summary>The key at <paramref name="revision"/> (0 = latest), or null when absent.</summary>
    Task<KeyValue?> GetAsync(string key, long revision, CancellationToken cancellationToken);

    /// <summary>Keys under a prefix in key order, as one consistent snapshot at a revision.</summary>
    Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken);

    /// <summary>How many keys live under <paramref name="prefix"/> now.</summary>
    Task<long> CountAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Creates the key if it does not exist; otherwise fails with the existing value.</summary>
    Task<WriteResult> CreateAsync(string key, byte[] value, long leaseId, CancellationToken cancellationToken);

    /// <summary>Replaces the value if the key's ModRevision is <paramref name="expectedModRevision"/>.</summary>
    Task<WriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, long leaseId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the key; when <paramref name="expectedModRevision"/> is not 0, only if it matches.
    /// On success <see cref="WriteResult.Current"/> is the deleted value.
    /// </summary>
    Task<WriteResult> DeleteAsync(string key, long expectedModRevision, CancellationToken cancellationToken);

    /// <summary>
    /// Every change under <paramref name="prefix"/> with revision ≥ <paramref name="fromRevision"/>
    /// (0 = from now on), in revision order, each once, with the previous value. Throws
    /// <see cref="CompactedException"/> when the start was compacted away and
    /// <see cref="WatchLaggedException"/> when the reader fell too far behind.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken);

    /// <summary>Forgets history below <paramref name="revision"/>; the latest value of each key stays.</summary>
    Task CompactAsync(long revision, CancellationToken cancellationToken);

    /// <summary>Grants a lease; keys attached to it are deleted when it expires or is revoked.</summary>
    Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Revokes a lease now, deleting its keys.</summary>
    Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken);
}

/// <summary>One key at one revision. <see cref="Value"/> is shared and must never be mutated.</summary>
public sealed record KeyValue(string Key, byte[] Value, long CreateRevision, long ModRevision, long Version, long Lease);

/// <summary>A range query. <see cref="StartAfter"/> is the continue token: the last key of the previous page.</summary>
public sealed record RangeRequest(string Prefix, int Limit = 0, string? StartAfter = null, long Revision = 0);

/// <summary>One page of keys; <see cref="More"/> says whether keys remain after the last one.</summary>
public sealed record RangeResult(IReadOnlyList<KeyValue> Items, long Revision, bool More);

/// <summary>The outcome of a conditional write: its revision, or the current value when it failed.</summary>
public sealed record WriteResult(bool Succeeded, long Revision, KeyValue? Current);

public enum WatchEventType
{
    Put,
    Delete,
}

/// <summary>
/// One change. For a delete, <see cref="Kv"/> carries only the key and the delete's revision,
/// and <see cref="PrevKv"/> the deleted value.
/// </summary>
public sealed record WatchEvent(WatchEventType Type, KeyValue Kv, KeyValue? PrevKv)
{
    public long Revision => Kv.ModRevision;
}
