using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Health;

/// <summary>
/// core/v1 componentstatuses, computed on each read as kube-apiserver does
/// (pkg/registry/core/componentstatus). The store is probed directly; the scheduler and the
/// controller manager report through their leader-election Leases in kube-system — a leader
/// that renewed within its lease duration is healthy — since components only talk through the API.
/// </summary>
public sealed class ComponentStatuses(ResourceRegistry registry)
{
    private static readonly ResourceType Leases = ResourceCatalog.Find("coordination.k8s.io", "v1", "leases")!;

    public async Task<IReadOnlyList<JsonObject>> ReadAsync(CancellationToken cancellationToken) =>
    [
        await FromLeaseAsync("scheduler", "kube-scheduler", cancellationToken),
        await FromLeaseAsync("controller-manager", "kube-controller-manager", cancellationToken),
        await StoreAsync(cancellationToken),
    ];

    private async Task<JsonObject> StoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            await registry.Store.GetCurrentRevisionAsync(cancellationToken);
            return Status("etcd-0", healthy: true, "ok", null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Status("etcd-0", healthy: false, null, e.Message);
        }
    }

    private async Task<JsonObject> FromLeaseAsync(string component, string leaseName, CancellationToken cancellationToken)
    {
        var kv = await registry.Store.GetAsync(ResourceRegistry.Key(Leases, "kube-system", leaseName), 0, cancellationToken);
        if (kv is null)
        {
            return Status(component, healthy: false, null, $"no leader: lease kube-system/{leaseName} not found");
        }
        var spec = ObjectCodec.Decode(kv.Value, kv.ModRevision)["spec"];
        var renewed = ObjectMeta.Str(spec?["renewTime"]);
        var duration = spec?["leaseDurationSeconds"] is JsonValue d && d.TryGetValue<int>(out var seconds) ? seconds : 15;
        if (renewed is null || !DateTimeOffset.TryParse(renewed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var renewTime))
        {
            return Status(component, healthy: false, null, $"lease kube-system/{leaseName} was never renewed");
        }
        var age = registry.Clock.GetUtcNow() - renewTime;
        return age <= TimeSpan.FromSeconds(duration)
            ? Status(component, healthy: true, "ok", null)
            : Status(component, healthy: false, null, $"leader {ObjectMeta.Str(spec?["holderIdentity"])} last renewed {(int)age.TotalSeconds}s ago");
    }

    private static JsonObject Status(string name, bool healthy, string? message, string? error)
    {
        var condition = new JsonObject { ["type"] = "Healthy", ["status"] = healthy ? "True" : "False" };
        if (message is not null)
        {
            condition["message"] = message;
        }
        if (error is not null)
        {
            condition["error"] = error;
        }
        return new JsonObject
        {
            ["kind"] = "ComponentStatus",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["conditions"] = new JsonArray(condition),
        };
    }
}
