using System.Threading.Channels;
using MiniKube.Client.Dynamic;

namespace MiniKube.Controllers.GarbageCollector;

/// <summary>
/// Keeps a monitor (a <see cref="MetadataGcKind"/>) for every resource discovery lists with the
/// list, watch and delete verbs that no shared typed informer covers, as upstream's
/// GraphBuilder.syncMonitors does: discovery is read again every <see cref="ResyncPeriod"/> and
/// whenever <see cref="RequestResync"/> asks (a lookup of an owner's kind failed), monitors of
/// new resources (a CRD just established) start, and those of resources no longer served stop.
/// A group-version that discovery could not read keeps its monitors until it answers again.
/// </summary>
public sealed partial class GcMonitors
{
    /// <summary>Upstream's default resync of the collector's monitors.</summary>
    public static readonly TimeSpan ResyncPeriod = TimeSpan.FromSeconds(30);

    // Requests closer together than this are served by one discovery (a burst of unknown kinds).
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    // Upstream's default ignoredResources: events are never owners or dependents worth a watch.
    private static readonly HashSet<(string Group, string Resource)> Ignored = [("", "events"), ("events.k8s.io", "events")];

    private readonly IKubernetes _client;
    private readonly RawApi _api;
    private readonly GcKinds _kinds;
    private readonly Action<GcKind> _onAdded;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<MetadataGcKind, CancellationTokenSource> _running = [];
    private readonly List<Task> _tasks = [];

    /// <param name="onAdded">Called with each monitor before it starts (the collector adds its handler).</param>
    public GcMonitors(IKubernetes client, GcKinds kinds, Action<GcKind> onAdded, TimeProvider time, ILogger logger)
    {
        _client = client;
        _api = new RawApi(client);
        _kinds = kinds;
        _onAdded = onAdded;
        _time = time;
        _logger = logger;
    }

    /// <summary>Asks for discovery to be read again soon; never blocks.</summary>
    public void RequestResync() => _requests.Writer.TryWrite(true);

    /// <summary>Reads discovery now and then on every period or request, until cancelled; then stops every monitor.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await SyncAsync(cancellationToken);
                await Task.Delay(MinInterval, _time, cancellationToken);
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var period = Task.Delay(ResyncPeriod - MinInterval, _time, wake.Token);
                var request = _requests.Reader.ReadAsync(wake.Token).AsTask();
                await Task.WhenAny(period, request);
                await wake.CancelAsync();
                await Task.WhenAll(period, request).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            foreach (var stop in _running.Values)
            {
                await stop.CancelAsync();
            }
            await Task.WhenAll(_tasks).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var stop in _running.Values)
            {
                stop.Dispose();
            }
        }
    }

    /// <summary>One pass of upstream's syncMonitors: start the new, stop the removed.</summary>
    private async Task SyncAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<DiscoveredResource> resources;
        IReadOnlyList<string> failed;
        try
        {
            (resources, failed) = await ApiDiscovery.PreferredResourcesAsync(_client, _api, cancellationToken);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or System.Text.Json.JsonException)
        {
            LogDiscoveryFailed(e.Message);
            return;
        }
        var wanted = resources
            .Where(r => !r.IsSubresource && r.Serves("list") && r.Serves("watch") && r.Serves("delete")
                && !Ignored.Contains((r.Group, r.Resource.Name)) && !_kinds.IsTyped(r.Group, r.Resource.Kind))
            .GroupBy(r => (r.Group, r.Resource.Kind))
            .ToDictionary(g => g.Key, g => g.First());
        foreach (var kind in _kinds.Discovered.ToList())
        {
            if (!wanted.TryGetValue((kind.Group, kind.Kind), out var resource) || resource.GroupVersion != kind.ApiVersion || resource.Resource.Name != kind.Resource)
            {
                if (failed.Contains(kind.ApiVersion))
                {
                    continue; // Unknown, not gone: keep watching.
                }
                _kinds.Remove(kind);
                if (_running.Remove(kind, out var stop))
                {
                    await stop.CancelAsync();
                    stop.Dispose();
                }
                LogMonitor("stops", kind.ApiVersion, kind.Resource);
            }
        }
        foreach (var resource in wanted.Values)
        {
            var kind = new MetadataGcKind(_api, resource, _logger);
            if (!_kinds.TryAdd(kind))
            {
                continue; // Monitored already.
            }
            _onAdded(kind);
            var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _running[kind] = stop;
            _tasks.RemoveAll(t => t.IsCompleted);
            _tasks.Add(kind.RunAsync(stop.Token));
            LogMonitor("starts", resource.GroupVersion, resource.Resource.Name);
        }
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 203, Level = LogLevel.Debug, Message = "Garbage collector {Change} monitoring {GroupVersion} {Resource}")]
    private partial void LogMonitor(string change, string groupVersion, string resource);

    [LoggerMessage(EventId = LogEvents.Controllers + 205, Level = LogLevel.Warning, Message = "Garbage collector could not read discovery ({Reason}); monitors unchanged until the next resync")]
    private partial void LogDiscoveryFailed(string reason);
}
