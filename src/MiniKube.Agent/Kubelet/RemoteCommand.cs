using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// Relays one exec or attach between a WebSocket (the API server, on kubectl's behalf) and a
/// container's streams, in the channel protocols v5.channel.k8s.io and v4.channel.k8s.io
/// (k8s.io/apimachinery/pkg/util/remotecommand; the client side is client-go's
/// tools/remotecommand/websocket.go). Every binary message starts with its channel: 0 stdin,
/// 1 stdout, 2 stderr, 3 the closing Status (JSON metav1.Status), 4 a terminal resize
/// (<c>{"Width":80,"Height":24}</c>); v5 adds 255, "close the channel named in the next byte",
/// so a client can end stdin without ending the connection.
/// </summary>
internal static class RemoteCommand
{
    public const string V5 = "v5.channel.k8s.io";
    public const string V4 = "v4.channel.k8s.io";

    /// <summary>The protocols served, the preferred first.</summary>
    public static readonly IReadOnlyList<string> Protocols = [V5, V4];

    private const byte Stdin = 0;
    private const byte Stdout = 1;
    private const byte Stderr = 2;
    private const byte Error = 3;
    private const byte Resize = 4;
    private const byte Close = 255;

    /// <summary>How long a client gets to answer our close before the connection is dropped.</summary>
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(2);

    /// <summary>The first of the client's protocols we serve (client order is the client's preference), or null.</summary>
    public static string? Negotiate(IEnumerable<string> offered) => offered.FirstOrDefault(Protocols.Contains);

    /// <summary>
    /// Relays until the process's output ends, then sends the closing Status (Success, or
    /// NonZeroExitCode with the code as its cause, which kubectl turns into its own exit code)
    /// and closes the socket; returns early if the client goes away (the process runs on, as upstream).
    /// </summary>
    public static async Task RelayAsync(WebSocket socket, IProcessStreams stream, string command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(stream);
        using var relay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var input = PumpInputAsync(socket, stream, relay.Token);
        var output = PumpOutputAsync(socket, stream, command, relay.Token);
        try
        {
            if (await Task.WhenAny(output, input) == output)
            {
                await output;
                // Our close is sent; the client's answer ends the exchange cleanly. Dropping the
                // connection sooner could reset it before the client has read the status.
                await input.WaitAsync(CloseWait, cancellationToken);
            }
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or IOException)
        {
            // The client went away or never answered our close: nothing is left to tell it.
        }
        finally
        {
            await relay.CancelAsync();
            await Settled(input);
            await Settled(output);
        }
    }

    /// <summary>Waits for a pump that was cancelled; how it ended no longer matters.</summary>
    private static Task Settled(Task pump) =>
        pump.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Sends a Failure Status on the error channel and closes (the exec could not start).</summary>
    public static async Task FailAsync(WebSocket socket, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var status = new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Failure", ["message"] = message, ["reason"] = "InternalError", ["code"] = 500 };
        await SendAsync(socket, Error, Encoding.UTF8.GetBytes(status.ToJsonString()), cancellationToken);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
    }

    /// <summary>The Status upstream's kubelet writes when a command ends (pkg/kubelet/cri/streaming/remotecommand/exec.go).</summary>
    public static JsonObject ExitStatus(int? exitCode, string command) => exitCode is null or 0
        ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }
        : new JsonObject
        {
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"command terminated with non-zero exit code: command '{command}' exited with {exitCode.Value.ToString(CultureInfo.InvariantCulture)}",
            ["reason"] = "NonZeroExitCode",
            ["details"] = new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = exitCode.Value.ToString(CultureInfo.InvariantCulture) }),
            },
        };

    private static async Task PumpOutputAsync(WebSocket socket, IProcessStreams stream, string command, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        while (true)
        {
            var chunk = await stream.ReadOutputAsync(buffer.AsMemory(1), cancellationToken);
            if (chunk.Count == 0)
            {
                break;
            }
            buffer[0] = chunk.Stderr ? Stderr : Stdout;
            await socket.SendAsync(buffer.AsMemory(0, chunk.Count + 1), WebSocketMessageType.Binary, true, cancellationToken);
        }
        var status = ExitStatus(await stream.ExitCodeAsync(cancellationToken), command);
        await SendAsync(socket, Error, Encoding.UTF8.GetBytes(status.ToJsonString()), cancellationToken);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
    }

    private static async Task PumpInputAsync(WebSocket socket, IProcessStreams stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        var channel = -1; // the channel of the message being read; a message may span frames
        var control = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                }
                return;
            }
            var data = buffer.AsMemory(0, result.Count);
            if (channel < 0 && !data.IsEmpty)
            {
                channel = data.Span[0];
                data = data[1..];
            }
            if (channel == Stdin)
            {
                await stream.WriteInputAsync(data, cancellationToken);
            }
            else if (channel is Resize or Close)
            {
                control.Write(data.Span);
            }
            if (!result.EndOfMessage)
            {
                continue;
            }
            if (channel == Resize && TryReadSize(control.ToArray(), out var width, out var height))
            {
                await stream.ResizeAsync(width, height, cancellationToken);
            }
            else if (channel == Close && control.Length > 0 && control.GetBuffer()[0] == Stdin)
            {
                stream.CloseInput();
            }
            channel = -1;
            control.SetLength(0);
        }
    }

    private static bool TryReadSize(byte[] json, out int width, out int height)
    {
        width = height = 0;
        try
        {
            var size = JsonNode.Parse(json);
            width = size?["Width"]?.GetValue<int>() ?? 0;
            height = size?["Height"]?.GetValue<int>() ?? 0;
            return width > 0 && height > 0;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return false; // a malformed resize is ignored, as upstream does
        }
    }

    private static async Task SendAsync(WebSocket socket, byte channel, byte[] payload, CancellationToken cancellationToken)
    {
        var message = new byte[payload.Length + 1];
        message[0] = channel;
        payload.CopyTo(message, 1);
        await socket.SendAsync(message, WebSocketMessageType.Binary, true, cancellationToken);
    }
}
