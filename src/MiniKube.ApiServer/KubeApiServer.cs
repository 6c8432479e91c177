using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.ApiExtensions;
using MiniKube.ApiServer.Aggregation;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Encryption;
using MiniKube.ApiServer.Http;
using MiniKube.ApiServer.Health;
using MiniKube.ApiServer.NodeAuthorization;
using MiniKube.ApiServer.Rbac;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.ServiceAccounts;
using MiniKube.ApiServer.Strategies;
using MiniKube.ApiServer.WatchCache;
using MiniKube.Storage;

namespace MiniKube.ApiServer;

/// <summary>
/// The API server: Kestrel on HTTPS with the cluster's serving certificate (HTTP/1.1 and
/// HTTP/2 — kubectl negotiates HTTP/2, upgrades need HTTP/1.1), the request pipeline of
/// <see cref="ApiDispatcher"/>, the watch caches, and the cluster bootstrap objects. Terminating
/// namespaces are emptied by the controller manager's namespace controller, not here.
/// </summary>
public sealed class KubeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private readonly WatchCaches _watchCaches;
    private readonly CustomResourceServing _customResources;

    private KubeApiServer(WebApplication app, Uri address, CancellationTokenSource stopping, WatchCaches watchCaches, CustomResourceServing customResources)
    {
        _app = app;
        Address = address;
        _stopping = stopping;
        _watchCaches = watchCaches;
        _customResources = customResources;
    }

    /// <summary>API aggregation: its <see cref="AggregatedApis.Local"/> is where served CRD group-versions get their APIService.</summary>
    public AggregatedApis Aggregation { get; private init; } = null!;

    private ObjectFeed Rbac { get; init; } = null!;

    private ObjectFeed GraphFeed { get; init; } = null!;

    /// <summary>The bound address, e.g. https://127.0.0.1:6443.</summary>
    public Uri Address { get; }

    public static async Task<KubeApiServer> StartAsync(ApiServerOptions options, IStore backend, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(loggers);
        foreach (var site in options.Sites)
        {
            site.Validate();
        }
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.AddHttpForwarder(); // API aggregation's proxy
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = RequestBody.MaxBytes;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Listen(options.BindAddress, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = options.Pki.Serving;
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    // Checked against the cluster CA by the authenticator, so a bad
                    // certificate gets a 401 Status rather than a failed handshake.
                    https.AllowAnyClientCertificate();
                });
            });
        });
        var app = builder.Build();

        var clock = TimeProvider.System;
        // Secrets are sealed and opened at this one seam, below every reader and writer of the API server.
        var store = new CountingStore(options.SecretsEncryption is { } encryption ? new EncryptingStore(backend, encryption) : backend);
        var watchCaches = new WatchCaches(store, options.WatchCache, loggers.CreateLogger<WatchCaches>());
        var allocator = new ServiceAllocator(store, options.ServiceCidr, options.FirstNodePort, options.LastNodePort);
        // Admission plugins in kube-apiserver's order (its recommended --enable-admission-plugins
        // list): mutating ones first (MutatingAdmissionWebhook after the built-in ones), then
        // ValidatingAdmissionPolicy and ValidatingAdmissionWebhook, ResourceQuota last.
        var namespaceObjects = new NamespaceObjects(store, watchCaches, clock);
        var webhooks = new WebhookAdmission(store, watchCaches, loggers);
        app.Lifetime.ApplicationStopped.Register(webhooks.Dispose);
        var resources = new ApiResources(options.ResourceMetrics is null ? [] : ResourceCatalog.ResourceMetrics);
        var reads = new CachedReads(store, watchCaches);
        // Authorization as kube-apiserver's --authorization-mode=Node,RBAC: system:masters, the Node
        // authorizer over its graph of what each node's pods use, the ingress data planes' own
        // EndpointSlices (the same per-node rule for mkube's ingress nodes), then RBAC over its in-memory policy.
        var rbacPolicy = new RbacPolicy();
        var rbac = new RbacAuthorizer(rbacPolicy);
        var nodeGraph = new NodeGraph();
        var authorizer = new AuthorizerChain([new NodeAuthorizer(nodeGraph), new IngressNodeAuthorizer(), rbac]);
        var serviceAccounts = options.ServiceAccounts;
        IAdmissionPlugin[] plugins =
        [
            // RBAC's escalation prevention (upstream's policybased RBAC storage): validating phase only.
            new EscalationCheck(rbac, authorizer),
            new LimitRanger(namespaceObjects),
            .. serviceAccounts.Admission ? [new ServiceAccountAdmission(reads)] : Array.Empty<IAdmissionPlugin>(),
            // Upstream's order: NodeRestriction right after ServiceAccount.
            new NodeRestriction(reads),
            new IngressNodeRestriction(),
            // Upstream's order: PodSecurity after LimitRanger and ServiceAccount, before Priority.
            new PodSecurityAdmission(reads),
            // After LimitRanger and ServiceAccount, before the webhooks and ResourceQuota (which counts priority).
            new PriorityAdmission(store, watchCaches),
            webhooks.Mutating,
            // Upstream's order: ValidatingAdmissionPolicy before ValidatingAdmissionWebhook.
            new ValidatingAdmissionPolicyPlugin(reads, resources),
            webhooks.Validating,
            new ResourceQuotaAdmission(namespaceObjects, clock),
        ];
        var registry = new ResourceRegistry(store, new ObjectRules(store, allocator) { Cache = watchCaches, Resources = resources, Plugins = plugins }, clock) { ListCache = watchCaches, Leases = new ObjectLeases(store, options.EventTtl, clock) };
        var rbacFeed = new ObjectFeed("RBAC", RbacFeed.Types, new RbacFeed(rbacPolicy), registry, watchCaches, loggers.CreateLogger<ObjectFeed>());
        var nodeGraphFeed = new ObjectFeed("the Node authorizer", NodeGraphFeed.Types, new NodeGraphFeed(nodeGraph), registry, watchCaches, loggers.CreateLogger<ObjectFeed>());
        var customResources = new CustomResourceServing(resources, registry, watchCaches, loggers.CreateLogger<CustomResourceServing>())
        {
            ConversionWebhooks = webhooks.Client,
        };
        var stopping = new CancellationTokenSource();
        var metrics = new ApiMetrics(() => store.OpenWatches);
        var aggregation = new AggregatedApis(resources, registry, reads, new WebhookServiceResolver(reads), options.Pki, app.Services.GetRequiredService<Yarp.ReverseProxy.Forwarder.IHttpForwarder>(), options.Aggregation, loggers);
        // Shared by every server over this store (see ServiceAccountKeys.StoreKey).
        var keys = await ServiceAccountKeys.LoadOrCreateAsync(store, serviceAccounts.KeyFile, serviceAccounts.SealingSecret, cancellationToken);
        var authenticator = new Authenticator(options.Pki, options.Tokens,
            [new ServiceAccountTokenAuthenticator(new ServiceAccountTokenValidator(keys, serviceAccounts, reads, clock))], serviceAccounts.Audiences);
        var dispatcher = new ApiDispatcher(options, registry, watchCaches, metrics, authenticator, loggers.CreateLogger<ApiDispatcher>(), resources,
            new TokenRequests(registry, keys, serviceAccounts), new IssuerDiscovery(keys, serviceAccounts), stopping.Token)
        {
            Aggregation = aggregation,
            Authorizer = authorizer,
            Encryption = new EncryptionEndpoints(options.SecretsEncryption, backend),
            NodeCredentials = new NodeCredentials(options.Pki, registry, clock) { IssuesIngress = options.AgentConfig?.Ingress is not null },
            ResourceMetrics = options.ResourceMetrics is { } source ? new ResourceMetricsHandler(registry, source) : null,
        };
        app.UseWebSockets(); // pods/exec and pods/attach
        app.Run(dispatcher.HandleAsync);

        await ClusterBootstrap.RunAsync(registry, allocator, options.Port, cancellationToken);
        // The RBAC bootstrap policy, then every stored role and binding, before the first request.
        await PolicyBootstrap.RunAsync(registry, cancellationToken);
        await rbacFeed.LoadAsync(cancellationToken);
        await nodeGraphFeed.LoadAsync(cancellationToken);
        // Every stored CRD is served from the first request on.
        await customResources.LoadAsync(cancellationToken);
        await aggregation.StartAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
        dispatcher.SetAddress($"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        await ClusterBootstrap.PublishAsync(registry, options.AdvertiseAddress, port, cancellationToken);
        // Off the start path: the documents take a moment to build and only kubectl create/apply/explain need them.
        _ = Task.Run(dispatcher.WarmUp, CancellationToken.None);
        return new KubeApiServer(app, new Uri($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), stopping, watchCaches, customResources) { Aggregation = aggregation, Rbac = rbacFeed, GraphFeed = nodeGraphFeed };
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _customResources.DisposeAsync();
        await Aggregation.DisposeAsync();
        await Rbac.DisposeAsync();
        await GraphFeed.DisposeAsync();
        await _watchCaches.DisposeAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
