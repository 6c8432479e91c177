
namespace MiniKube.Addons.Dns;

/// <summary>
/// The cluster DNS add-on in one piece (CoreDNS's role in k3s): informers of Services and
/// EndpointSlices feeding a <see cref="ClusterDnsServer"/>. <see cref="Bind"/> opens the sockets
/// (so a port in use fails the start); <see cref="RunAsync"/> starts serving only once the caches
/// hold their first list, so no query meets an empty cache and gets a wrong NXDOMAIN (queries
/// that arrive before wait in the socket buffers).
/// </summary>
public sealed class ClusterDns : IDisposable
{
    private readonly SharedInformers _informers;
    private readonly ClusterDnsServer _server;

    private ClusterDns(SharedInformers informers, ClusterDnsServer server)
    {
        _informers = informers;
        _server = server;
    }

    /// <summary>Where it listens (UDP and TCP), with the port the OS chose when the options said 0.</summary>
    public IReadOnlyList<IPEndPoint> Endpoints => _server.Endpoints;

    /// <summary>Completes once the server answers from synced caches.</summary>
    public Task Serving => _serving.Task;

    private readonly TaskCompletionSource _serving = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static ClusterDns Bind(IKubernetes client, ClusterDnsOptions options, ILoggerFactory loggers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(time);
        var informers = new SharedInformers(client, loggers, new SharedInformerOptions { Time = time });
        var directory = new InformerServiceDirectory(informers.Services, informers.EndpointSlices);
        var upstream = options.Upstream is { } address
            ? new UpstreamForwarder(address, options.UpstreamTimeout, loggers.CreateLogger<UpstreamForwarder>())
            : null;
        var handler = new DnsQueryHandler(new ClusterDnsResolver(directory, options, time), upstream, loggers.CreateLogger<DnsQueryHandler>());
        return new ClusterDns(informers, ClusterDnsServer.Bind(handler, options, loggers.CreateLogger<ClusterDnsServer>()));
    }

    /// <summary>Runs the informers and, once they are synced, the server, until cancelled; a failure of either stops both and is thrown.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _informers.RunWithAsync(ServeAsync, cancellationToken);

    public void Dispose() => _server.Dispose();

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        _serving.TrySetResult();
        await _server.RunAsync(cancellationToken);
    }
}
