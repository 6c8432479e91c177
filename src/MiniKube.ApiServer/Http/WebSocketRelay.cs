using System.Net.WebSockets;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// Joins two WebSockets, message for message, until both directions are closed: the API
/// server's part in exec and attach (kubectl ↔ kubelet). Each socket has exactly one reader
/// and one writer (the two copy loops), which is all <see cref="WebSocket"/> allows; a close
/// from either side is passed on, and a side that vanishes ends both.
/// </summary>
internal static class WebSocketRelay
{
    /// <summary>How long one side gets to answer the other's close.</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(WebSocket client, WebSocket backend, CancellationToken cancellationToken)
    {
        using var relay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var up = CopyAsync(client, backend, relay.Token);
        var down = CopyAsync(backend, client, relay.Token);
        try
        {
            // Whichever side closes first, its close is passed on and the other side gets a
            // moment to answer it; dropping the connection at once could reset it before the
            // client has read the last messages.
            var first = await Task.WhenAny(up, down);
            await first;
            await (first == up ? down : up).WaitAsync(Linger, cancellationToken);
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException or IOException)
        {
            // One side went away or stopped answering: drop both.
            client.Abort();
            backend.Abort();
        }
        finally
        {
            await relay.CancelAsync();
            await Task.WhenAll(up, down).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private static async Task CopyAsync(WebSocket from, WebSocket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        while (true)
        {
            var result = await from.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (to.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await to.CloseOutputAsync(from.CloseStatus ?? WebSocketCloseStatus.NormalClosure, from.CloseStatusDescription, cancellationToken);
                }
                return;
            }
            await to.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, cancellationToken);
        }
    }
}
