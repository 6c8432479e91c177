using k8s.Models;

namespace MiniKube.Controllers.PersistentVolume;

/// <summary>
/// Which volume a claim should bind to (pkg/controller/volume/persistentvolume/util/util.go
/// FindMatchingVolume): a volume pre-bound to the claim (claimRef naming it) wins if it is big
/// enough; otherwise the smallest Available, unclaimed volume of the claim's class whose labels
/// match the claim's selector, whose access modes include the claim's, whose volumeMode is the
/// claim's and whose capacity covers the request. When binding waits for the first consumer,
/// unclaimed volumes are considered only once the consumer's node is known, and then only those
/// whose node affinity admits that node.
/// </summary>
public static class VolumeMatcher
{
    /// <param name="node">The consumer's node (name and labels), when the scheduler has chosen one.</param>
    /// <param name="delayBinding">The claim's class binds on first consumer (WaitForFirstConsumer).</param>
    public static V1PersistentVolume? FindBest(V1PersistentVolumeClaim claim, IEnumerable<V1PersistentVolume> volumes, (string Name, IDictionary<string, string>? Labels)? node, bool delayBinding)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(volumes);
        var requested = Requested(claim);
        var requestedClass = claim.Spec?.StorageClassName ?? "";
        var selector = claim.Spec?.Selector is { } s ? LabelSelector.From(s) : null;
        V1PersistentVolume? smallest = null;
        var smallestSize = decimal.MaxValue;
        foreach (var volume in volumes)
        {
            if (volume.Metadata.DeletionTimestamp is not null || (volume.Spec?.VolumeMode ?? "Filesystem") != (claim.Spec?.VolumeMode ?? "Filesystem"))
            {
                continue;
            }
            var size = Capacity(volume);
            var fitsNode = node is not { } n || NodeAffinity.MatchesRequired(volume.Spec?.NodeAffinity?.Required, n.Name, n.Labels);
            if (IsBoundTo(volume, claim))
            {
                if (size < requested)
                {
                    continue;
                }
                return fitsNode ? volume : null;
            }
            if (delayBinding && node is null)
            {
                continue; // the consumer's node decides which volume is right
            }
            if (volume.Status?.Phase != "Available" || volume.Spec?.ClaimRef is not null
                || (selector is not null && !selector.Matches(volume))
                || (volume.Spec?.StorageClassName ?? "") != requestedClass
                || !fitsNode
                || !HasAccessModes(volume, claim))
            {
                continue;
            }
            if (size >= requested && size < smallestSize)
            {
                (smallest, smallestSize) = (volume, size);
            }
        }
        return smallest;
    }

    /// <summary>The volume's claimRef names this claim (and its uid, when the claimRef has one).</summary>
    public static bool IsBoundTo(V1PersistentVolume volume, V1PersistentVolumeClaim claim)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(claim);
        return volume.Spec?.ClaimRef is { } claimRef
            && claimRef.Name == claim.Metadata.Name
            && claimRef.NamespaceProperty == claim.Metadata.NamespaceProperty
            && (string.IsNullOrEmpty(claimRef.Uid) || claimRef.Uid == claim.Metadata.Uid);
    }

    /// <summary>spec.resources.requests.storage in bytes (0 when absent).</summary>
    public static decimal Requested(V1PersistentVolumeClaim claim) =>
        claim?.Spec?.Resources?.Requests is { } requests && requests.TryGetValue("storage", out var quantity) ? quantity.ToDecimal() : 0;

    private static decimal Capacity(V1PersistentVolume volume) =>
        volume.Spec?.Capacity is { } capacity && capacity.TryGetValue("storage", out var quantity) ? quantity.ToDecimal() : 0;

    private static bool HasAccessModes(V1PersistentVolume volume, V1PersistentVolumeClaim claim)
    {
        var offered = volume.Spec?.AccessModes ?? [];
        return (claim.Spec?.AccessModes ?? []).All(offered.Contains);
    }
}
