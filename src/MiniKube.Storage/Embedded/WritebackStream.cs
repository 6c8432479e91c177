using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MiniKube.Storage.Embedded;

/// <summary>
/// Writes a large file (a checkpoint, a snapshot: about the size of the live data) to disk as it
/// goes, instead of leaving it all in the page cache for one final fsync. Context: that fsync was
/// a single write of ~100 MB, and every synced write of the store's log on the same disk (and,
/// on ext4, every journal commit) queued behind it, so concurrent writes stopped until it ended.
/// Decision: after each chunk (1 MiB) the stream starts the disk on that chunk and waits for the
/// chunk before it (sync_file_range, as in Linux's own advice for streaming writes), so at most
/// two chunks are in flight or dirty, the log's writes wait behind at most that much, and the
/// final fsync has almost nothing left to do. The caller's <see cref="Pacer"/>, if any, is told
/// each chunk is done, so a background writer can leave the disk to the log between chunks.
/// Consequence: the durability guarantee is still the caller's fsync; sync_file_range only
/// moves the writing earlier, and where it is not supported the stream just writes.
/// </summary>
internal sealed partial class WritebackStream(FileStream file, Pacer? pacer) : WriteOnlyStream(file)
{
    /// <summary>How much is written between writebacks: a few milliseconds of a disk's time.</summary>
    internal const int ChunkBytes = 1 << 20;

    private const uint WaitBefore = 1; // SYNC_FILE_RANGE_WAIT_BEFORE
    private const uint StartWrite = 2; // SYNC_FILE_RANGE_WRITE
    private const uint WaitAfter = 4;  // SYNC_FILE_RANGE_WAIT_AFTER

    private readonly FileStream _file = file;
    private long _written;
    private long _chunkStart;
    private long _previousChunkStart = -1;
    private bool _writebackWorks = true;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _file.Write(buffer);
        _written += buffer.Length;
        if (_written - _chunkStart >= ChunkBytes)
        {
            EndChunk();
        }
    }

    private void EndChunk()
    {
        _file.Flush(); // whatever FileStream still buffers must reach the page cache first
        if (_writebackWorks)
        {
            _writebackWorks = SyncFileRange(_file.SafeFileHandle, _chunkStart, _written - _chunkStart, StartWrite) == 0
                && (_previousChunkStart < 0
                    || SyncFileRange(_file.SafeFileHandle, _previousChunkStart, _chunkStart - _previousChunkStart, WaitBefore | StartWrite | WaitAfter) == 0);
        }
        _previousChunkStart = _chunkStart;
        _chunkStart = _written;
        pacer?.StepDone();
    }

    // glibc's sync_file_range takes 64-bit offsets on 32-bit targets too (it calls
    // sync_file_range2 on arm itself).
    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long bytes, uint flags);
}
