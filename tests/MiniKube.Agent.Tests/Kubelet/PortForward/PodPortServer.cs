using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MiniKube.Agent.Tests.Kubelet.PortForward;

/// <summary>
/// What a port-forward test reaches "inside the pod" (the simulated runtime dials loopback): a
/// TCP listener on 127.0.0.1 at a port the OS picks. A connection whose first bytes are
/// <c>GET </c> is answered as HTTP/1.1 — <c>/big</c> with <see cref="BigBody"/>, anything else
/// with "hello from the pod" — and then closed; any other connection is echoed back until the
/// client's end, then closed.
/// </summary>
internal sealed class PodPortServer : IAsyncDisposable
{
    public static readonly byte[] BigBody = Enumerable.Range(0, 5 * 1024 * 1024).Select(i => (byte)(i * 7 + (i >> 11))).ToArray();

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    public PodPortServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many connections reached the pod so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new byte[64 * 1024];
            try
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read >= 4 && Encoding.ASCII.GetString(buffer, 0, 4) == "GET ")
                {
                    var request = new StringBuilder(Encoding.ASCII.GetString(buffer, 0, read));
                    while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && (read = await stream.ReadAsync(buffer, _stop.Token)) > 0)
                    {
                        request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }
                    var body = request.ToString().StartsWith("GET /big ", StringComparison.Ordinal) ? BigBody : Encoding.ASCII.GetBytes("hello from the pod");
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), _stop.Token);
                    await stream.WriteAsync(body, _stop.Token);
                    return;
                }
                while (read > 0)
                {
                    await stream.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                    read = await stream.ReadAsync(buffer, _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                // The forward was torn down; the test says whether that was expected.
            }
        }
    }
}
