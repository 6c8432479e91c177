namespace MiniKube.Storage.Snapshots;

/// <summary>
/// A store that can copy itself to a file while it keeps serving: the role of etcd's maintenance
/// Snapshot RPC behind k3s' <c>etcd-snapshot save</c>. The copy holds every key at one revision
/// (a consistent point in time, never a mix of before and after a write); writes go on while it is
/// written. The file appears only complete and durable: written to a temp file, fsynced, renamed
/// into place and the directory fsynced, readable by its owner only (it holds Secrets).
/// </summary>
public interface ISnapshotSource
{
    /// <summary>Writes the snapshot to <paramref name="file"/>, replacing a file of that name only once the new one is complete.</summary>
    Task<SnapshotResult> SaveSnapshotAsync(string file, CancellationToken cancellationToken);
}

/// <summary>What a snapshot holds: the revision it was taken at and how many keys it has (-1 when the backend does not say).</summary>
public sealed record SnapshotResult(long Revision, long Keys);
