using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Pki;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Webhooks;
using Yarp.ReverseProxy.Forwarder;

namespace MiniKube.ApiServer.Aggregation;

/// <summary>
/// API aggregation (apiregistration.k8s.io, kube-aggregator) in this API server, and its two
/// seams into the request path: <see cref="TryServeAsync"/>, which the dispatcher asks before
/// resolving a path locally (a group-version whose APIService names a Service is proxied there,
/// and a group only extension servers serve gets its APIGroup document), and
/// <see cref="AddRemoteGroupsAsync"/>, which adds the extension servers' groups to our /apis
/// documents. Starting it registers the Local APIServices (<see cref="Local"/>, also the hook
/// for CRD group-versions), publishes extension-apiserver-authentication and runs the
/// availability controller until disposed.
/// </summary>
public sealed class AggregatedApis : IAsyncDisposable
{
    private readonly ApiResources _served;
    private readonly ResourceRegistry _registry;
    private readonly ClusterPki _pki;
    private readonly ApiServiceSnapshot _apiServices;
    private readonly ApiServiceProxy _proxy;
    private readonly RemoteDiscovery _discovery;
    private readonly AvailabilityController _availability;
    private readonly ServiceTransports _transports;
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    /// <param name="served">What this server serves itself: its group-versions are never looked up as APIServices.</param>
    public AggregatedApis(ApiResources served, ResourceRegistry registry, CachedReads reads, IServiceResolver resolver, ClusterPki pki, IHttpForwarder forwarder, AggregationOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(served);
        _served = served;
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(pki);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _registry = registry;
        _pki = pki;
        // Go extension servers read one group per X-Remote-Group line.
        _transports = new ServiceTransports(pki.FrontProxyClient, repeatHeaderLines: true);
        _apiServices = new ApiServiceSnapshot(reads);
        _proxy = new ApiServiceProxy(forwarder, _transports, resolver, loggers.CreateLogger<ApiServiceProxy>());
        _discovery = new RemoteDiscovery(_transports, resolver, options.CheckTimeout, loggers.CreateLogger<RemoteDiscovery>());
        _availability = new AvailabilityController(_apiServices, reads, registry, _transports, resolver, _discovery, options, loggers.CreateLogger<AvailabilityController>());
        Local = new LocalApiServices(registry, loggers.CreateLogger<LocalApiServices>());
    }

    /// <summary>The Local APIServices; <see cref="LocalApiServices.EnsureAsync"/> is the hook for CRD group-versions.</summary>
    public LocalApiServices Local { get; }

    /// <summary>Registers the built-in APIServices, publishes the extension authentication ConfigMap, starts the availability controller.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Local.RegisterBuiltInAsync(_served, cancellationToken);
        await ExtensionAuthentication.PublishAsync(_registry, _pki, cancellationToken);
        _running = Task.WhenAll(
            Task.Run(() => _availability.RunAsync(_stopping.Token), CancellationToken.None),
            Task.Run(() => Local.FollowCustomResourcesAsync(_served, _stopping.Token), CancellationToken.None));
    }

    /// <summary>
    /// Serves <paramref name="path"/> when it belongs to an extension API server: under
    /// <c>/apis/&lt;group&gt;/&lt;version&gt;</c> of a service-backed APIService (proxied), or
    /// <c>/apis/&lt;group&gt;</c> of a group only such APIServices serve. False: serve it locally.
    /// Built-in group-versions are settled without a lookup.
    /// </summary>
    public async Task<bool> TryServeAsync(HttpContext context, string path, UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith("/apis/", StringComparison.Ordinal))
        {
            return false;
        }
        var segments = path["/apis/".Length..].Split('/');
        // Built-in and custom group-versions are served here without a lookup (a CRD's group-version
        // has an automanaged Local APIService), as are the groups this server serves any version of.
        var served = _served.Current;
        if (segments[0].Length == 0 || (segments.Length < 2 || segments[1].Length == 0 ? served.ServesGroup(segments[0]) : served.Serves(segments[0], segments[1])))
        {
            return false;
        }
        if (segments.Length == 1 || segments is [_, ""])
        {
            return await TryServeGroupAsync(context, segments[0]);
        }
        if (segments[1].Length == 0 || await _apiServices.FindAsync(segments[0], segments[1], context.RequestAborted) is not { Service: not null } apiService)
        {
            return false;
        }
        await _proxy.ProxyAsync(context, apiService, user);
        return true;
    }

    /// <summary>
    /// <paramref name="document"/> (our GET /apis, legacy APIGroupList or, with
    /// <paramref name="aggregatedVersion"/>, apidiscovery APIGroupDiscoveryList) with the extension
    /// servers' groups added; the same bytes when there are none.
    /// </summary>
    public async Task<byte[]> AddRemoteGroupsAsync(byte[] document, string? aggregatedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var remote = (await _apiServices.CurrentAsync(cancellationToken)).Where(a => a.Service is not null && a.Group.Length > 0).ToList();
        if (remote.Count == 0)
        {
            return document;
        }
        var parsed = JsonNode.Parse(document)!.AsObject();
        if (aggregatedVersion is null)
        {
            Merge(parsed.Arr("groups")!, RemoteDiscovery.LegacyGroups(remote), "name", "versions", "groupVersion");
        }
        else
        {
            Merge(parsed.Arr("items")!, _discovery.AggregatedGroups(remote), null, "versions", "version");
        }
        return System.Text.Encoding.UTF8.GetBytes(parsed.ToJsonString(ObjectCodec.Compact) + "\n");
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _running;
        _transports.Dispose();
        _stopping.Dispose();
    }

    private async Task<bool> TryServeGroupAsync(HttpContext context, string group)
    {
        var remote = (await _apiServices.CurrentAsync(context.RequestAborted)).Where(a => a.Service is not null);
        if (RemoteDiscovery.GroupDocument(group, remote) is not { } document)
        {
            return false;
        }
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            throw Errors.ApiException.MethodNotAllowed();
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(document.ToJsonString(ObjectCodec.Compact) + "\n", context.RequestAborted);
        return true;
    }

    // Adds each remote group to the list, or its versions to a local group of the same name.
    private static void Merge(JsonArray groups, IReadOnlyList<JsonObject> additions, string? nameField, string versionsField, string versionKey)
    {
        string Name(JsonObject group) => nameField is null ? group.Obj("metadata").StrOrEmpty("name") : group.StrOrEmpty(nameField);
        foreach (var addition in additions)
        {
            if (groups.OfType<JsonObject>().FirstOrDefault(g => Name(g) == Name(addition)) is not { } existing)
            {
                groups.Add(addition);
                continue;
            }
            var versions = existing.Arr(versionsField)!;
            foreach (var version in addition.Arr(versionsField)!.OfType<JsonObject>())
            {
                if (versions.OfType<JsonObject>().All(v => v.Str(versionKey) != version.Str(versionKey)))
                {
                    versions.Add(version.DeepClone());
                }
            }
        }
    }
}
