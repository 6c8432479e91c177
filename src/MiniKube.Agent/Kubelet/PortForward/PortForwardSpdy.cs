using System.Collections.Concurrent;
using System.Text;
using MiniKube.Agent.Kubelet.Spdy;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet.PortForward;

/// <summary>
/// kubectl's port-forward over one SPDY connection (pkg/kubelet/cri/streaming/portforward/httpstream.go):
/// for each local connection the client opens an error stream and a data stream that carry the
/// same <c>requestid</c> and <c>port</c>; once both are there the pod's port is dialled and the
/// data stream copied both ways (<see cref="PortForwardCopy"/>). A failure is written as text on
/// the error stream, which kubectl prints; then both streams are closed. Streams without a valid
/// <c>port</c> or <c>streamtype</c> are refused; a pair not completed within 30 s is reported.
/// </summary>
internal sealed partial class PortForwardSpdy(SpdyConnection connection, IContainerRuntime runtime, PodSandbox sandbox, ILogger logger, CancellationToken session) : ISpdyStreamHandler
{
    private const string PortHeader = "port";
    private const string StreamTypeHeader = "streamtype";
    private const string RequestIdHeader = "requestid";

    /// <summary>How long the second stream of a pair may take (the kubelet's streamCreationTimeout default).</summary>
    private static readonly TimeSpan StreamCreationTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, StreamPair> _pairs = new();
    // What runs for this connection; each task leaves when it ends, so a long session holds only live ones.
    private readonly ConcurrentDictionary<Task, bool> _work = new();

