using System.Net;
using System.Net.Sockets;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>
/// A loopback TCP relay in front of the test's API server that a test can cut and restore: cut
/// resets every relayed connection and refuses new ones (the server gone, from the kubelet's side),
/// restore listens again on the same port. Bytes are relayed unchanged (TLS passes through).
/// </summary>
internal sealed class CuttableProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private Task _accepting = Task.CompletedTask;

    public CuttableProxy(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = new IPEndPoint(IPAddress.Loopback, target.Port);
        Port = Listen(0);
    }

    public int Port { get; }

    /// <summary>Resets the relayed connections and stops listening.</summary>
    public async Task CutAsync()
    {
        TcpListener? listener;
        List<TcpClient> open;
        lock (_lock)
        {
            listener = _listener;
            _listener = null;
            open = [.. _open];
            _open.Clear();
        }
        listener?.Stop();
        foreach (var client in open)
        {
            client.Client.LingerState = new LingerOption(true, 0); // RST, as a vanished peer's connection ends
            client.Dispose();
        }
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Listens again on <see cref="Port"/>.</summary>
    public void Restore() => Listen(Port);

    private int Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        lock (_lock)
        {
            _listener = listener;
        }
        _accepting = AcceptAsync(listener);
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient incoming;
            try
            {
                incoming = await listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return; // cut
            }
            var outgoing = new TcpClient();
            try
            {
                await outgoing.ConnectAsync(_target);
            }
            catch (SocketException)
            {
                incoming.Dispose();
                outgoing.Dispose();
                continue;
            }
            lock (_lock)
            {
                _open.Add(incoming);
                _open.Add(outgoing);
            }
            _ = RelayAsync(incoming, outgoing);
            _ = RelayAsync(outgoing, incoming);
        }
    }

    private static async Task RelayAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
            to.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Cut, or the other side went.
        }
    }

    public async ValueTask DisposeAsync() => await CutAsync();
}
