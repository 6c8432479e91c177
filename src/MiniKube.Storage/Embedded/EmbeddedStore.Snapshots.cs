using MiniKube.Storage.Mvcc;
using MiniKube.Storage.Snapshots;

namespace MiniKube.Storage.Embedded;

public sealed partial class EmbeddedStore : ISnapshotSource
{
    /// <summary>
    /// Keys visited per hold of the store's lock while a snapshot or checkpoint reads the index
    /// (live or deleted): a few tens of microseconds, so a writer never waits long behind one.
    /// </summary>
    private const int ReadStep = 256;

    /// <summary>
    /// The share of the time a snapshot may take from the writers beside it (of the store's lock
    /// while it reads, of a CPU and the disk while it writes). Measured with scripts/bench snapshot:
    /// unpaced, a snapshot of 100,000 objects took 0.3-0.5 s and left concurrent creates nearly
    /// stopped; at this share it takes about three times as long and they slow by far less.
    /// </summary>
    private const double SnapshotShare = 0.35;

    /// <summary>The snapshot's and the checkpoint's threads, by name, as top -H, perf and the snapshot bench see them (at most 15 bytes).</summary>
    internal const string SnapshotThreadName = "store snapshot";

    internal const string CheckpointThreadName = "store checkpt";

    /// <summary>
    /// Writes every live key and lease at the visible revision to <paramref name="file"/>, in the
    /// checkpoint format, atomically and durably, while writers go on. Consistency comes from the
    /// index's versions: the keys are read a step at a time at that one revision, releasing the
    /// lock between steps, and compaction never reaches a revision that recent (it keeps 10 minutes
    /// and 10,000 revisions), so later writes never show through. The snapshot runs on a thread of
    /// its own, paced (<see cref="Pacer"/>): it sleeps between steps, and a sleeping or busy
    /// thread-pool thread would be one fewer for the writers' continuations and log commits (on a
    /// 2-core box the pool starts with two).
    /// </summary>
    public Task<SnapshotResult> SaveSnapshotAsync(string file, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        var path = Path.GetFullPath(file);
        return Task.Factory.StartNew(() =>
        {
            Thread.CurrentThread.Name = SnapshotThreadName;
            var pacer = new Pacer(SnapshotShare);
            var (revision, leases, nextLease) = Read(() => (Volatile.Read(ref _visible), _state.Leases.ToList(), _state.NextLeaseId));
            using var live = ReadLive(revision, pacer, cancellationToken);
            new Checkpoint(revision, 0, nextLease, leases, live).Write(path, pacer);
            return new SnapshotResult(revision, live.Count);
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Every key live at <paramref name="revision"/>, read <see cref="ReadStep"/> keys per hold of
    /// the lock, at the pace of <paramref name="pacer"/>.
    /// </summary>
    private LiveKeys ReadLive(long revision, Pacer pacer, CancellationToken cancellationToken)
    {
        var live = new LiveKeys(_spill); // pinned before the first step, so no value read later is gone
        try
        {
            string? after = null;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (items, last) = Read(() => _state.Scan(after, ReadStep, revision));
                live.Add(items);
                after = last;
                pacer.StepDone();
            }
            while (after is not null);
            return live;
        }
        catch
        {
            live.Dispose();
            throw;
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
