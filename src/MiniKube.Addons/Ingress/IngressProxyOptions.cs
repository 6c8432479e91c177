namespace MiniKube.Addons.Ingress;

/// <summary>Where the ingress data plane listens.</summary>
public sealed record IngressProxyOptions
{
    /// <summary>The address of both listeners; null: every address of the node (IPv6 and IPv4 where the OS allows).</summary>
    public IPAddress? ListenAddress { get; init; }

    /// <summary>Plain HTTP (HTTP/1.1, and HTTP/2 with prior knowledge for gRPC clients); 0: any free port (tests).</summary>
    public int HttpPort { get; init; } = 80;

    /// <summary>HTTPS (HTTP/1.1 and HTTP/2 by ALPN), certificates by SNI; 0: any free port (tests).</summary>
    public int HttpsPort { get; init; } = 443;
}
