using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace MiniKube.Storage.Embedded;

/// <summary>
/// Writes a large file (a checkpoint, a snapshot: about the size of the live data) with little CPU
/// and without crowding the store's log off the disk, ending in a SHA-256 trailer of everything
/// before it. Context: a snapshot runs beside writers whose log commits need the disk. Written
/// through the page cache, its data was copied once more in the kernel, and each chunk the writeback
/// put on the disk was data ext4 (data=ordered) had to finish before the journal commit of the
/// log's next synced write: measured with scripts/bench snapshot on the busy machine, the log's
/// commits took 1.6-8 times as long during a snapshot as before it. Decision: fields are encoded
/// straight into one buffer of <see cref="ChunkBytes"/>, which is hashed once and written with one
/// call. Where the file system takes it, the file is written with O_DIRECT from that (aligned)
/// buffer: no copy, no dirty pages, and each write returns once the disk has the chunk, so the
/// log waits behind at most one chunk (commits took 1.1-1.8 times as long). Elsewhere, or if a
/// direct write is refused, it writes through the page cache and starts the disk on each chunk,
/// waiting for the one before (sync_file_range), so at most two are in flight. The caller's
/// <see cref="Pacer"/>, if any, is told each chunk is done. Consequence: <see cref="Complete"/>
/// still fsyncs, since O_DIRECT bypasses the page cache but not the disk's cache or the file's
/// metadata; not thread-safe.
/// </summary>
internal sealed unsafe partial class ChunkedFileWriter : IDisposable
{
    /// <summary>How much is written at once: a few milliseconds of a disk's time.</summary>
    internal const int ChunkBytes = 1 << 20;

    /// <summary>O_DIRECT's alignment of buffers, offsets and lengths: a page, which covers 512-byte and 4 KiB sectors.</summary>
    private const int Alignment = 4096;

    private readonly FileStream _file;
    private readonly Pacer? _pacer;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte* _buffer = (byte*)NativeMemory.AlignedAlloc((nuint)ChunkBytes, Alignment);
    private bool _direct;
    private int _used;
    private int _hashed;
    private long _written;
    private long _previousChunk = -1;
    private bool _writebackWorks = true;
    private bool _completed;

    /// <param name="file">A new, empty file, opened for writing without a buffer of its own.</param>
    /// <param name="pacer">Told when each chunk is written, if given.</param>
    /// <param name="direct">Whether to try O_DIRECT (tests turn it off to check the other path).</param>
    public ChunkedFileWriter(FileStream file, Pacer? pacer, bool direct = true)
    {
        _file = file;
        _pacer = pacer;
        _direct = direct && SetDirect(file.SafeFileHandle, on: true);
    }

    /// <summary>Bytes written so far, trailer included once complete.</summary>
    public long Length => _written + _used;

    public void WriteInt64(long value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        WriteBytes(bytes);
    }

    public void WriteInt32(int value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        WriteBytes(bytes);
    }

