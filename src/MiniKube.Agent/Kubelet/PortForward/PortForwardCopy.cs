using System.Net.Sockets;

namespace MiniKube.Agent.Kubelet.PortForward;

/// <summary>The client's side of one forwarded connection: a SPDY data stream or a WebSocket data channel.</summary>
internal interface IForwardChannel
{
    /// <summary>What the client sent; 0 at its end.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Tells the client the pod sent everything (SPDY FIN); a no-op where the protocol has no half-close.</summary>
    ValueTask CloseWriteAsync(CancellationToken cancellationToken);

    /// <summary>Nothing more is read; later data from the client is dropped.</summary>
    void StopReading();
}

/// <summary>
/// Copies one forwarded connection both ways, as containerd's portForward
/// (pkg/cri/server/sandbox_portforward_linux.go) with one difference: each side's end is passed
/// on as a half-close (the client's end shuts the pod socket's sending side; the pod's end FINs
/// the client's stream), where containerd passes on neither. Once the pod has sent everything the
/// client gets containerd's second to finish too; once the client has, the pod decides when the
/// connection ends, since it was told.
/// </summary>
internal static class PortForwardCopy
{
    /// <summary>How long the client's direction may go on after the pod's has ended (containerd's timeout).</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    public static async Task RunAsync(IForwardChannel client, Stream pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(pod);
        using var copy = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var up = CopyToPodAsync(client, pod, copy.Token);
        var down = CopyToClientAsync(pod, client, copy.Token);
        try
        {
            if (await Task.WhenAny(up, down) == down)
            {
                await Task.WhenAny(up, Task.Delay(Linger, cancellationToken));
            }
            else
            {
                await down;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One side went away: the connection is over either way.
        }
        finally
        {
            await copy.CancelAsync();
            client.StopReading();
            await pod.DisposeAsync();
            await Task.WhenAll(up, down).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task CopyToPodAsync(IForwardChannel client, Stream pod, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        int read;
        while ((read = await client.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await pod.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        if (pod is NetworkStream network)
        {
            network.Socket.Shutdown(SocketShutdown.Send);
        }
    }

    private static async Task CopyToClientAsync(Stream pod, IForwardChannel client, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        int read;
        while ((read = await pod.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await client.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        await client.CloseWriteAsync(cancellationToken);
    }
}
