using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Aggregation;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Discovery;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Health;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.OpenApi;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.ServiceAccounts;
using MiniKube.ApiServer.Strategies;
using MiniKube.ApiServer.WatchCache;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// The request pipeline, in kube-apiserver's order (apiserver pkg/server/config.go
/// DefaultBuildHandlerChain): the public endpoints, authentication (401 for anyone unknown),
/// impersonation, authorization, then discovery, OpenAPI, metrics or the resource handlers. Every failure leaves as a
/// <c>Status</c>; a store outage is a 503 the client retries, never a hang.
/// </summary>
internal sealed partial class ApiDispatcher
{
    private readonly ApiServerOptions _options;
    private readonly ResourceRegistry _registry;
    private readonly Authenticator _authenticator;
    private readonly ILogger<ApiDispatcher> _logger;
    private readonly ResourceHandler _resources;
    private readonly ComponentStatuses _componentStatuses;
    private readonly ApiMetrics _metrics;
    private readonly byte[] _version;
    private readonly OpenApiDocuments _openApi;
    private readonly string _caPem;
    private readonly ApiResources _served;
    private readonly IssuerDiscovery _issuer;
    private DiscoveryDocuments _discovery;
    private ReviewHandler? _reviews;
    private long _openApiCatalogVersion;

    public ApiDispatcher(ApiServerOptions options, ResourceRegistry registry, WatchCaches watchCaches, ApiMetrics metrics, Authenticator authenticator, ILogger<ApiDispatcher> logger, ApiResources resources, TokenRequests tokens, IssuerDiscovery issuer, CancellationToken serverStopping)
    {
        _issuer = issuer;
        _served = resources;
        _metrics = metrics;
        _options = options;
        _registry = registry;
        _authenticator = authenticator;
        _logger = logger;
        var patches = new PatchHandler(registry);
        _resources = new ResourceHandler(registry, new WatchResponder(registry, watchCaches, options.BookmarkInterval, serverStopping), new SubresourceHandler(registry, patches, new KubeletProxy(options.Pki.Admin), tokens), patches);
        _componentStatuses = new ComponentStatuses(registry);
        _version = VersionDocument(options.KubernetesVersion);
        _openApi = new OpenApiDocuments(options.KubernetesVersion);
        _caPem = MiniKube.ApiServer.Pki.ClusterPki.Pem(options.Pki.Ca);
        var snapshot = resources.Current;
        _discovery = new DiscoveryDocuments($"0.0.0.0:{options.Port}", snapshot.All, snapshot.Version);
    }

    /// <summary>
    /// API aggregation: asked before a path is resolved locally whether an extension API server
    /// serves it, and for the extension servers' groups in /apis; null serves everything locally.
    /// </summary>
    public AggregatedApis? Aggregation { get; init; }

    /// <summary>Decides every authenticated request before it is routed (KubeApiServer composes the chain).</summary>
    public required IAuthorizer Authorizer { get; init; }

    // Built on first use: the authorizer is only known once the dispatcher is initialized.
    private ReviewHandler Reviews() => _reviews ??= new ReviewHandler(Authorizer, _authenticator, _registry.Clock);

    /// <summary>The secrets-encrypt endpoints (<c>/v1-mkube/encrypt/…</c>); null when this server has no such endpoints (tests).</summary>
    public EncryptionEndpoints? Encryption { get; init; }

    /// <summary>The metrics.k8s.io handler; null when the metrics API is off.</summary>
    public ResourceMetricsHandler? ResourceMetrics { get; init; }

    /// <summary>Signs joining agents' node certificates (<c>/v1-mkube/…-kubelet.crt</c>).</summary>
    public required NodeCredentials NodeCredentials { get; init; }

    /// <summary>Builds the OpenAPI documents ahead of the first kubectl that needs them.</summary>
    public void WarmUp() => _ = _openApi.Index;

    /// <summary>The address discovery advertises, known once Kestrel has bound.</summary>
    public void SetAddress(string address)
    {
        var snapshot = _served.Current;
        _discovery = new DiscoveryDocuments(address, snapshot.All, snapshot.Version);
    }

    // Rebuilt on the first discovery request after the served set changed (a CRD registered or removed), never per request.
    private DiscoveryDocuments Discovery()
    {
        var current = _discovery;
        var snapshot = _served.Current;
        if (current.CatalogVersion == snapshot.Version)
        {
            return current;
        }
        var rebuilt = new DiscoveryDocuments(current.ServerAddress, snapshot.All, snapshot.Version);
        _discovery = rebuilt;
        return rebuilt;
    }

