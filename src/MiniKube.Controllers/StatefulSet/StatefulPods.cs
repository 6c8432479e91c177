using System.Globalization;
using k8s.Models;

namespace MiniKube.Controllers.StatefulSet;

/// <summary>
/// The stable identity of a StatefulSet's pods (pkg/controller/statefulset/stateful_set_utils.go):
/// name "&lt;set&gt;-&lt;ordinal&gt;", hostname = name, subdomain = serviceName, the pod-name and
/// pod-index labels, the revision label (for StatefulSets it holds the revision's full name), and
/// one PersistentVolumeClaim per volumeClaimTemplate named "&lt;template&gt;-&lt;set&gt;-&lt;ordinal&gt;".
/// </summary>
public static class StatefulPods
{
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";

    public static string PodName(V1StatefulSet set, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(set);
        return $"{set.Metadata.Name}-{ordinal.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The ordinal in a pod's name when it is "&lt;set&gt;-&lt;n&gt;", else null (getParentNameAndOrdinal).</summary>
    public static int? OrdinalOf(V1StatefulSet set, V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(pod);
        var prefix = set.Metadata.Name + "-";
        var name = pod.Metadata.Name;
        return name.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal) ? ordinal : null;
    }

    public static string ClaimName(V1StatefulSet set, V1PersistentVolumeClaim template, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(template);
        return $"{template.Metadata.Name}-{set.Metadata.Name}-{ordinal.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The claims the pod at <paramref name="ordinal"/> uses, not yet created: the template with the set's selector labels added.</summary>
    public static IEnumerable<V1PersistentVolumeClaim> Claims(V1StatefulSet set, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(set);
        foreach (var template in set.Spec.VolumeClaimTemplates ?? [])
        {
            var claim = Client.ObjectCopy.Clone(template);
            claim.ApiVersion = "v1";
            claim.Kind = "PersistentVolumeClaim";
            claim.Metadata = new V1ObjectMeta
            {
                Name = ClaimName(set, template, ordinal),
                NamespaceProperty = set.Metadata.NamespaceProperty,
                Labels = new Dictionary<string, string>(template.Metadata.Labels ?? new Dictionary<string, string>()),
                Annotations = template.Metadata.Annotations is { } a ? new Dictionary<string, string>(a) : null,
            };
            foreach (var (key, value) in set.Spec.Selector?.MatchLabels ?? new Dictionary<string, string>())
            {
                claim.Metadata.Labels[key] = value;
            }
            claim.Status = null;
            // persistentVolumeClaimRetentionPolicy.whenDeleted=Delete: the claims go with the set (by the garbage collector).
            if (set.Spec.PersistentVolumeClaimRetentionPolicy?.WhenDeleted == "Delete")
            {
                claim.Metadata.OwnerReferences = [ControllerRefs.To(set, "apps/v1", "StatefulSet")];
            }
            yield return claim;
        }
    }

    /// <summary>The pod at <paramref name="ordinal"/> from <paramref name="template"/> (the revision it belongs to is <paramref name="revisionName"/>).</summary>
    public static V1Pod New(V1StatefulSet set, V1PodTemplateSpec template, int ordinal, string revisionName)
    {
        ArgumentNullException.ThrowIfNull(set);
        var name = PodName(set, ordinal);
        var pod = PodControl.FromTemplate(template, ControllerRefs.To(set, "apps/v1", "StatefulSet"), "");
        pod.Metadata.GenerateName = null;
        pod.Metadata.Name = name;
        pod.Metadata.NamespaceProperty = set.Metadata.NamespaceProperty;
        pod.Metadata.Labels ??= new Dictionary<string, string>();
        pod.Metadata.Labels[PodNameLabel] = name;
        pod.Metadata.Labels[PodIndexLabel] = ordinal.ToString(CultureInfo.InvariantCulture);
        pod.Metadata.Labels[ControllerHistory.HashLabel] = revisionName;
        pod.Spec.Hostname = name;
        pod.Spec.Subdomain = string.IsNullOrEmpty(set.Spec.ServiceName) ? null : set.Spec.ServiceName;
        // Each claim template becomes (or replaces) the pod volume of that name.
        foreach (var claim in set.Spec.VolumeClaimTemplates ?? [])
        {
            pod.Spec.Volumes = [.. (pod.Spec.Volumes ?? []).Where(v => v.Name != claim.Metadata.Name)];
            pod.Spec.Volumes.Add(new V1Volume
            {
                Name = claim.Metadata.Name,
                PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = ClaimName(set, claim, ordinal) },
            });
        }
        return pod;
    }
}
