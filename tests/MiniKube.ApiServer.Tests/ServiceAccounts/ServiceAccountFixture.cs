using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.ServiceAccounts;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.Tests.ServiceAccounts;

/// <summary>
/// A registry over a fresh embedded store with the bootstrap namespaces, a fake clock, one key
/// set, and the token issuer and validator over them; admission plugins as a test asks.
/// </summary>
public abstract class ServiceAccountFixture : EmbeddedStoreFixture
{
    protected static readonly ResourceType ServiceAccounts = ResourceCatalog.Find("", "v1", "serviceaccounts")!;
    protected static readonly ResourceType Pods = ResourceCatalog.Find("", "v1", "pods")!;
    protected static readonly ResourceType Secrets = ResourceCatalog.Find("", "v1", "secrets")!;

    private ServiceAccountKeys? _keys;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));

    protected ServiceAccountOptions Options { get; } = new();

    protected ServiceAccountKeys Keys => _keys ??= ServiceAccountKeys.Generate();

    protected ResourceRegistry Registry { get; private set; } = null!;

    protected TokenRequests Tokens => new(Registry, Keys, Options);

    protected ServiceAccountTokenValidator Validator => new(Keys, Options, new CachedReads(Store, null), Time);

    // NUnit reuses the fixture instance: every test gets fresh keys.
    [TearDown]
    public void DisposeKeys()
    {
        _keys?.Dispose();
        _keys = null;
    }

    /// <summary>Builds the registry with <paramref name="plugins"/> and the cluster's bootstrap objects.</summary>
    protected async Task StartRegistryAsync(params IAdmissionPlugin[] plugins)
    {
        var allocator = new ServiceAllocator(Store, "10.43.0.0/16", 30000, 32767);
        Registry = new ResourceRegistry(Store, new ObjectRules(Store, allocator) { Plugins = plugins }, Time);
        await ClusterBootstrap.RunAsync(Registry, allocator, 6443, CancellationToken.None);
    }

    protected Task<JsonObject> CreateAccountAsync(string name, bool? automount = null)
    {
        var account = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = new JsonObject { ["name"] = name } };
        if (automount is { } value)
        {
            account["automountServiceAccountToken"] = value;
        }
        return Registry.CreateAsync(ServiceAccounts, "default", account, dryRun: false, CancellationToken.None);
    }

    protected Task<JsonObject> CreatePodAsync(string name, string? serviceAccount = null, Action<JsonObject>? edit = null)
    {
        var spec = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox" }) };
        if (serviceAccount is not null)
        {
            spec["serviceAccountName"] = serviceAccount;
        }
        var pod = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec };
        edit?.Invoke(pod);
        return Registry.CreateAsync(Pods, "default", pod, dryRun: false, CancellationToken.None);
    }

    protected Task DeleteAsync(ResourceType type, string name) =>
        Registry.DeleteAsync(type, "default", name, new DeleteOptions { GracePeriodSeconds = 0 }, CancellationToken.None);

    /// <summary>A TokenRequest body: <c>{"spec":{…}}</c> with what is given.</summary>
    protected static JsonObject Request(long? expirationSeconds = null, JsonObject? boundObjectRef = null, params string[] audiences)
    {
        var spec = new JsonObject();
        if (audiences.Length > 0)
        {
            spec["audiences"] = new JsonArray([.. audiences.Select(a => (JsonNode)a)]);
        }
        if (expirationSeconds is { } seconds)
        {
            spec["expirationSeconds"] = seconds;
        }
        if (boundObjectRef is not null)
        {
            spec["boundObjectRef"] = boundObjectRef;
        }
        return new JsonObject { ["kind"] = "TokenRequest", ["apiVersion"] = "authentication.k8s.io/v1", ["spec"] = spec };
    }

    protected static JsonObject BoundTo(string kind, string name, string? uid = null) =>
        new() { ["kind"] = kind, ["apiVersion"] = "v1", ["name"] = name, ["uid"] = uid };

    protected async Task<string> TokenAsync(string account, JsonObject? request = null) =>
        (await Tokens.CreateAsync("default", account, request ?? Request(), CancellationToken.None))["status"]!["token"]!.GetValue<string>();
}
