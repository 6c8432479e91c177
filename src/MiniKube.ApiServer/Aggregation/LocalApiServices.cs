using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Aggregation;

/// <summary>
/// The Local APIServices this server serves itself, kept as kube-aggregator's autoregister
/// controller keeps them (pkg/controllers/autoregister): one per built-in group-version, labelled
/// <c>kube-aggregator.kubernetes.io/automanaged=onstart</c>, written at every start (created, or
/// its spec put back when someone changed it) and removed at start when no longer served; and
/// one per CRD group-version, labelled <c>true</c>, through <see cref="EnsureAsync"/> and
/// <see cref="RemoveAsync"/>, which the CRD registration calls. A Local APIService is Available
/// from its creation (the strategy marks it).
/// </summary>
public sealed partial class LocalApiServices(ResourceRegistry registry, ILogger<LocalApiServices> logger)
{
    /// <summary>The label autoregister marks its APIServices with.</summary>
    public const string AutomanagedLabel = "kube-aggregator.kubernetes.io/automanaged";

    private static readonly ResourceType ApiServices = ResourceCatalog.Find("apiregistration.k8s.io", "v1", "apiservices")!;

    /// <summary>The APIService name of a group-version: <c>version.group</c> ("v1." for core).</summary>
    public static string NameOf(string group, string version) => version + "." + group;

