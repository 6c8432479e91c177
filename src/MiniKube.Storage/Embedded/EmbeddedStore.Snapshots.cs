using MiniKube.Storage.Snapshots;

namespace MiniKube.Storage.Embedded;

public sealed partial class EmbeddedStore : ISnapshotSource
{
    /// <summary>
    /// Keys copied per hold of the store's lock while a snapshot is read: small enough that a
    /// writer waits well under a millisecond, large enough that 100,000 keys take ~100 holds.
    /// </summary>
    private const int SnapshotPage = 1_000;

    /// <summary>
    /// Writes every live key and lease at the visible revision to <paramref name="file"/>, in the
    /// checkpoint format, atomically and durably, while writers go on. Consistency comes from the
    /// index's versions: the keys are read page by page at that one revision, releasing the lock
    /// between pages, and compaction never reaches a revision that recent (it keeps 10 minutes and
    /// 10,000 revisions), so later writes never show through.
    /// </summary>
    public Task<SnapshotResult> SaveSnapshotAsync(string file, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        return Task.Run(() =>
        {
            var (revision, leases, nextLease) = Read(() => (Volatile.Read(ref _visible), _state.Leases.ToList(), _state.NextLeaseId));
            var live = new List<KeyValue>();
            string? after = null;
            bool more;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                (var page, more) = Read(() => _state.Range("", after, SnapshotPage, revision));
                live.AddRange(page);
                after = page.Count > 0 ? page[^1].Key : after;
            }
            while (more);
            new Checkpoint(revision, 0, nextLease, leases, live).Write(Path.GetFullPath(file));
            return new SnapshotResult(revision, live.Count);
        }, cancellationToken);
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
