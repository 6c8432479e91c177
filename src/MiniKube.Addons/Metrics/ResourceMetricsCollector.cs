namespace MiniKube.Addons.Metrics;

/// <summary>
/// The metrics add-on (metrics-server's role, built in): every <see cref="MetricsOptions.Resolution"/>
/// it scrapes every node's kubelet /metrics/resource at once (bounded by
/// <see cref="MetricsOptions.Parallelism"/>) and keeps the last two scrapes in
/// <see cref="Store"/>, which the API server reads to serve metrics.k8s.io. It knows the nodes
/// through an informer, as a client of the API server like any add-on; deleted nodes are
/// forgotten. A node that cannot be scraped keeps no metrics until it answers again (logged once
/// per failing spell, not every 15 s).
/// </summary>
public sealed partial class ResourceMetricsCollector : IDisposable
{
    private readonly SharedInformers _informers;
    private readonly KubeletMetricsClient _kubelets;
    private readonly MetricsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<string> _failing = new(StringComparer.Ordinal);

    /// <param name="store">Where the scrapes go; the API server reads it.</param>
    public ResourceMetricsCollector(IKubernetes client, MetricsStore store, MetricsOptions options, ILoggerFactory loggers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(loggers);
        Store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = loggers.CreateLogger<ResourceMetricsCollector>();
        _informers = new SharedInformers(client, loggers, new SharedInformerOptions { Time = time });
        _ = _informers.Nodes;
        _kubelets = new KubeletMetricsClient(options);
    }

    /// <summary>The figures collected so far; the API server's <see cref="IResourceMetricsSource"/>.</summary>
    public MetricsStore Store { get; }

    /// <summary>Scrapes until cancelled, starting once the node informer has its first list.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _informers.RunWithAsync(ScrapeLoopAsync, cancellationToken);

    public void Dispose() => _kubelets.Dispose();

    private async Task ScrapeLoopAsync(CancellationToken cancellationToken)
    {
        LogStarted(_options.Resolution);
        using var timer = new PeriodicTimer(_options.Resolution, _time);
        do
        {
            await ScrapeAllAsync(cancellationToken);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>One round: every node once, in parallel.</summary>
    internal async Task ScrapeAllAsync(CancellationToken cancellationToken)
    {
        var nodes = _informers.Nodes.List();
        var names = nodes.Select(n => n.Name()).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in Store.Nodes.Where(n => !names.Contains(n)))
        {
            Store.Forget(gone);
        }
        await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken }, ScrapeAsync);
    }

    private async ValueTask ScrapeAsync(V1Node node, CancellationToken cancellationToken)
    {
        var name = node.Name();
        if (KubeletMetricsClient.MetricsUri(node) is not { } uri)
        {
            return;
        }
        try
        {
            var text = await _kubelets.GetAsync(uri, cancellationToken);
            var now = _time.GetUtcNow();
            Store.Store(name, KubeletScrape.Decode(text, now), now);
            lock (_failing)
            {
                if (_failing.Remove(name))
                {
                    LogRecovered(name);
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or FormatException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // As metrics-server drops a node missing from a scrape round: its last figures would
            // otherwise be served as current for as long as it fails (an autoscaler would keep
            // acting on a load that may be long gone), and its next rate needs two fresh readings.
            Store.Forget(name);
            bool first;
            lock (_failing)
            {
                first = _failing.Add(name);
            }
            if (first)
            {
                LogScrapeFailed(name, uri, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.Addons + 610, Level = LogLevel.Information, Message = "Resource metrics: scraping every node's kubelet /metrics/resource every {Resolution}")]
    private partial void LogStarted(TimeSpan resolution);

    [LoggerMessage(EventId = LogEvents.Addons + 611, Level = LogLevel.Warning, Message = "Resource metrics: cannot scrape node {Node} at {Uri}: {Reason}; it has no metrics until it answers (check the kubelet and that the metrics user may get nodes/metrics)")]
    private partial void LogScrapeFailed(string node, Uri uri, string reason);

    [LoggerMessage(EventId = LogEvents.Addons + 612, Level = LogLevel.Information, Message = "Resource metrics: node {Node} answers again")]
    private partial void LogRecovered(string node);
}
