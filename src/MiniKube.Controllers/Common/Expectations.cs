using System.Collections.Concurrent;

namespace MiniKube.Controllers.Common;

/// <summary>
/// client-go's ControllerExpectations (pkg/controller/controller_utils.go): after a sync issues
/// N creates or deletes for an owner, the owner is not synced again until the informer has seen
/// them all (or five minutes pass), so a cache that lags behind our own writes never makes the
/// controller create or delete twice. Keys are owner keys ("namespace/name").
/// </summary>
public sealed class Expectations(TimeProvider time)
{
    /// <summary>Upstream's ExpectationsTimeout: expectations older than this are considered met.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    private sealed class Pending(long adds, long deletes, DateTimeOffset setAt)
    {
        public long Adds = adds;
        public long Deletes = deletes;

        public DateTimeOffset SetAt { get; } = setAt;
    }

    /// <summary>Whether the owner may be synced: nothing outstanding, never set, or expired.</summary>
    public bool Satisfied(string key)
    {
        if (!_pending.TryGetValue(key, out var pending))
        {
            return true;
        }
        return (Interlocked.Read(ref pending.Adds) <= 0 && Interlocked.Read(ref pending.Deletes) <= 0)
            || time.GetUtcNow() - pending.SetAt > Timeout;
    }

    public void ExpectCreations(string key, int count) => _pending[key] = new Pending(count, 0, time.GetUtcNow());

    public void ExpectDeletions(string key, int count) => _pending[key] = new Pending(0, count, time.GetUtcNow());

    /// <summary>The informer saw one of the expected objects appear (or a create failed, so it never will).</summary>
    public void CreationObserved(string key)
    {
        if (_pending.TryGetValue(key, out var pending))
        {
            Interlocked.Decrement(ref pending.Adds);
        }
    }

    /// <summary>The informer saw one of the expected objects go (or a delete failed).</summary>
    public void DeletionObserved(string key)
    {
        if (_pending.TryGetValue(key, out var pending))
        {
            Interlocked.Decrement(ref pending.Deletes);
        }
    }

    /// <summary>The owner is gone: forget it.</summary>
    public void Delete(string key) => _pending.TryRemove(key, out _);
}
