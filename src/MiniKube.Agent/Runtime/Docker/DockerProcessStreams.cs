using System.Runtime.InteropServices;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace MiniKube.Agent.Runtime.Docker;

/// <summary>
/// An exec or attach on Docker's hijacked connection: Docker frames stdout and stderr apart
/// unless the process has a TTY, and Docker.DotNet's <see cref="MultiplexedStream"/> unframes
/// them. An exec's exit code is read from Docker once the output has ended.
/// </summary>
internal sealed class DockerProcessStreams(DockerClient docker, MultiplexedStream stream, string? execId, bool tty, string containerId) : IProcessStreams
{
    private bool _inputClosed;

    /// <summary>Whether the end of the client's input closes the write side of Docker's stream (always for an exec; see <see cref="DockerRuntime.AttachAsync"/>).</summary>
    public bool PassesEndOfInput { get; init; } = true;

    public async ValueTask<OutputChunk> ReadOutputAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!MemoryMarshal.TryGetArray<byte>(buffer, out var segment))
        {
            throw new ArgumentException("the buffer must be array-backed", nameof(buffer));
        }
        var result = await stream.ReadOutputAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken);
        return new OutputChunk(result.EOF ? 0 : result.Count, result.Target == MultiplexedStream.TargetStream.StandardError);
    }

    public async ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_inputClosed || data.IsEmpty)
        {
            return;
        }
        var bytes = data.ToArray();
        await stream.WriteAsync(bytes, 0, bytes.Length, cancellationToken);
    }

    public void CloseInput()
    {
        if (!_inputClosed)
        {
            _inputClosed = true;
            if (PassesEndOfInput)
            {
                stream.CloseWrite();
            }
        }
    }

    public Task ResizeAsync(int width, int height, CancellationToken cancellationToken)
    {
        if (!tty || width <= 0 || height <= 0)
        {
            return Task.CompletedTask;
        }
        var size = new ContainerResizeParameters { Width = width, Height = height };
        return execId is null
            ? docker.Containers.ResizeContainerTtyAsync(containerId, size, cancellationToken)
            : docker.Exec.ResizeContainerExecTtyAsync(execId, size, cancellationToken);
    }

    public async Task<int?> ExitCodeAsync(CancellationToken cancellationToken) =>
        execId is null ? null : (int)(await docker.Exec.InspectContainerExecAsync(execId, cancellationToken)).ExitCode;

    public ValueTask DisposeAsync()
    {
        stream.Dispose();
        return ValueTask.CompletedTask;
    }
}