    /// <summary>
    /// Registers every built-in group-version <paramref name="served"/> serves (the catalog's, and
    /// the metrics API when it is on) and drops start-time ones no longer served (the metrics
    /// API's after a restart with <c>--disable metrics</c>).
    /// </summary>
    public async Task RegisterBuiltInAsync(ApiResources served, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(served);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (group, version) in served.Current.BuiltInGroupVersions)
        {
            if (ApiServicePriorities.ForBuiltIn(group, version) is not { } priority)
            {
                // As upstream's makeAPIService: no priority, no APIService (it would stay forever).
                LogSkipped(group.Length == 0 ? version : group + "/" + version);
                continue;
            }
            wanted.Add(NameOf(group, version));
            await PutAsync(group, version, priority, "onstart", cancellationToken);
        }
        await DeleteUnwantedAsync("onstart", wanted, cancellationToken);
    }

    /// <summary>
    /// The hook for served custom resources: makes sure the group-version has its Local
    /// APIService (automanaged "true", CRD priorities), as upstream's crdregistration controller
    /// asks autoregister to. Idempotent.
    /// </summary>
    public Task EnsureAsync(string group, string version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(version);
        return PutAsync(group, version, ApiServicePriorities.CustomResource, "true", cancellationToken);
    }

    /// <summary>Removes the automanaged Local APIService of a group-version no CRD serves any more; a user's own APIService is left alone.</summary>
    public async Task RemoveAsync(string group, string version, CancellationToken cancellationToken)
    {
        var name = NameOf(group, version);
        if (await ReadAsync(name, cancellationToken) is { } current && current.Obj("metadata").Obj("labels").Str(AutomanagedLabel) is "true")
        {
            await DeleteAsync(name, cancellationToken);
        }
    }

    private async Task PutAsync(string group, string version, (long Group, long Version) priority, string managed, CancellationToken cancellationToken)
    {
        var name = NameOf(group, version);
        var spec = new JsonObject
        {
            ["group"] = group,
            ["version"] = version,
            ["groupPriorityMinimum"] = priority.Group,
            ["versionPriority"] = priority.Version,
        };
        var current = await ReadAsync(name, cancellationToken);
        if (current is null)
        {
            try
            {
                await registry.CreateAsync(ApiServices, null, new JsonObject
                {
                    ["apiVersion"] = "apiregistration.k8s.io/v1",
                    ["kind"] = "APIService",
                    ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { [AutomanagedLabel] = managed } },
                    ["spec"] = spec,
                }, dryRun: false, cancellationToken);
                return;
            }
            catch (ApiException e) when (e.Reason == "AlreadyExists")
            {
                // Another API server over the same store registered it meanwhile: settle it below.
                current = await ReadAsync(name, cancellationToken);
                if (current is null)
                {
                    return;
                }
            }
        }
        if (JsonNode.DeepEquals(current["spec"], spec) && current.Obj("metadata").Obj("labels").Str(AutomanagedLabel) == managed)
        {
            return;
        }
        // Ours again, as autoregister puts back a changed spec of what it manages.
        await registry.UpdateAsync(ApiServices, null, name, null, stored =>
        {
            stored["spec"] = spec.DeepClone();
            stored.Obj("metadata")!.Ensure("labels")[AutomanagedLabel] = managed;
            ObjectCodec.Metadata(stored).Remove("resourceVersion");
            return stored;
        }, dryRun: false, cancellationToken);
        if (current.Obj("spec").Obj("service") is not null)
        {
            // It pointed at a Service: Local now, so Available without a check.
            await registry.UpdateAsync(ApiServices, null, name, "status", stored =>
            {
                stored["status"] = new JsonObject { ["conditions"] = new JsonArray(Strategies.ApiServiceStrategy.LocalAvailableCondition(registry.Clock.GetUtcNow())) };
                ObjectCodec.Metadata(stored).Remove("resourceVersion");
                return stored;
            }, dryRun: false, cancellationToken);
        }
    }

    private async Task<JsonObject?> ReadAsync(string name, CancellationToken cancellationToken)
    {
        var kv = await registry.Store.GetAsync(ResourceRegistry.Key(ApiServices, null, name), 0, cancellationToken);
        return kv is null ? null : ObjectCodec.Decode(kv.Value, kv.ModRevision);
    }

    /// <summary>
    /// Follows the group-versions CRDs serve, as upstream's crdregistration controller: each gets
    /// its automanaged Local APIService, and ones no CRD serves any more (also those left from
    /// before a restart) lose theirs. Runs until <paramref name="stopping"/>; a failed pass (the
    /// store away, a lost race) is tried again a second later.
    /// </summary>
    public async Task FollowCustomResourcesAsync(ApiResources served, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(served);
        while (!stopping.IsCancellationRequested)
        {
            var snapshot = served.Current;
            try
            {
                await SyncCustomAsync(snapshot, stopping);
                await served.ChangedSinceAsync(snapshot.Version, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Storage.StoreUnavailableException or ApiException or InvalidOperationException)
            {
                LogCustomSyncFailed(e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), registry.Clock, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task SyncCustomAsync(ApiResources.Snapshot snapshot, CancellationToken cancellationToken)
    {
        var wanted = snapshot.Custom.Values.SelectMany(types => types)
            .Where(type => !snapshot.BuiltInGroupVersions.Contains((type.Group, type.Version)))
            .Select(type => (type.Group, type.Version))
            .ToHashSet();
        foreach (var (group, version) in wanted)
        {
            await EnsureAsync(group, version, cancellationToken);
        }
        var names = wanted.Select(gv => NameOf(gv.Group, gv.Version)).ToHashSet(StringComparer.Ordinal);
        await DeleteUnwantedAsync("true", names, cancellationToken);
    }

    // Removes the APIServices this server manages under the automanaged label value that are no longer wanted.
    private async Task DeleteUnwantedAsync(string automanaged, HashSet<string> wanted, CancellationToken cancellationToken)
    {
        var stored = await registry.ListAsync(ApiServices, null, new ListOptions(), null, cancellationToken);
        foreach (var kv in stored.Items)
        {
            var apiService = ObjectCodec.Decode(kv.Value, kv.ModRevision);
            var name = ObjectMeta.Name(apiService) ?? "";
            if (apiService.Obj("metadata").Obj("labels").Str(AutomanagedLabel) == automanaged && !wanted.Contains(name))
            {
                await DeleteAsync(name, cancellationToken);
            }
        }
    }

    private async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await registry.DeleteAsync(ApiServices, null, name, new DeleteOptions(), cancellationToken);
        }
        catch (ApiException e) when (e.Reason == "NotFound")
        {
            // Gone already.
        }
    }

    [LoggerMessage(EventId = LogEvents.ApiServer + 500, Level = LogLevel.Information, Message = "No APIService for {GroupVersion}: kube-apiserver registers no priority for it")]
    private partial void LogSkipped(string groupVersion);

    [LoggerMessage(EventId = LogEvents.ApiServer + 506, Level = LogLevel.Warning, Message = "Could not bring the CRDs' APIServices up to date, trying again: {Reason}")]
    private partial void LogCustomSyncFailed(string reason);
}
