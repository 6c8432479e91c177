using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniKube.Storage.Embedded;

/// <summary>
/// Tells heartbeats from real changes, for <see cref="EmbeddedStoreOptions.IsHeartbeat"/>: an
/// update of a coordination.k8s.io Lease whose new value differs from the stored one only in
/// <c>spec.renewTime</c> and in what every write refreshes (resourceVersion, generation, the
/// managedFields timestamps). That is a node's Lease renewal (pkg/kubelet/nodelease) and a leader's
/// renewal (client-go tools/leaderelection); a change of holder, acquireTime, duration or
/// transitions, labels or anything else is not a heartbeat and stays durable before it is
/// acknowledged. Losing a renewal in a crash costs what a missed heartbeat costs: a reader sees
/// the older renewTime, which the next renewal replaces.
/// </summary>
public static class HeartbeatWrites
{
    /// <summary>Where the API server keeps Leases (ResourceType.KeyPrefix of coordination.k8s.io/leases).</summary>
    public const string LeasePrefix = "/registry/coordination.k8s.io/leases/";

    /// <summary>True when <paramref name="next"/> only renews the Lease stored as <paramref name="stored"/>.</summary>
    public static bool IsLeaseRenewal(string key, ReadOnlyMemory<byte> stored, ReadOnlyMemory<byte> next)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.StartsWith(LeasePrefix, StringComparison.Ordinal))
        {
            return false;
        }
        try
        {
            return JsonNode.DeepEquals(WithoutRenewal(stored), WithoutRenewal(next));
        }
        catch (JsonException)
        {
            return false; // not plain JSON (an encrypted value, say): treat it as a real change
        }
    }

    private static JsonNode? WithoutRenewal(ReadOnlyMemory<byte> value)
    {
        var node = JsonNode.Parse(value.Span);
        if (node is not JsonObject lease)
        {
            return node;
        }
        if (lease["spec"] is JsonObject spec)
        {
            spec.Remove("renewTime");
        }
        if (lease["metadata"] is JsonObject metadata)
        {
            metadata.Remove("resourceVersion");
            metadata.Remove("generation");
            if (metadata["managedFields"] is JsonArray managers)
            {
                foreach (var manager in managers.OfType<JsonObject>())
                {
                    manager.Remove("time");
                }
            }
        }
        return lease;
    }
}