    // The custom group-versions' documents follow the served set the same way: rebuilt on the first
    // OpenAPI request after a CRD was registered or removed.
    private OpenApiDocuments OpenApi()
    {
        if (Volatile.Read(ref _openApiCatalogVersion) != _served.Version)
        {
            // Under a lock, so a request holding an older snapshot never publishes it over a newer one.
            lock (_openApi)
            {
                var snapshot = _served.Current;
                if (_openApiCatalogVersion != snapshot.Version)
                {
                    _openApi.SetCustomResources(snapshot.Custom.Values.Select(types => types[0].Custom!.Definition).ToList());
                    Volatile.Write(ref _openApiCatalogVersion, snapshot.Version);
                }
            }
        }
        return _openApi;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var path = context.Request.Path.Value ?? "/";
        ApiPath? route = null;
        try
        {
            if (await ServePublicAsync(context, path))
            {
                return;
            }
            if (await _authenticator.AuthenticateAsync(context) is not { } authenticated)
            {
                await StatusResponses.UnauthorizedAsync(context);
                return;
            }
            // From here on the request runs as whom it impersonates (after the caller may).
            var user = Impersonation.Apply(context.Request, authenticated, Authorizer);
            var attributes = RequestAttributes.From(context.Request, user);
            if (Authorizer.Authorize(attributes) is { IsAllowed: false } refused)
            {
                throw AuthorizerChain.Forbidden(attributes, refused.Reason);
            }
            RequestUser.Current = new Requester(user.Name, user.Groups);
            // Strategies' and webhooks' warnings leave with the answer's headers (once each, as upstream's recorder).
            var warnings = RequestWarnings.Begin();
            context.Response.OnStarting(() =>
            {
                lock (warnings)
                {
                    if (warnings.Count > 0)
                    {
                        Warnings.Add(context, warnings.Distinct(StringComparer.Ordinal).ToList());
                    }
                }
                return Task.CompletedTask;
            });
            if (Encryption is not null && EncryptionEndpoints.Serves(path))
            {
                await Encryption.ServeAsync(context, path);
                return;
            }
            if (path == AgentConfig.Path && _options.AgentConfig is { } agentConfig)
            {
                await agentConfig.ServeAsync(context);
                return;
            }
            if (NodeCredentials.Serves(path))
            {
                await NodeCredentials.ServeAsync(context, context.RequestAborted);
                return;
            }
            if (path == "/metrics")
            {
                await WriteTextAsync(context, _metrics.Render(), "text/plain; version=0.0.4");
                return;
            }
            if (path is IssuerDiscovery.ConfigurationPath or IssuerDiscovery.KeysPath)
            {
                await ServeIssuerDiscoveryAsync(context, path);
                return;
            }
            if (path.StartsWith("/openapi/", StringComparison.Ordinal))
            {
                await ServeOpenApiAsync(context, path);
                return;
            }
            if (Aggregation is not null && await Aggregation.TryServeAsync(context, path, user))
            {
                return;
            }
            route = ApiPath.Parse(path, _served) ?? throw ApiException.PathNotFound();
            if (route.Kind == ApiPathKind.Discovery)
            {
                await ServeDiscoveryAsync(context, route);
                return;
            }
            if (ReviewHandler.Serves(route.Type))
            {
                await Reviews().HandleAsync(context, route, user);
                return;
            }
            if (ResourceMetrics is not null && ResourceMetricsHandler.Serves(route.Type))
            {
                await ResourceMetrics.HandleAsync(context, route);
                return;
            }
            if (ReferenceEquals(route.Type, ResourceCatalog.ComponentStatuses))
            {
                await ServeComponentStatusesAsync(context, route);
                return;
            }
            var watching = ListOptions.Boolean(context.Request.Query, "watch");
            if (watching)
            {
                _metrics.WatchStarted();
            }
            try
            {
                await _resources.HandleAsync(context, route);
            }
            finally
            {
                if (watching)
                {
                    _metrics.WatchEnded();
                }
            }
        }
        catch (ApiException e)
        {
            await FailAsync(context, e);
        }
        catch (StoreUnavailableException e)
        {
            await FailAsync(context, ApiException.Unavailable($"the storage is unavailable: {e.Message}"));
        }
        catch (CompactedException e)
        {
            await FailAsync(context, ApiException.Expired(e.Message));
        }
        catch (ArgumentException e) when (e.ParamName is "key" or "value")
        {
            // The store refuses keys or values beyond its limits (1.5 MiB objects, as etcd).
            await FailAsync(context, ApiException.TooLarge(e.Message));
        }
        catch (FutureRevisionException e)
        {
            await FailAsync(context, new ApiException(StatusCodes.Status504GatewayTimeout, "Timeout", $"Timeout: Too large resource version: {e.Message}") { RetryAfterSeconds = 1 });
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidCastException or FormatException or JsonException or InvalidDataException or KeyNotFoundException or IndexOutOfRangeException or ArgumentException)
        {
            // A request shaped in a way the handlers did not foresee: a 500 Status, logged, and
            // the server carries on (as kube-apiserver's panic recovery filter does).
            await FailAsync(context, ApiException.Internal(e.Message));
        }
        finally
        {
            if (route?.Type is { } type)
            {
                _metrics.Record(Verb(context, route), type.Name, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
            }
        }
    }

    // Service-account issuer discovery: authorized like any non-resource path (upstream grants it to
    // system:service-account-issuer-discovery), cacheable for an hour as upstream serves it.
    private async Task ServeIssuerDiscoveryAsync(HttpContext context, string path)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            throw ApiException.MethodNotAllowed();
        }
        var configuration = path == IssuerDiscovery.ConfigurationPath;
        var body = configuration ? _issuer.Configuration($"{_options.AdvertiseAddress}:{context.Connection.LocalPort.ToString(CultureInfo.InvariantCulture)}") : _issuer.KeySet();
        context.Response.ContentType = configuration ? IssuerDiscovery.ConfigurationContentType : IssuerDiscovery.KeysContentType;
        context.Response.Headers.CacheControl = IssuerDiscovery.CacheControl;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private async Task FailAsync(HttpContext context, ApiException error)
    {
        if (error.Code >= 500)
        {
            LogServerError(context.Request.Method, context.Request.Path.Value ?? "", error.Message);
        }
        if (context.Response.HasStarted)
        {
            return;
        }
        context.Response.Clear();
        await StatusResponses.WriteAsync(context, error);
    }

