using MiniKube.ApiServer.Resources;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// Time to live of stored objects, as kube-apiserver's registry TTLFunc: Events expire
/// <see cref="EventTtl"/> (<c>--event-ttl</c>) after their last write, because every create and
/// update attaches them to a store lease that runs at least that long; the store deletes a
/// lease's keys when it expires. Other kinds never expire.
/// <para>
/// One lease serves many objects, as upstream's lease manager (apiserver
/// pkg/storage/etcd3/lease_manager.go) does: a lease granted for TTL plus a reuse window (5 % of
/// the TTL, at most a minute) is handed out again while it still outlives the TTL, to at most
/// 1,000 objects. So an object lives from its TTL to its TTL plus the window, and a burst of
/// Events costs one lease grant instead of one each. Thread-safe.
/// </para>
/// </summary>
public sealed class ObjectLeases(IStore store, TimeSpan eventTtl, TimeProvider clock)
{
    /// <summary>kube-apiserver's --event-ttl default.</summary>
    public static readonly TimeSpan DefaultEventTtl = TimeSpan.FromHours(1);

    private const int MaxObjectsPerLease = 1000;
    private static readonly TimeSpan MaxReuseWindow = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private long _lease;
    private DateTimeOffset _expires;
    private int _attached;

    /// <summary>The Events' TTL; zero: Events never expire (as upstream, whose registry asks for no lease then).</summary>
    public TimeSpan EventTtl { get; } = eventTtl >= TimeSpan.Zero ? eventTtl : throw new ArgumentOutOfRangeException(nameof(eventTtl), "the event TTL must not be negative");

    /// <summary>Whether objects of <paramref name="type"/> expire (core and events.k8s.io Events share one storage).</summary>
    public bool Expires(ResourceType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return EventTtl > TimeSpan.Zero && type.KeyPrefix == "/registry/events/";
    }

    /// <summary>The lease an object of <paramref name="type"/> is written with now: 0 (none) for kinds that do not expire.</summary>
    public async Task<long> ForWriteAsync(ResourceType type, CancellationToken cancellationToken)
    {
        if (!Expires(type))
        {
            return 0;
        }
        var reuse = TimeSpan.FromTicks(Math.Min(EventTtl.Ticks / 20, MaxReuseWindow.Ticks));
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            // Reusable while it still outlives the TTL (it was granted for TTL plus the window, so
            // no object outlives that) and has room.
            if (_lease != 0 && now + EventTtl < _expires && _attached < MaxObjectsPerLease)
            {
                _attached++;
                return _lease;
            }
        }
        // Granted outside the lock (a durable store write): writers racing here each grant one,
        // and the last one is reused.
        var lease = await store.GrantLeaseAsync(EventTtl + reuse, cancellationToken);
        lock (_lock)
        {
            (_lease, _expires, _attached) = (lease, now + EventTtl + reuse, 1);
        }
        return lease;
    }

    /// <summary>
    /// Stops handing out <paramref name="lease"/>, which the store no longer knows (revoked, or
    /// expired early because the clock jumped); the next write gets a fresh one.
    /// </summary>
    public void Forget(long lease)
    {
        lock (_lock)
        {
            if (_lease == lease)
            {
                _lease = 0;
            }
        }
    }
}
