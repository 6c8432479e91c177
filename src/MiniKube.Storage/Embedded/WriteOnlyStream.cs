namespace MiniKube.Storage.Embedded;

/// <summary>
/// What every write-only stream in front of a file shares (<see cref="WritebackStream"/>, the
/// checkpoint's hashing stream): no reading or seeking; length, position and flushes are the inner
/// stream's. A subclass only says what a write does.
/// </summary>
internal abstract class WriteOnlyStream(Stream inner) : Stream
{
    protected Stream Inner { get; } = inner;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public abstract override void Write(ReadOnlySpan<byte> buffer);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Inner.Length;

    public override long Position { get => Inner.Position; set => throw new NotSupportedException(); }

    public override void Flush() => Inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
