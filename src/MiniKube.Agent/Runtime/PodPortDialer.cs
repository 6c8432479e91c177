using System.Net;
using System.Net.Sockets;

namespace MiniKube.Agent.Runtime;

/// <summary>
/// Dials a port of a pod for port-forwarding, the part runtimes share. Upstream's containerd
/// enters the sandbox's network namespace and dials localhost there; we dial the pod's address
/// from the node instead, so a server that listens only on the pod's 127.0.0.1 is not reached.
/// Failures carry containerd's wording (pkg/cri/server/sandbox_portforward_linux.go), which
/// kubectl prints after "error forwarding port N to pod …".
/// </summary>
internal static class PodPortDialer
{
    public static async Task<Stream> DialAsync(IPAddress address, int port, string sandboxId, CancellationToken cancellationToken)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var family = address.AddressFamily == AddressFamily.InterNetworkV6 ? "tcp6" : "tcp4";
            throw new PortForwardException(
                $"failed to connect to {address}:{port.ToString(CultureInfo.InvariantCulture)} inside namespace \"{sandboxId}\", " +
                $"IPv4: dial {family} {address}:{port.ToString(CultureInfo.InvariantCulture)}: connect: {Reason(e.SocketErrorCode, e.Message)} ", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Go's (errno's) words for the usual failures.</summary>
    private static string Reason(SocketError error, string message) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.TimedOut => "connection timed out",
        SocketError.HostUnreachable => "no route to host",
        SocketError.NetworkUnreachable => "network is unreachable",
        _ => message,
    };
}
