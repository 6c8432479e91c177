using Microsoft.AspNetCore.Http;

namespace MiniKube.Agent.Proxy;

/// <summary>
/// The service proxy's own health, kube-proxy's ProxyHealthServer (pkg/proxy/healthcheck/proxy_health.go):
/// healthy unless a change has waited longer than <see cref="Timeout"/> for a sync that wrote
/// the rules (upstream: twice the sync period). A change is queued at start, so a proxy that
/// never manages a first sync turns unhealthy. Served on <c>--healthz-bind-address</c>
/// (0.0.0.0:10256) as <c>/healthz</c> and <c>/livez</c>, which cloud load balancers probe, with
/// upstream's JSON; every service health check (<see cref="ServiceHealthServer"/>) also reports it.
/// <c>/healthz</c> also answers 503 while the node is not eligible (<see cref="SyncNode"/>), so
/// load balancers drain a node on its way out; <c>/livez</c> and the service health checks
/// ignore that, as upstream's do.
/// </summary>
public sealed partial class ProxyHealth
{
    private readonly TimeProvider _time;
    private readonly object _lock = new();
    private DateTimeOffset? _oldestPending;
    private DateTimeOffset? _lastUpdated;
    // Eligible until the first Node event says otherwise, as upstream starts.
    private bool _nodeEligible = true;

    /// <summary>The taint the cluster autoscaler puts on a node it is about to delete.</summary>
    public const string ToBeDeletedTaint = "ToBeDeletedByClusterAutoscaler";

    public ProxyHealth(TimeProvider time, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        Timeout = timeout;
        QueuedUpdate();
    }

    public TimeSpan Timeout { get; }

    /// <summary>A change arrived that a sync has yet to write.</summary>
    public void QueuedUpdate()
    {
        lock (_lock)
        {
            _oldestPending ??= _time.GetUtcNow();
        }
    }

    /// <summary>A sync wrote every change queued before it started.</summary>
    public void Updated()
    {
        lock (_lock)
        {
            _lastUpdated = _time.GetUtcNow();
            _oldestPending = null;
        }
    }

    /// <summary>The proxy's own health, without the node's eligibility (what the service health checks report).</summary>
    public bool IsHealthy => State().Healthy;

    /// <summary>Whether load balancers should send traffic to this node (see <see cref="SyncNode"/>).</summary>
    public bool NodeEligible
    {
        get
        {
            lock (_lock)
            {
                return _nodeEligible;
            }
        }
    }

    /// <summary>
    /// kube-proxy's SyncNode: this node is eligible unless its Node is being deleted or carries
    /// <see cref="ToBeDeletedTaint"/>. A Node that is gone (<paramref name="node"/> null) is not eligible.
    /// </summary>
    public void SyncNode(V1Node? node)
    {
        var eligible = node is { Metadata.DeletionTimestamp: null } && node.Spec?.Taints?.Any(t => t.Key == ToBeDeletedTaint) != true;
        lock (_lock)
        {
            _nodeEligible = eligible;
        }
    }

    /// <summary>Serves <see cref="ServeAsync"/> on <paramref name="endpoint"/>; a port already taken is logged and null returned (the proxy runs without it).</summary>
    internal async Task<HealthHttpServer?> ListenAsync(System.Net.IPEndPoint endpoint, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            return await HealthHttpServer.StartAsync(endpoint, ServeAsync, cancellationToken);
        }
        catch (IOException e)
        {
            LogHealthzFailed(logger, endpoint.ToString(), e.Message);
            return null;
        }
    }

    /// <summary>Answers <c>/healthz</c> and <c>/livez</c> as kube-proxy does (200 or 503, JSON); anything else is 404.</summary>
    public async Task ServeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value;
        if (path is not ("/healthz" or "/livez"))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("404 page not found\n", context.RequestAborted);
            return;
        }
        var (healthy, lastUpdated, now) = State();
        var eligible = NodeEligible;
        if (path == "/healthz")
        {
            healthy &= eligible;
        }
        context.Response.ContentType = "application/json";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        // As upstream, a healthy proxy reports the current time as its last update (older clients read it so).
        var updated = healthy ? now : lastUpdated;
        var body = path == "/healthz"
            ? $"{{\"lastUpdated\": {GoTime(updated)},\"currentTime\": {GoTime(now)}, \"nodeEligible\": {(eligible ? "true" : "false")}}}"
            : $"{{\"lastUpdated\": {GoTime(updated)},\"currentTime\": {GoTime(now)}}}";
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    private (bool Healthy, DateTimeOffset? LastUpdated, DateTimeOffset Now) State()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            return (_oldestPending is not { } pending || now - pending < Timeout, _lastUpdated, now);
        }
    }

    /// <summary>A time as Go's %q of a time.Time prints it (its String(): "2006-01-02 15:04:05.999999999 +0000 UTC"); the zero time for never.</summary>
    internal static string GoTime(DateTimeOffset? time)
    {
        if (time is not { } t)
        {
            return "\"0001-01-01 00:00:00 +0000 UTC\"";
        }
        var utc = t.UtcDateTime;
        var fraction = (utc.Ticks % TimeSpan.TicksPerSecond * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        return $"\"{utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}{(fraction.Length > 0 ? "." + fraction : "")} +0000 UTC\"";
    }

    [LoggerMessage(EventId = LogEvents.Agent + 58, Level = LogLevel.Warning, Message = "Not serving the service proxy's /healthz on {Endpoint}: {Reason}")]
    private static partial void LogHealthzFailed(ILogger logger, string endpoint, string reason);
}
