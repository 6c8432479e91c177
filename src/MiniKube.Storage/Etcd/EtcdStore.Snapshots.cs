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
    /// with <c>etcdutl snapshot restore</c>. The revision is the one etcd's first chunk reports: at
    /// or after the copy's (etcd's header does not name the copy's own). Keys are not counted (-1).
    /// </summary>
    public Task<SnapshotResult> SaveSnapshotAsync(string file, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        var path = Path.GetFullPath(file);
        return RetryAsync(channel => StreamSnapshotAsync(channel, path, cancellationToken), 0, false, isWrite: false, cancellationToken);
    }

    private static async Task<SnapshotResult> StreamSnapshotAsync(GrpcChannel channel, string path, CancellationToken cancellationToken)
    {
        var temp = path + ".tmp";
        long revision = 0;
        // No deadline: a large database takes as long as it takes; the caller's token ends it.
        using var call = new Maintenance.MaintenanceClient(channel).Snapshot(new SnapshotRequest(), new CallOptions(cancellationToken: cancellationToken));
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        try
        {
            await using (var output = new FileStream(temp, options))
            {
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (revision == 0 && chunk.Header is { } header)
                    {
                        revision = header.Revision;
                    }
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
        return new SnapshotResult(revision, -1);
    }
}
