namespace MiniKube.Storage.Embedded;

/// <summary>Settings of the embedded store; the defaults suit a node from a Pi to a server.</summary>
public sealed class EmbeddedStoreOptions
{
    /// <summary>The store's own directory, e.g. <c>/var/lib/mkube/server/db</c>.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// Automatic compaction keeps at least this much history by time… Five minutes is what a
    /// Kubernetes client can count on upstream: kube-apiserver (apiserver pkg/storage/etcd3/compact.go,
    /// <c>--etcd-compaction-interval</c>) and kine compact every 5 minutes to the revision of the
    /// previous tick, so their history swings between 5 and 10 minutes. Compacting every
    /// <see cref="CompactionInterval"/> to exactly this far back keeps 5 to 5.5 minutes: never less
    /// than upstream promises, and under churn about half what upstream holds at its peak.
    /// </summary>
    public TimeSpan CompactionRetention { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>…and at least this many revisions.</summary>
    public long CompactionMinRevisions { get; init; } = 10_000;

    /// <summary>How often automatic compaction looks for work; zero turns it off.</summary>
    public TimeSpan CompactionInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A checkpoint is written once the log since the last one outgrows both this and the last
    /// checkpoint's size. So the log never holds much more than the live data, and writing
    /// checkpoints costs at most about as many bytes again as the log itself.
    /// </summary>
    public long CheckpointMinLogBytes { get; init; } = 1L << 20;

    /// <summary>
    /// The memory budget's default: see <see cref="MemoryBudget"/>. An edge cluster's current
    /// values are a few MB, so this mostly bounds history and Events under churn; measured with
    /// <c>scripts/bench soak</c> (root README), 64 MiB rather than 128 MiB took the steady-state
    /// RSS from 729 to 618 MB, and 32 MiB rather than 64 MiB from 539 to 495 MB; against no
    /// budget at all, the API benchmark's creates were 7 % and its GETs 9 % slower (three pairs).
    /// </summary>
    public const long DefaultMemoryBudget = 32L << 20;

    /// <summary>
    /// At most this many bytes of values stay in memory (<c>--store-memory-budget</c>); beyond it
    /// superseded history, then Events, then the oldest other values are moved to spill files in
    /// <c>spill/</c> and read from there. Zero keeps every value in memory.
    /// </summary>
    public long MemoryBudget { get; init; } = DefaultMemoryBudget;

    /// <summary>Keys whose values leave memory before other current values: Events, kept an hour and read rarely.</summary>
    public string EvictFirstPrefix { get; init; } = "/registry/events/";

    /// <summary>Events a watcher may fall behind before it is cut off.</summary>
    public int WatchQueueCapacity { get; init; } = 10_000;

    /// <summary>How often expired leases are looked for.</summary>
    public TimeSpan LeaseCheckInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Says whether an update is a heartbeat: it changes nothing a client could lose sleep over
    /// (a Lease's renewTime, see <see cref="HeartbeatWrites"/>). Such updates are acknowledged
    /// before they are durable and reach the log coalesced, at most every
    /// <see cref="HeartbeatFlushInterval"/> or with the next durable write. Null: every write is durable first.
    /// </summary>
    public Func<string, ReadOnlyMemory<byte>, ReadOnlyMemory<byte>, bool>? IsHeartbeat { get; init; }

    /// <summary>How long heartbeats may stay only in memory: what a crash can cost them.</summary>
    public TimeSpan HeartbeatFlushInterval { get; init; } = TimeSpan.FromMinutes(1);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
