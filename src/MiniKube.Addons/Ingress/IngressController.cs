using System.Threading.Channels;
using MiniKube.Addons.Dns;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// The ingress add-on's data plane in one piece (Traefik's role in k3s): informers of
/// IngressClasses, Ingresses, Services, EndpointSlices and Secrets feeding an
/// <see cref="IngressProxy"/>. Every change marks the table stale; one loop rebuilds it from the
/// caches (changes that arrive together are folded into one rebuild) and applies it, so the
/// proxy always serves a table computed from one consistent read of the caches. It starts
/// applying only once the caches hold their first list, so no request meets a half-known cluster
/// as a wrong 404 (until then every request is a 404 of an empty table). Reads only: it writes
/// nothing to the API (status is <see cref="IngressStatusController"/>'s job). Other route
/// sources (<see cref="IProxyTableSource"/>: the Gateway API) run beside it and their tables are
/// merged into the same one, so one Kestrel and one YARP configuration serve them all.
/// </summary>
public sealed partial class IngressController : IAsyncDisposable
{
    // Changes closer together than this are applied as one.
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(50);

    // Secrets of these types never hold a certificate and key; Helm's release Secrets in particular
    // are large and many, and caching them would cost memory for nothing (a TLS Secret may be
    // Opaque, as ingress-nginx and Traefik accept, so only these are left out, by field selector).
    private const string NoCertificateTypes = "type!=helm.sh/release.v1,type!=kubernetes.io/service-account-token,type!=kubernetes.io/dockerconfigjson,type!=kubernetes.io/dockercfg,type!=bootstrap.kubernetes.io/token";

    private readonly SharedInformers _informers;
    private readonly Informer<V1Ingress> _ingresses;
    private readonly Informer<V1IngressClass> _classes;
    private readonly Informer<V1Secret> _secrets;
    private readonly InformerServiceDirectory _services;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<bool> _stale = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TaskCompletionSource _serving = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IReadOnlyList<IProxyTableSource> _sources;

    private IngressController(IKubernetes client, IngressProxy proxy, ILoggerFactory loggers, TimeProvider time, IReadOnlyList<IProxyTableSource> sources)
    {
        Proxy = proxy;
        _sources = sources;
        _time = time;
        _logger = loggers.CreateLogger<IngressController>();
        _informers = new SharedInformers(client, loggers, new SharedInformerOptions { Time = time });
        _ingresses = _informers.For(KubeListWatches.Ingresses);
        _classes = _informers.For(KubeListWatches.IngressClasses);
        _secrets = _informers.For(() => KubeListWatches.Secrets(client, NoCertificateTypes));
        _services = new InformerServiceDirectory(_informers.Services, _informers.EndpointSlices);
        _ingresses.Changed += MarkStale;
        _classes.Changed += MarkStale;
        _secrets.Changed += MarkStale;
        _informers.Services.Changed += MarkStale;
        _informers.EndpointSlices.Changed += MarkStale;
        proxy.Certificates.Rejected += (name, reason) => LogSecretRejected(name, reason);
        foreach (var source in sources)
        {
            source.Changed += MarkStale;
        }
    }

    /// <summary>The listeners and proxy this controller feeds.</summary>
    public IngressProxy Proxy { get; }

    /// <summary>Completes once the first table built from synced caches is served.</summary>
    public Task Serving => _serving.Task;

    /// <summary>Binds the listeners (a port in use fails here) and prepares the informers; <see cref="RunAsync"/> starts watching.</summary>
    public static async Task<IngressController> StartAsync(IKubernetes client, IngressProxyOptions options, ILoggerFactory loggers, TimeProvider time, CancellationToken cancellationToken, IReadOnlyList<IProxyTableSource>? sources = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(time);
        var proxy = await IngressProxy.StartAsync(options, loggers, time, cancellationToken);
        return new IngressController(client, proxy, loggers, time, sources ?? []);
    }

    /// <summary>Runs the informers and the rebuild loop until cancelled; a failure of either stops both and is thrown.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _informers.RunWithAsync(ServeWithSourcesAsync, cancellationToken);

    /// <summary>The table the caches describe now.</summary>
    public ProxyTable BuildTable()
    {
        var ours = _ingresses.List().Where(i => i.Metadata.DeletionTimestamp is null && MkubeIngressClass.Serves(i, name => _classes.Get(ObjectKeys.Of(null, name))));
        V1Secret? Secret(string ns, string name) => _secrets.Get(ObjectKeys.Of(ns, name));
        return _sources.Aggregate(IngressTranslator.Translate(ours, _services, Secret), (table, source) => table.Merge(source.Build(_services, Secret)));
    }

    public ValueTask DisposeAsync() => Proxy.DisposeAsync();

    private void MarkStale(string key) => _stale.Writer.TryWrite(true);

    // The sources start once the Ingress caches are synced; the first to end (or fail) ends all.
    private async Task ServeWithSourcesAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task[] running = [ServeAsync(stop.Token), .. _sources.Select(s => s.RunAsync(stop.Token))];
        await Task.WhenAny(running);
        await stop.CancelAsync();
        await Task.WhenAll(running);
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        Apply();
        _serving.TrySetResult();
        while (await _stale.Reader.WaitToReadAsync(cancellationToken))
        {
            await Task.Delay(Coalesce, _time, cancellationToken);
            _stale.Reader.TryRead(out _);
            Apply();
        }
    }

    private void Apply()
    {
        var table = BuildTable();
        Proxy.Apply(table);
        LogApplied(table.Routes.Count, table.Clusters.Count, table.Tls.Count);
    }

    [LoggerMessage(EventId = LogEvents.Addons + 500, Level = LogLevel.Debug, Message = "Ingress table applied: {Routes} routes, {Clusters} backends, {Certificates} certificates")]
    private partial void LogApplied(int routes, int clusters, int certificates);

    [LoggerMessage(EventId = LogEvents.Addons + 501, Level = LogLevel.Warning, Message = "TLS Secret {Secret} cannot be used ({Reason}); its hosts get the default certificate until it is fixed")]
    private partial void LogSecretRejected(string secret, string reason);
}
