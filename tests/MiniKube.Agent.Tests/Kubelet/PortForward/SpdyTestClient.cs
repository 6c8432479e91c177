using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MiniKube.Agent.Kubelet.Spdy;

namespace MiniKube.Agent.Tests.Kubelet.PortForward;

/// <summary>
/// A hand-driven SPDY/3.1 client of pods/portforward: TLS to the API server with a client
/// certificate, the upgrade request written by hand, then frames through <see cref="SpdyFramer"/>.
/// For the exchanges kubectl does not let a test steer (refused streams, pings, frame order).
/// </summary>
internal sealed class SpdyTestClient(TcpClient tcp, SslStream tls, string response) : IAsyncDisposable
{
    /// <summary>The status line and headers of the upgrade's answer.</summary>
    public string Response { get; } = response;

    public SpdyFramer Framer { get; } = new(PipeReader.Create(tls, new StreamPipeReaderOptions(leaveOpen: true)));

    public static async Task<SpdyTestClient> ConnectAsync(Uri server, X509Certificate2 certificate, string path, string protocol = "portforward.k8s.io")
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = server.Host,
            ClientCertificates = [certificate],
            ApplicationProtocols = [SslApplicationProtocol.Http11],
#pragma warning disable CA5359 // a test's own in-process server
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
        });
        var request = $"POST {path} HTTP/1.1\r\nHost: {server.Host}:{server.Port}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: {protocol}\r\nContent-Length: 0\r\n\r\n";
        await tls.WriteAsync(Encoding.ASCII.GetBytes(request));
        // The answer's head, byte by byte, so nothing of the SPDY connection after it is consumed.
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await tls.ReadAsync(one) == 1)
        {
            head.Append((char)one[0]);
        }
        return new SpdyTestClient(tcp, tls, head.ToString());
    }

    public async Task SendAsync(byte[] frame)
    {
        await tls.WriteAsync(frame);
        await tls.FlushAsync();
    }

    public async Task<SpdyFrame?> ReadAsync() =>
        await Framer.ReadFrameAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        await tls.DisposeAsync();
        tcp.Dispose();
    }
}
