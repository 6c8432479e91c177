using System.Buffers;
using System.Runtime.InteropServices;
using Docker.DotNet;

namespace MiniKube.Agent.Runtime.Docker;

/// <summary>
/// A container's log output as one plain byte stream, the way kubectl logs shows it. Docker
/// frames non-TTY output so stdout and stderr can share one connection (8-byte headers: stream
/// type, then the payload length); Docker.DotNet's <see cref="MultiplexedStream"/> strips them
/// (or passes a TTY container's raw stream through) but is no <see cref="Stream"/>. This adapter
/// hands on every payload in order, stdout and stderr interleaved. Read-only, forward-only;
/// disposing it closes Docker's response.
/// </summary>
internal sealed class DockerLogStream(MultiplexedStream output) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadCoreAsync(buffer, offset, count, cancellationToken);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (MemoryMarshal.TryGetArray<byte>(buffer, out var segment))
        {
            return await ReadCoreAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken);
        }

        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var read = await ReadCoreAsync(rented, 0, buffer.Length, cancellationToken);
            rented.AsMemory(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private async Task<int> ReadCoreAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return 0;
        }

        var result = await output.ReadOutputAsync(buffer, offset, count, cancellationToken);
        return result.Count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            output.Dispose();
        }

        base.Dispose(disposing);
    }
}
