using System.Text;
using Docker.DotNet;
using MiniKube.Agent.Runtime.Docker;

namespace MiniKube.Agent.Tests.Runtime.Docker;

public class DockerLogStreamTests
{
    [Test]
    public async Task ReadToEnd_FramedStdoutAndStderr_PlainTextInOrder()
    {
        var framed = new MemoryStream([.. Frame(1, "out1\n"), .. Frame(2, "err1\n"), .. Frame(1, ""), .. Frame(1, "out2\n")]);
        await using var stream = new DockerLogStream(new MultiplexedStream(framed, multiplexed: true));

        using var reader = new StreamReader(stream);
        Assert.That(await reader.ReadToEndAsync(), Is.EqualTo("out1\nerr1\nout2\n"));
    }

    [Test]
    public async Task ReadToEnd_TtyOutput_PassedThrough()
    {
        var raw = new MemoryStream(Encoding.UTF8.GetBytes("line\r\n"));
        await using var stream = new DockerLogStream(new MultiplexedStream(raw, multiplexed: false));

        using var reader = new StreamReader(stream);
        Assert.That(await reader.ReadToEndAsync(), Is.EqualTo("line\r\n"));
    }

    [Test]
    public async Task ReadAsync_SmallBuffer_SplitsFramePayload()
    {
        var framed = new MemoryStream(Frame(1, "abcdef"));
        await using var stream = new DockerLogStream(new MultiplexedStream(framed, multiplexed: true));
        var buffer = new byte[4];

        var first = await stream.ReadAsync(buffer.AsMemory());
        var second = await stream.ReadAsync(buffer.AsMemory());
        var end = await stream.ReadAsync(buffer.AsMemory());

        Assert.That((first, second, end), Is.EqualTo((4, 2, 0)));
    }

    private static byte[] Frame(byte streamType, string payload)
    {
        var body = Encoding.UTF8.GetBytes(payload);
        var frame = new byte[8 + body.Length];
        frame[0] = streamType;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)body.Length);
        body.CopyTo(frame, 8);
        return frame;
    }
}
