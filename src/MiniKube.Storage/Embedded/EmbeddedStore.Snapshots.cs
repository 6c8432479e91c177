namespace MiniKube.Storage.Embedded;

public sealed partial class EmbeddedStore
{
    /// <summary>
    /// Writes every live key and lease at the current revision to <paramref name="file"/>, in the
    /// checkpoint format, atomically and durably. Returns the revision saved.
    /// </summary>
    public Task<long> SaveSnapshotAsync(string file, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        return Task.Run(() =>
        {
            var revision = Volatile.Read(ref _visible);
            var (live, leases, nextLease) = Read(() => (_state.Live(revision), _state.Leases.ToList(), _state.NextLeaseId));
            new Checkpoint(revision, 0, nextLease, leases, live).Write(Path.GetFullPath(file));
            return revision;
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
}
