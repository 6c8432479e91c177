using System.Net;
using MiniKube.Client.Events;
using Microsoft.AspNetCore.Http;

namespace MiniKube.Agent.Proxy;

/// <summary>
/// The per-service health checks a cloud load balancer probes for externalTrafficPolicy Local
/// (pkg/proxy/healthcheck/service_health.go): one HTTP listener on each Service's
/// healthCheckNodePort, every path answered with 200 while this node has a ready endpoint of the
/// Service and the proxy is healthy, else 503, and upstream's JSON body
/// (<c>{"service":{"namespace","name"},"localEndpoints":N,"serviceProxyHealthy":B}</c>).
/// <see cref="SyncAsync"/> opens listeners for new Services, closes those of Services gone or
/// moved to another port and updates the counts; a port that cannot be opened is logged, reported
/// as upstream's FailedToStartServiceHealthcheck Warning on the Service, and tried again at the
/// next sync. Not thread-safe across syncs: the proxy's one sync loop calls it.
/// </summary>
public sealed partial class ServiceHealthServer(IPAddress address, ProxyHealth proxyHealth, EventRecorder? events, string nodeName, ILogger logger) : IAsyncDisposable
{
    private readonly Dictionary<NamespacedName, Instance> _services = [];

    /// <summary>The Services served now and their ports (tests, logs).</summary>
    public IReadOnlyDictionary<NamespacedName, int> Ports => _services.ToDictionary(s => s.Key, s => s.Value.Port);

    public async Task SyncAsync(IReadOnlyList<HealthCheckService> wanted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        var byName = wanted.ToDictionary(w => w.Service);
        foreach (var (name, instance) in _services.ToList())
        {
            if (!byName.TryGetValue(name, out var want) || want.Port != instance.Port)
            {
                _services.Remove(name);
                await instance.Server.DisposeAsync();
            }
        }
        foreach (var want in wanted)
        {
            if (_services.TryGetValue(want.Service, out var running))
            {
                running.LocalEndpoints = want.LocalEndpoints;
                continue;
            }
            var instance = new Instance(want.Port) { LocalEndpoints = want.LocalEndpoints };
            try
            {
                instance.Server = await HealthHttpServer.StartAsync(new IPEndPoint(address, want.Port), context => ServeAsync(context, want.Service, instance), cancellationToken);
                _services[want.Service] = instance;
            }
            catch (IOException e)
            {
                LogListenFailed(want.Service.Namespace, want.Service.Name, want.Port, e.Message);
                // The Service's real uid, unlike upstream's made-up one, so kubectl describe service shows it.
                events?.Record(
                    new V1ObjectReference { ApiVersion = "v1", Kind = "Service", NamespaceProperty = want.Service.Namespace, Name = want.Service.Name, Uid = want.Uid },
                    EventTypes.Warning,
                    "FailedToStartServiceHealthcheck",
                    $"node {nodeName} failed to start healthcheck \"{want.Service}\" on port {want.Port.ToString(CultureInfo.InvariantCulture)}: {e.Message}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _services.Values)
        {
            await instance.Server.DisposeAsync();
        }
        _services.Clear();
    }

    private async Task ServeAsync(HttpContext context, NamespacedName service, Instance instance)
    {
        var count = instance.LocalEndpoints;
        var healthy = proxyHealth.IsHealthy;
        context.Response.ContentType = "application/json";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.StatusCode = count > 0 && healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        await context.Response.WriteAsync(Body(service, count, healthy), context.RequestAborted);
    }

    /// <summary>The body upstream writes, laid out as its dedented template is.</summary>
    internal static string Body(NamespacedName service, int localEndpoints, bool proxyHealthy) =>
        "{\n" +
        "\t\"service\": {\n" +
        $"\t\t\"namespace\": {GoStrings.Quote(service.Namespace)},\n" +
        $"\t\t\"name\": {GoStrings.Quote(service.Name)}\n" +
        "\t},\n" +
        $"\t\"localEndpoints\": {localEndpoints.ToString(CultureInfo.InvariantCulture)},\n" +
        $"\t\"serviceProxyHealthy\": {(proxyHealthy ? "true" : "false")}\n" +
        "}";

    private sealed class Instance(int port)
    {
        public int Port { get; } = port;

        public HealthHttpServer Server { get; set; } = null!;

        private int _localEndpoints;

        // Read by request threads, written by the sync loop.
        public int LocalEndpoints
        {
            get => Volatile.Read(ref _localEndpoints);
            set => Volatile.Write(ref _localEndpoints, value);
        }
    }

    [LoggerMessage(EventId = LogEvents.Agent + 57, Level = LogLevel.Warning, Message = "Could not serve the health check of Service {Namespace}/{Name} on port {Port}: {Reason}; trying again at the next sync")]
    private partial void LogListenFailed(string @namespace, string name, int port, string reason);
}