    /// <summary>A string as <see cref="BinaryWriter.Write(string)"/> writes it (7-bit encoded UTF-8 length, then the UTF-8), which the reader reads back.</summary>
    public void WriteString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        Span<byte> prefix = stackalloc byte[5];
        var n = 0;
        for (var rest = (uint)length; ; rest >>= 7)
        {
            prefix[n++] = (byte)(rest > 0x7F ? (rest & 0x7F) | 0x80 : rest);
            if (rest <= 0x7F)
            {
                break;
            }
        }
        WriteBytes(prefix[..n]);
        if (length <= ChunkBytes - _used)
        {
            _used += Encoding.UTF8.GetBytes(value, Free);
        }
        else
        {
            WriteBytes(Encoding.UTF8.GetBytes(value));
        }
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_used == ChunkBytes)
            {
                WriteChunk(ChunkBytes);
            }
            var n = Math.Min(bytes.Length, ChunkBytes - _used);
            bytes[..n].CopyTo(Free);
            _used += n;
            bytes = bytes[n..];
        }
    }

    /// <summary>Appends the SHA-256 of everything written, writes what is left and makes the file durable (fsync).</summary>
    public void Complete()
    {
        HashPending();
        _completed = true; // nothing after this is hashed
        WriteBytes(_hash.GetHashAndReset());
        var length = Length;
        // O_DIRECT writes whole aligned blocks: the last one is padded, and the padding cut off after.
        WriteChunk(_direct ? (_used + Alignment - 1) / Alignment * Alignment : _used);
        if (_direct)
        {
            _file.SetLength(length);
        }
        _file.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_buffer);
        _hash.Dispose();
    }

    private Span<byte> Free => new(_buffer + _used, ChunkBytes - _used);

    private void HashPending()
    {
        if (!_completed)
        {
            _hash.AppendData(new ReadOnlySpan<byte>(_buffer + _hashed, _used - _hashed));
        }
        _hashed = _used;
    }

    /// <summary>Writes the first <paramref name="bytes"/> of the buffer at the file's end and empties the buffer.</summary>
    private void WriteChunk(int bytes)
    {
        HashPending();
        if (bytes > _used)
        {
            new Span<byte>(_buffer + _used, bytes - _used).Clear();
        }
        try
        {
            RandomAccess.Write(_file.SafeFileHandle, new ReadOnlySpan<byte>(_buffer, bytes), _written);
        }
        catch (IOException) when (_direct)
        {
            // Some file systems take the flag but refuse the write (EINVAL): write through the page cache instead.
            _direct = false;
            SetDirect(_file.SafeFileHandle, on: false);
            bytes = _used;
            RandomAccess.Write(_file.SafeFileHandle, new ReadOnlySpan<byte>(_buffer, bytes), _written);
        }
        if (!_direct)
        {
            StartWriteback(_written, bytes);
        }
        _written += _used;
        _used = 0;
        _hashed = 0;
        _pacer?.StepDone();
    }

    /// <summary>Starts the disk on the chunk just written and waits for the one before it, so at most two are dirty.</summary>
    private void StartWriteback(long offset, long bytes)
    {
        if (!_writebackWorks)
        {
            return;
        }
        var handle = _file.SafeFileHandle;
        _writebackWorks = SyncFileRange(handle, offset, bytes, StartWrite) == 0
            && (_previousChunk < 0 || SyncFileRange(handle, _previousChunk, offset - _previousChunk, WaitBefore | StartWrite | WaitAfter) == 0);
        _previousChunk = offset;
    }

    /// <summary>Turns O_DIRECT on or off for <paramref name="file"/>; false where the platform or the file system does not have it.</summary>
    private static bool SetDirect(SafeFileHandle file, bool on)
    {
        // O_DIRECT's value differs by architecture: x86 takes asm-generic's 040000 (octal); arm and arm64
        // define their own, 0200000.
        var direct = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 or Architecture.X86 => 0x4000,
            Architecture.Arm64 or Architecture.Arm => 0x10000,
            _ => 0,
        };
        if (direct == 0 || !OperatingSystem.IsLinux())
        {
            return false;
        }
        var flags = Fcntl(file, GetFlags, 0);
        return flags >= 0 && Fcntl(file, SetFlags, on ? flags | direct : flags & ~direct) == 0;
    }

    private const int GetFlags = 3; // F_GETFL
    private const int SetFlags = 4; // F_SETFL
    private const uint WaitBefore = 1; // SYNC_FILE_RANGE_WAIT_BEFORE
    private const uint StartWrite = 2; // SYNC_FILE_RANGE_WRITE
    private const uint WaitAfter = 4;  // SYNC_FILE_RANGE_WAIT_AFTER

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeFileHandle fd, int command, int argument);

    // glibc's sync_file_range takes 64-bit offsets on 32-bit targets too (it calls
    // sync_file_range2 on arm itself).
    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long bytes, uint flags);
}
