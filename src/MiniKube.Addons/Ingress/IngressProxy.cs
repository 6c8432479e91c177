using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Yarp.ReverseProxy.Configuration;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// The data plane: Kestrel listening for HTTP and HTTPS, YARP proxying. YARP is configured in
/// memory (<see cref="InMemoryConfigProvider"/>, which signals each change through a change
/// token): <see cref="Apply"/> hands it a new table and YARP rebuilds its endpoints while
/// connections and requests already open carry on (a WebSocket keeps its backend). Plain-HTTP
/// requests for a host with TLS get a 308 to HTTPS (ingress-nginx's default code; 308 keeps the
/// method and body, which 301 does not promise). Route choice is <see cref="RouteSelectorPolicy"/>'s,
/// retries <see cref="RetryOnConnectFailure"/>'s, traffic splitting <see cref="WeightedBackends"/>',
/// answers without a backend (redirects, 500s) <see cref="DirectResponses"/>'.
/// </summary>
public sealed class IngressProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly InMemoryConfigProvider _config;
    private readonly ActiveRoutes _routes;
    private readonly TlsCertificates _certificates;
    private static readonly ClusterConfig DirectCluster = new() { ClusterId = "mkube:direct" };
    private static readonly Dictionary<string, string> WholeHostMetadata = new() { [RouteSelectorPolicy.WholeHostKey] = "true" };

    // The key UseAuthorization sets on the application builder; WebApplication reads it.
    private const string AuthorizationMiddlewareSetKey = "__AuthorizationMiddlewareSet";

    private volatile IReadOnlySet<string> _redirectHosts = new HashSet<string>();

    private IngressProxy(WebApplication app, ActiveRoutes routes, TlsCertificates certificates)
    {
        _app = app;
        _routes = routes;
        _certificates = certificates;
        _config = app.Services.GetRequiredService<InMemoryConfigProvider>();
    }

    /// <summary>The bound HTTP listener (the port the OS chose when the options said 0).</summary>
    public IPEndPoint HttpEndpoint { get; private set; } = null!;

    /// <summary>The bound HTTPS listener.</summary>
    public IPEndPoint HttpsEndpoint { get; private set; } = null!;

    public TlsCertificates Certificates => _certificates;

    /// <summary>Binds both listeners and starts serving an empty table (every request 404) until <see cref="Apply"/>.</summary>
    public static async Task<IngressProxy> StartAsync(IngressProxyOptions options, ILoggerFactory loggers, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var routes = new ActiveRoutes();
        var certificates = new TlsCertificates(time);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // YARP logs every proxied request at Information: only its warnings reach mkube's log.
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggers));
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // ASP.NET Core starts an Activity and a logging scope for every request whenever its
        // hosting logger is enabled at all (HostingApplicationDiagnostics), and YARP then sends
        // its trace headers on: work on the hot path for logs nobody reads. Off.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.Services.AddSingleton(routes);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, RouteSelectorPolicy>());
        builder.Services.AddSingleton<Yarp.ReverseProxy.LoadBalancing.ILoadBalancingPolicy, WeightedBackends>();
        builder.Services.AddReverseProxy().LoadFromMemory([], []).AddTransformFactory<PathRewrite>();
        builder.Services.Replace(ServiceDescriptor.Singleton<Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory, ForwarderClients>());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // A proxy passes bodies through; limits are the backend's business.
            kestrel.Limits.MaxRequestBodySize = null;
            Listen(kestrel, options.ListenAddress, options.HttpPort, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
            Listen(kestrel, options.ListenAddress, options.HttpsPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https => https.ServerCertificateSelector = (_, name) => certificates.Select(name));
            });
        });
        var app = builder.Build();
        var proxy = new IngressProxy(app, routes, certificates);
        // The steps take the next one as a RequestDelegate: the Func<Task> form of Use allocates a
        // closure per request and step.
        app.Use((HttpContext context, RequestDelegate next) => proxy.RedirectToHttpsAsync(context, next));
        // Nothing here authorizes (no route carries a policy), but WebApplication adds the
        // authorization middleware to every request when its services are registered, as YARP's are.
        ((IApplicationBuilder)app).Properties[AuthorizationMiddlewareSetKey] = true;
        app.MapReverseProxy(pipeline =>
        {
            pipeline.Use((HttpContext context, RequestDelegate next) => DirectResponses.RouteAsync(context, routes, next));
            pipeline.Use(RetryOnConnectFailure.InvokeAsync);
            pipeline.UseLoadBalancing();
            pipeline.Use(DirectResponses.DestinationAsync);
            pipeline.UsePassiveHealthChecks();
        });
        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => BindingAddress.Parse(a)).ToList();
        proxy.HttpEndpoint = Endpoint(bound, "http", options);
        proxy.HttpsEndpoint = Endpoint(bound, "https", options);
        return proxy;
    }

    /// <summary>Serves <paramref name="table"/> from now on; requests already in flight finish on the table they started with.</summary>
    public void Apply(ProxyTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _certificates.Update(table.Tls);
        _redirectHosts = table.RedirectHosts;
        _routes.Update(table.Routes);
        var routes = table.Routes.Select((route, rank) => new RouteConfig
        {
            RouteId = route.Id,
            // A redirect or a fixed status needs no backend (DirectResponses answers first), but
            // YARP answers 503 before its pipeline for a route without a cluster: an empty one.
            ClusterId = route.ClusterId.Length == 0 ? DirectCluster.ClusterId : route.ClusterId,
            // The rank makes every candidate's score distinct: the selector never sees a tie.
            Order = rank,
            Metadata = route.MatchesWholeHost ? WholeHostMetadata : null,
            Match = new RouteMatch
            {
                Path = "/{**path}",
                Hosts = route.Host is { } host ? [host] : null,
            },
            // Backends see the Host the client asked for, as behind ingress-nginx and Traefik.
            Transforms = [new Dictionary<string, string> { ["RequestHeaderOriginalHost"] = "true" }, .. route.Transforms],
        }).ToList();
        _config.Update(routes, [.. table.Clusters, DirectCluster]);
    }

    public async ValueTask DisposeAsync()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(budget.Token);
        await _app.DisposeAsync();
    }

    private Task RedirectToHttpsAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.IsHttps || _redirectHosts.Count == 0 || !_redirectHosts.Contains(HostPatterns.WithoutPort(context.Request.Host.Value ?? "")))
        {
            return next(context);
        }
        var host = context.Request.Host.Host;
        var port = HttpsEndpoint.Port == 443 ? "" : ":" + HttpsEndpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
        context.Response.Headers.Location = $"https://{host}{port}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
        return Task.CompletedTask;
    }

    private static void Listen(KestrelServerOptions kestrel, IPAddress? address, int port, Action<ListenOptions> configure)
    {
        if (address is null)
        {
            kestrel.ListenAnyIP(port, configure);
        }
        else
        {
            kestrel.Listen(address, port, configure);
        }
    }

    private static IPEndPoint Endpoint(List<BindingAddress> bound, string scheme, IngressProxyOptions options)
    {
        var address = bound.First(a => a.Scheme == scheme);
        return new IPEndPoint(options.ListenAddress ?? IPAddress.Any, address.Port);
    }

    /// <summary>The web host's lifetime inside mkube's host: no signal handling of its own, the owner stops it.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Hands the web host's loggers to mkube's, under the web host's own filters.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory loggers) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => loggers.CreateLogger(categoryName);

        public void Dispose()
        {
            // mkube's factory is not ours to dispose.
        }
    }
}