    /// <summary>Serves the connection until the client closes it, then waits for the forwards it started.</summary>
    public static async Task ServeAsync(Stream upgraded, IContainerRuntime runtime, PodSandbox sandbox, ILogger logger, CancellationToken cancellationToken)
    {
        using var connection = new SpdyConnection(upgraded);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var handler = new PortForwardSpdy(connection, runtime, sandbox, logger, session.Token);
        try
        {
            await connection.RunAsync(handler, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            LogProtocolError(logger, sandbox.Namespace, sandbox.PodName, e.Message);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            await session.CancelAsync();
            await Task.WhenAll(handler._work.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>httpStreamReceived's checks; the text is upstream's.</summary>
    public string? Validate(SpdyHeaders headers)
    {
        var port = headers.Get(PortHeader);
        var problem = port switch
        {
            null or "" => $"\"{PortHeader}\" header is required",
            _ when MiniKube.Api.PortForwardPorts.ParseProblem(port) is { } bad => bad,
            _ => headers.Get(StreamTypeHeader) switch
            {
                null or "" => $"\"{StreamTypeHeader}\" header is required",
                "error" or "data" => null,
                var t => $"invalid stream type \"{t}\"",
            },
        };
        if (problem is not null)
        {
            LogStreamRejected(logger, sandbox.Namespace, sandbox.PodName, problem);
        }
        return problem;
    }

    public void Accepted(SpdyStream stream)
    {
        var requestId = RequestId(stream);
        var pair = _pairs.GetOrAdd(requestId, id => new StreamPair(id));
        var (added, complete, problem) = pair.Add(stream);
        if (added && pair.Streams == 1)
        {
            Track(WatchAsync(pair));
        }
        if (problem is not null)
        {
            Track(PrintAsync(pair, $"error processing stream for request {requestId}: {problem}"));
        }
        else if (complete)
        {
            Track(ForwardAsync(pair));
        }
    }

    private void Track(Task task)
    {
        _work[task] = true;
        task.ContinueWith(done => _work.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The pair's id; for clients that send none, derived from the stream id (error streams come first).</summary>
    private static string RequestId(SpdyStream stream) => stream.Headers.Get(RequestIdHeader) is { Length: > 0 } id
        ? id
        : (stream.Headers.Get(StreamTypeHeader) == "data" ? stream.Id - 2 : stream.Id).ToString(CultureInfo.InvariantCulture);

    private async Task WatchAsync(StreamPair pair)
    {
        var timeout = Task.Delay(StreamCreationTimeout, session);
        if (await Task.WhenAny(pair.Completed, timeout) == timeout && !session.IsCancellationRequested)
        {
            await PrintAsync(pair, $"(conn={sandbox.PodName}, request={pair.RequestId}) timed out waiting for streams");
        }
        _pairs.TryRemove(pair.RequestId, out _);
    }

    private async Task ForwardAsync(StreamPair pair)
    {
        var data = pair.Data!;
        var error = pair.Error!;
        error.StopReading();
        var port = int.Parse(data.Headers.Get(PortHeader)!, CultureInfo.InvariantCulture);
        try
        {
            Stream pod;
            try
            {
                pod = await runtime.PortForwardAsync(sandbox, port, session);
            }
            catch (PortForwardException e)
            {
                // sandbox id and an empty uid, as the CRI streaming server passes them.
                var message = $"error forwarding port {port.ToString(CultureInfo.InvariantCulture)} to pod {sandbox.Id}, uid : {e.Message}";
                LogForwardFailed(logger, sandbox.Namespace, sandbox.PodName, message);
                await error.WriteAsync(Encoding.UTF8.GetBytes(message), session);
                return;
            }
            await PortForwardCopy.RunAsync(new SpdyChannel(data), pod, session);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client reset the streams or left.
        }
        finally
        {
            await CloseQuietlyAsync(data);
            await CloseQuietlyAsync(error);
            connection.Remove(data);
            connection.Remove(error);
        }
    }

    private async Task PrintAsync(StreamPair pair, string message)
    {
        LogForwardFailed(logger, sandbox.Namespace, sandbox.PodName, message);
        if (pair.Error is { } error)
        {
            try
            {
                await error.WriteAsync(Encoding.UTF8.GetBytes(message), session);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // Nobody left to tell.
            }
        }
    }

    private async Task CloseQuietlyAsync(SpdyStream stream)
    {
        try
        {
            await stream.CloseWriteAsync(session);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // Already reset or the connection is gone.
        }
    }

    [LoggerMessage(EventId = LogEvents.Agent + 60, Level = LogLevel.Warning, Message = "Port forward to pod {Namespace}/{Name} failed: {Problem}")]
    private static partial void LogForwardFailed(ILogger logger, string @namespace, string name, string problem);

    [LoggerMessage(EventId = LogEvents.Agent + 61, Level = LogLevel.Warning, Message = "Port forward to pod {Namespace}/{Name}: stream rejected: {Problem}")]
    private static partial void LogStreamRejected(ILogger logger, string @namespace, string name, string problem);

    [LoggerMessage(EventId = LogEvents.Agent + 62, Level = LogLevel.Warning, Message = "Port forward to pod {Namespace}/{Name}: the client broke the SPDY protocol, connection closed: {Problem}")]
    private static partial void LogProtocolError(ILogger logger, string @namespace, string name, string problem);

    /// <summary>The error and data streams of one forwarded connection (httpStreamPair).</summary>
    private sealed class StreamPair(string requestId)
    {
        private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _lock = new();

        public string RequestId { get; } = requestId;

        public SpdyStream? Data { get; private set; }

        public SpdyStream? Error { get; private set; }

        public int Streams => (Data is null ? 0 : 1) + (Error is null ? 0 : 1);

        public Task Completed => _completed.Task;

        public (bool Added, bool Complete, string? Problem) Add(SpdyStream stream)
        {
            lock (_lock)
            {
                if (stream.Headers.Get(StreamTypeHeader) == "error")
                {
                    if (Error is not null)
                    {
                        return (false, false, "error stream already assigned");
                    }
                    Error = stream;
                }
                else
                {
                    if (Data is not null)
                    {
                        return (false, false, "data stream already assigned");
                    }
                    Data = stream;
                }
                var complete = Data is not null && Error is not null;
                if (complete)
                {
                    _completed.TrySetResult();
                }
                return (true, complete, null);
            }
        }
    }

    private sealed class SpdyChannel(SpdyStream stream) : IForwardChannel
    {
        public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) => stream.ReadAsync(buffer, cancellationToken);

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => stream.WriteAsync(data, cancellationToken);

        public ValueTask CloseWriteAsync(CancellationToken cancellationToken) => stream.CloseWriteAsync(cancellationToken);

        public void StopReading() => stream.StopReading();
    }
}
