using MiniKube.Storage.Mvcc;
using MiniKube.Storage.Snapshots;

namespace MiniKube.Storage.Embedded;

public sealed partial class EmbeddedStore : ISnapshotSource
{
    /// <summary>
    /// Keys visited per hold of the store's lock while a snapshot or checkpoint reads the index
    /// (live or deleted): 0.1-0.2 ms a hold (measured on a busy machine, preemption included), so a
    /// writer never waits long behind one.
    /// </summary>
    private const int ReadStep = 256;

    /// <summary>
    /// The share of the time a snapshot may take from the writers beside it (of the store's lock
    /// while it reads, of a CPU and the disk while it writes). Measured with scripts/bench snapshot:
    /// unpaced, a snapshot of 100,000 objects took 0.3-0.5 s and left concurrent creates nearly
    /// stopped; at this share it takes about three times as long and they slow by far less.
    /// </summary>
    private const double SnapshotShare = 0.35;

    /// <summary>Snapshots being written: a checkpoint waits while there is one (see <see cref="WriteLive"/>).</summary>
    private int _snapshotsRunning;

    /// <summary>The snapshot's and the checkpoint's threads, by name, as top -H, perf and the snapshot bench see them (at most 15 bytes).</summary>
    internal const string SnapshotThreadName = "store snapshot";

    internal const string CheckpointThreadName = "store checkpt";

    /// <summary>
    /// Writes every live key and lease at the visible revision to <paramref name="file"/>, in the
    /// checkpoint format, atomically and durably, while writers go on (see <see cref="WriteLive"/>).
    /// The snapshot runs on a thread of its own, paced (<see cref="Pacer"/>): it sleeps between
    /// steps, and a sleeping or busy thread-pool thread would be one fewer for the writers'
    /// continuations and log commits (on a 2-core box the pool starts with two).
    /// </summary>
    public Task<SnapshotResult> SaveSnapshotAsync(string file, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        var path = Path.GetFullPath(file);
        return Task.Factory.StartNew(() =>
        {
            Thread.CurrentThread.Name = SnapshotThreadName;
            Interlocked.Increment(ref _snapshotsRunning);
            try
            {
                var (revision, leases, nextLease) = Read(() => (Volatile.Read(ref _visible), _state.Leases.ToList(), _state.NextLeaseId));
                var keys = WriteLive(path, new Checkpoint.Header(revision, 0, nextLease, leases), givesWay: false, cancellationToken);
                return new SnapshotResult(revision, keys);
            }
            finally
            {
                Interlocked.Decrement(ref _snapshotsRunning);
            }
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Writes every key live at the header's revision to <paramref name="path"/> in the checkpoint
    /// format, and returns how many there were. Consistency comes from the index's versions: the
    /// keys are read <see cref="ReadStep"/> at a time at that one revision, releasing the lock
    /// between steps, and compaction never reaches a revision that recent (it keeps 5 minutes and
    /// 10,000 revisions; if a client compacts past it anyway, the next step throws
    /// <see cref="CompactedException"/>), so later writes never show through. Under the lock a
    /// step only collects references (<see cref="LiveEntry"/>: the key, its revisions, its value
    /// or where it was spilled); each step is encoded and written before the next is read, so
    /// nothing is held beyond one step and no object lives long enough for the GC to promote it,
    /// and spilled values are read back into one reused buffer. The spill files are pinned from
    /// before the first step to the end, so no value read later is gone. Paced by one
    /// <see cref="Pacer"/> over the reading and the writing alike. A checkpoint
    /// (<paramref name="givesWay"/>) waits between steps while a snapshot runs: two such jobs at
    /// once took twice the share from the writers (measured with scripts/bench snapshot, the rounds
    /// a checkpoint overlapped slowed creates most), so the checkpoint's work moves after the
    /// snapshot instead, and a stream of snapshots could only delay checkpoints, never stop writes.
    /// </summary>
    private int WriteLive(string path, Checkpoint.Header header, bool givesWay, CancellationToken cancellationToken)
    {
        var pacer = new Pacer(SnapshotShare);
        using var pinned = _spill?.Pin();
        var count = Read(() => _state.LiveCount(header.Revision));
        var step = new List<LiveEntry>(ReadStep);
        var spilled = Array.Empty<byte>();
        Checkpoint.Write(path, header, count, keys =>
        {
            string? after = null;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (givesWay)
                {
                    pacer.GiveWayWhile(() => Volatile.Read(ref _snapshotsRunning) > 0);
                }
                step.Clear();
                after = Read(() => _state.Scan(after, ReadStep, header.Revision, step));
                foreach (var entry in step)
                {
                    keys.Write(entry.Key, entry.CreateRevision, entry.ModRevision, entry.Version, entry.Lease, ValueOf(entry));
                }
                pacer.StepDone();
            }
            while (after is not null);
        }, pacer);
        return count;

        ReadOnlySpan<byte> ValueOf(in LiveEntry entry)
        {
            if (entry.Value is { } value)
            {
                return value;
            }
            if (spilled.Length < entry.Spilled.Length)
            {
                spilled = new byte[entry.Spilled.Length];
            }
            var into = spilled.AsSpan(0, entry.Spilled.Length);
            _spill!.Read(entry.Spilled, into);
            return into;
        }
    }

    /// <summary>
    /// Creates a store in <paramref name="directory"/> from a snapshot file. The directory must
    /// not hold a store already; the file is verified before anything is written.
    /// </summary>
    /// <returns>The revision and key count restored.</returns>
    public static (long Revision, int Keys) RestoreSnapshot(string file, string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var snapshot = Checkpoint.Read(file);
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new IOException($"{directory} already holds a store; move it away first (nothing was changed)");
        }
        CheckFormat(directory);
        var checkpoints = Path.Combine(directory, "checkpoints");
        Directory.CreateDirectory(checkpoints);
        (snapshot with { LogAddress = 0 }).Write(Path.Combine(checkpoints, Checkpoint.FileName(snapshot.Revision)));
        return (snapshot.Revision, snapshot.Keys.Count);
    }

    /// <summary>The revision a snapshot file was taken at, from its header only; null when it is not one of ours.</summary>
    public static long? SnapshotRevision(string file) => Checkpoint.PeekRevision(file);
}