    private async Task<bool> ServePublicAsync(HttpContext context, string path)
    {
        switch (path)
        {
            case "/version":
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync(_version, context.RequestAborted);
                return true;
            case "/healthz" or "/livez" or "/readyz":
                await ServeHealthAsync(context, path);
                return true;
            case "/cacerts":
                // The cluster CA, public as in k3s: a joining agent fetches it and checks it
                // against the hash in its token before it sends the token's secret.
                await WriteTextAsync(context, _caPem, "text/plain; charset=utf-8");
                return true;
            default:
                if (path.StartsWith("/healthz/", StringComparison.Ordinal) || path.StartsWith("/livez/", StringComparison.Ordinal) || path.StartsWith("/readyz/", StringComparison.Ordinal))
                {
                    await ServeHealthAsync(context, path);
                    return true;
                }
                foreach (var site in _options.Sites)
                {
                    if (site.Serves(path))
                    {
                        await site.Handler(context);
                        return true;
                    }
                }
                return false;
        }
    }

    /// <summary>
    /// Health endpoints as kube-apiserver writes them (apiserver pkg/server/healthz): "ok", or
    /// with ?verbose one "[+]check ok" line per check; a failing check makes it a 500.
    /// </summary>
    private async Task ServeHealthAsync(HttpContext context, string path)
    {
        var checks = new List<(string Name, string? Error)> { ("ping", null), ("log", null) };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await _registry.Store.GetCurrentRevisionAsync(timeout.Token);
            checks.Add(("etcd", null));
        }
        catch (Exception e) when (e is StoreUnavailableException or OperationCanceledException)
        {
            checks.Add(("etcd", "storage unavailable"));
        }
        var endpoint = path.Trim('/').Split('/');
        if (endpoint.Length > 1)
        {
            var single = checks.FirstOrDefault(c => c.Name == endpoint[1]);
            if (single.Name is null)
            {
                throw ApiException.PathNotFound();
            }
            checks = [single];
        }
        var healthy = checks.All(c => c.Error is null);
        context.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError;
        if (context.Request.Query.ContainsKey("verbose") || !healthy)
        {
            var text = new StringBuilder();
            foreach (var (name, error) in checks)
            {
                text.Append(error is null ? $"[+]{name} ok\n" : $"[-]{name} failed: reason withheld\n");
            }
            text.Append(healthy ? $"{endpoint[0]} check passed\n" : $"{endpoint[0]} check failed\n");
            await WriteTextAsync(context, text.ToString(), "text/plain; charset=utf-8", keepStatus: true);
            return;
        }
        await WriteTextAsync(context, "ok", "text/plain; charset=utf-8", keepStatus: true);
    }

    private async Task ServeDiscoveryAsync(HttpContext context, ApiPath route)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            throw ApiException.MethodNotAllowed();
        }
        var path = context.Request.Path.Value!.TrimEnd('/');
        var aggregated = Tables.AcceptHeader.AggregatedDiscoveryVersion(context.Request.Headers.Accept.ToString());
        var root = path is "/api" or "/apis";
        var discovery = Discovery();
        byte[]? document = path switch
        {
            "/api" or "/apis" when aggregated is not null => discovery.Aggregated(path == "/api", aggregated),
            "/api" => discovery.Core,
            "/apis" => discovery.Groups,
            _ when !route.GroupVersion.Contains('/', StringComparison.Ordinal) && path.StartsWith("/apis/", StringComparison.Ordinal) => discovery.Group(route.GroupVersion),
            _ => discovery.ResourceList(route.GroupVersion),
        };
        if (document is null)
        {
            throw ApiException.PathNotFound();
        }
        if (path == "/apis" && Aggregation is not null)
        {
            document = await Aggregation.AddRemoteGroupsAsync(document, aggregated, context.RequestAborted);
        }
        context.Response.ContentType = root && aggregated is not null ? DiscoveryDocuments.AggregatedContentType(aggregated) : "application/json";
        await context.Response.Body.WriteAsync(document, context.RequestAborted);
    }

    /// <summary>
    /// /openapi/v3 and its per-group-version documents, cacheable forever under their hash (as
    /// upstream: a matching ?hash= gets "public, immutable"); /openapi/v2 is a document without
    /// paths or definitions (<see cref="OpenApiV2Document"/>), in protobuf when asked.
    /// </summary>
    private async Task ServeOpenApiAsync(HttpContext context, string path)
    {
        ReadOnlyMemory<byte> document;
        string etag;
        var contentType = "application/json";
        if (path.TrimEnd('/') == "/openapi/v2")
        {
            var protobuf = context.Request.Headers.Accept.ToString().Contains("protobuf", StringComparison.Ordinal);
            (var body, etag) = OpenApiV2Document.For(_options.KubernetesVersion, protobuf);
            document = body;
            contentType = protobuf ? OpenApiV2Document.ProtobufContentType : contentType;
        }
        else if (path.TrimEnd('/') == "/openapi/v3")
        {
            (document, etag) = OpenApi().IndexWithETag;
        }
        else if (!path.StartsWith("/openapi/v3/", StringComparison.Ordinal) || !OpenApi().TryGetDocument(path["/openapi/v3/".Length..], out document, out etag))
        {
            throw ApiException.PathNotFound();
        }
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = context.Request.Query.ContainsKey("hash") ? "public, immutable" : "no-cache, private";
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(document, context.RequestAborted);
    }

    private async Task ServeComponentStatusesAsync(HttpContext context, ApiPath route)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || ListOptions.Boolean(context.Request.Query, "watch"))
        {
            throw ApiException.MethodNotAllowed();
        }
        // Deprecated upstream since v1.19 but still how people check a control plane.
        Warnings.Add(context, ["v1 ComponentStatus is deprecated in v1.19+"]);
        var statuses = await _componentStatuses.ReadAsync(context.RequestAborted);
        if (route.Name is { } name)
        {
            statuses = [statuses.FirstOrDefault(s => ObjectMeta.Name(s) == name) ?? throw ApiException.NotFound(route.Type!, name)];
        }
        if (Presentation.WantsTable(context))
        {
            await Presentation.WriteTableAsync(context, route.Type!, statuses, 0, null, single: route.Name is not null);
            return;
        }
        if (route.Name is not null)
        {
            await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, statuses[0]);
            return;
        }
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["kind"] = "ComponentStatusList",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["items"] = new JsonArray(statuses.Select(s => (JsonNode)s).ToArray()),
        });
    }

    private static async Task WriteTextAsync(HttpContext context, string text, string contentType, bool keepStatus = false)
    {
        if (!keepStatus)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static string Verb(HttpContext context, ApiPath route) => context.Request.Method switch
    {
        "GET" when ListOptions.Boolean(context.Request.Query, "watch") => "WATCH",
        "GET" when route.Name is null => "LIST",
        "DELETE" when route.Name is null => "DELETECOLLECTION",
        "GET" or "POST" or "PUT" or "PATCH" or "DELETE" or "HEAD" or "OPTIONS" or "CONNECT" => context.Request.Method,
        // Unknown methods share one series so /metrics cannot be grown without bound.
        _ => "other",
    };

    /// <summary>/version as kube-apiserver answers it (apimachinery pkg/version Info).</summary>
    private static byte[] VersionDocument(string kubernetesVersion)
    {
        var parts = kubernetesVersion.TrimStart('v').Split('.');
        var platform = "linux/" + (RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : RuntimeInformation.OSArchitecture == Architecture.Arm ? "arm" : "amd64");
        return Encoding.UTF8.GetBytes(new JsonObject
        {
            ["major"] = parts[0],
            ["minor"] = parts.Length > 1 ? parts[1] : "0",
            ["gitVersion"] = kubernetesVersion,
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2026-11-24T00:00:00Z",
            ["goVersion"] = "mkube " + Environment.Version,
            ["compiler"] = "mkube",
            ["platform"] = platform,
        }.ToJsonString());
    }

    [LoggerMessage(EventId = LogEvents.ApiServer + 300, Level = LogLevel.Warning, Message = "{Method} {Path} failed: {Error}")]
    private partial void LogServerError(string method, string path, string error);
}
