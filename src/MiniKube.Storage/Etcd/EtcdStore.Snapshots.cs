using Grpc.Core;
using Grpc.Net.Client;
using MiniKube.Storage.Embedded;
using MiniKube.Storage.Etcd.Wire;
using MiniKube.Storage.Snapshots;

namespace MiniKube.Storage.Etcd;

public sealed partial class EtcdStore : ISnapshotSource
{
    /// <summary>
    /// etcd's own snapshot, as k3s takes it (etcdctl's snapshot save role): the Maintenance.Snapshot
    /// stream, a copy of etcd's backend at one point (a bbolt read transaction, so one revision),
    /// written to a temp file, fsynced and renamed into place. The file is etcd's format, restored
    /// with <c>etcdutl snapshot restore</c>. etcd does not say which revision its copy is at, so the
    /// revision reported is the one read just before asking: every write up to it is in the copy
    /// (later ones may be too). Keys are not counted (-1).
    /// </summary>
    public async Task<SnapshotResult> SaveSnapshotAsync(string file, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        var path = Path.GetFullPath(file);
        var revision = await GetCurrentRevisionAsync(cancellationToken);
        await RetryAsync(channel => StreamSnapshotAsync(channel, path, cancellationToken), 0, false, isWrite: false, cancellationToken);
        return new SnapshotResult(revision, -1);
    }

    private static async Task<bool> StreamSnapshotAsync(GrpcChannel channel, string path, CancellationToken cancellationToken)
    {
        var temp = path + ".tmp";
        // No deadline: a large database takes as long as it takes; the caller's token ends it.
        using var call = new Maintenance.MaintenanceClient(channel).Snapshot(new SnapshotRequest(), new CallOptions(cancellationToken: cancellationToken));
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        try
        {
            await using (var output = new FileStream(temp, options))
            {
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    await output.WriteAsync(chunk.Blob.Memory, cancellationToken);
                }
                await output.FlushAsync(cancellationToken);
                output.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        DurableFiles.SyncDirectory(Path.GetDirectoryName(path)!);
        return true;
    }
}
