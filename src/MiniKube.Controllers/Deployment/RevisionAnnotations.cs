using System.Globalization;
using k8s.Models;

namespace MiniKube.Controllers.Deployment;

/// <summary>
/// The annotations a Deployment keeps on its ReplicaSets (deployment/util deployment_util.go):
/// deployment.kubernetes.io/revision (what <c>kubectl rollout history/undo</c> read),
/// revision-history (the revisions a reused ReplicaSet had before), desired-replicas and
/// max-replicas (the Deployment's size and size + maxSurge when the set was last scaled, which
/// proportional scaling reads), plus a copy of the Deployment's own annotations except the ones
/// that belong to one object only.
/// </summary>
public static class RevisionAnnotations
{
    public const string Revision = "deployment.kubernetes.io/revision";
    public const string RevisionHistory = "deployment.kubernetes.io/revision-history";
    public const string DesiredReplicas = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicas = "deployment.kubernetes.io/max-replicas";
    public const string DeprecatedRollbackTo = "deprecated.deployment.rollback.to";

    /// <summary>Upstream's MaxRevHistoryLengthInChars.</summary>
    public const int MaxHistoryLength = 2000;

    private static readonly HashSet<string> NotCopied = new(StringComparer.Ordinal)
    {
        WellKnownAnnotations.LastAppliedConfig, Revision, RevisionHistory, DesiredReplicas, MaxReplicas, DeprecatedRollbackTo,
    };

    /// <summary>The revision of a ReplicaSet; 0 when it has none or it is not a number.</summary>
    public static long RevisionOf(V1ReplicaSet rs)
    {
        ArgumentNullException.ThrowIfNull(rs);
        return rs.Metadata.Annotations?.TryGetValue(Revision, out var text) == true
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : 0;
    }

    public static long MaxRevision(IEnumerable<V1ReplicaSet> sets) => sets.Select(RevisionOf).DefaultIfEmpty(0).Max();

    /// <summary>The desired-replicas annotation, when it is there and a number.</summary>
    public static int? DesiredReplicasOf(V1ReplicaSet rs) => IntAnnotation(rs, DesiredReplicas);

    public static int? MaxReplicasOf(V1ReplicaSet rs) => IntAnnotation(rs, MaxReplicas);

    /// <summary>
    /// Brings the new ReplicaSet's annotations up to date (SetNewReplicaSetAnnotations): the
    /// Deployment's annotations, the revision raised to <paramref name="newRevision"/> when lower
    /// (remembering the old one in revision-history: a rollback reuses a set), and, for a set
    /// about to be created, the replica annotations. True when anything changed.
    /// </summary>
    public static bool SetNewReplicaSetAnnotations(V1Deployment d, V1ReplicaSet rs, long newRevision, bool exists)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(rs);
        var annotations = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var changed = CopyDeploymentAnnotations(d, rs);
        var hadRevision = annotations.TryGetValue(Revision, out var oldText);
        long oldRevision = 0;
        if (hadRevision && !long.TryParse(oldText, NumberStyles.None, CultureInfo.InvariantCulture, out oldRevision))
        {
            if (!string.IsNullOrEmpty(oldText))
            {
                return changed;
            }
            oldRevision = 0;
        }
        if (oldRevision < newRevision)
        {
            annotations[Revision] = newRevision.ToString(CultureInfo.InvariantCulture);
            changed = true;
            if (hadRevision)
            {
                AppendHistory(annotations, oldText!);
            }
        }
        if (!exists && SetReplicasAnnotations(rs, d.Spec.Replicas ?? 1, (d.Spec.Replicas ?? 1) + RollingUpdateLimits.MaxSurge(d)))
        {
            changed = true;
        }
        return changed;
    }

    /// <summary>Sets desired-replicas and max-replicas; true when either changed.</summary>
    public static bool SetReplicasAnnotations(V1ReplicaSet rs, int desired, int max)
    {
        ArgumentNullException.ThrowIfNull(rs);
        var annotations = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var changed = false;
        foreach (var (key, value) in new[] { (DesiredReplicas, desired), (MaxReplicas, max) })
        {
            var text = value.ToString(CultureInfo.InvariantCulture);
            if (!annotations.TryGetValue(key, out var current) || current != text)
            {
                annotations[key] = text;
                changed = true;
            }
        }
        return changed;
    }

    public static bool ReplicasAnnotationsNeedUpdate(V1ReplicaSet rs, int desired, int max)
    {
        ArgumentNullException.ThrowIfNull(rs);
        var annotations = rs.Metadata.Annotations;
        return annotations is null
            || !annotations.TryGetValue(DesiredReplicas, out var desiredText) || desiredText != desired.ToString(CultureInfo.InvariantCulture)
            || !annotations.TryGetValue(MaxReplicas, out var maxText) || maxText != max.ToString(CultureInfo.InvariantCulture);
    }

    private static bool CopyDeploymentAnnotations(V1Deployment d, V1ReplicaSet rs)
    {
        var changed = false;
        var target = rs.Metadata.Annotations!;
        foreach (var (key, value) in d.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (NotCopied.Contains(key) || (target.TryGetValue(key, out var current) && current == value))
            {
                continue;
            }
            target[key] = value;
            changed = true;
        }
        return changed;
    }

    // Oldest revisions fall off the front once the list would outgrow MaxHistoryLength characters.
    private static void AppendHistory(IDictionary<string, string> annotations, string oldRevision)
    {
        var history = annotations.TryGetValue(RevisionHistory, out var text) ? text : "";
        if (history.Length == 0)
        {
            annotations[RevisionHistory] = oldRevision;
            return;
        }
        var revisions = history.Split(',').ToList();
        var length = history.Length + oldRevision.Length + 1;
        var start = 0;
        while (length > MaxHistoryLength && start < revisions.Count)
        {
            length -= revisions[start].Length + 1;
            start++;
        }
        if (length <= MaxHistoryLength)
        {
            annotations[RevisionHistory] = string.Join(",", revisions.Skip(start).Append(oldRevision));
        }
    }

    private static int? IntAnnotation(V1ReplicaSet rs, string key)
    {
        ArgumentNullException.ThrowIfNull(rs);
        return rs.Metadata.Annotations?.TryGetValue(key, out var text) == true
            && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
