namespace MiniKube.Addons.Dns;

/// <summary>Where questions outside the cluster domain go (CoreDNS's forward plugin).</summary>
public interface IUpstreamResolver
{
    /// <summary>Sends the query as it came and returns the upstream's reply bytes, or null when none came in time (the client then gets SERVFAIL).</summary>
    Task<byte[]?> ForwardAsync(ReadOnlyMemory<byte> query, DnsTransport transport, CancellationToken cancellationToken);
}

/// <summary>How a query arrived, which decides the reply's size limit and how it is forwarded.</summary>
public enum DnsTransport
{
    Udp,
    Tcp,
}
