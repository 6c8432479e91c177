using System.Globalization;
using k8s.Models;

namespace MiniKube.Controllers.Deployment;

/// <summary>What one Deployment sync needs from its controller: the API, the caches, the recorder, the clock.</summary>
internal sealed record DeploymentSyncServices(
    IKubernetes Client,
    ObjectCache<V1ReplicaSet> ReplicaSets,
    ObjectCache<V1Pod> Pods,
    EventRecorder Events,
    TimeProvider Time);

/// <summary>
/// One sync of one Deployment (pkg/controller/deployment: deployment_controller.go
/// syncDeployment, sync.go, rolling.go, recreate.go, progress.go), on a private copy of it.
/// Order as upstream: claim ReplicaSets; a Deployment being deleted only gets status; paused
/// conditions; a paused Deployment or a scaling event only scales (proportionally during a
/// rollout); otherwise one step of RollingUpdate or Recreate, clean-up of old sets beyond
/// revisionHistoryLimit once complete, then status and the Progressing condition.
/// Upstream writes the revision annotation through UpdateStatus, whose strategy keeps metadata
/// changes; our status writes keep only .status, so the annotation goes in a merge patch.
/// </summary>
internal sealed class DeploymentSync(DeploymentSyncServices services, V1Deployment d)
{
    private const string ApiVersion = "apps/v1";
    private const string Kind = "Deployment";

    private readonly IKubernetes _client = services.Client;
    private List<V1ReplicaSet> _sets = [];

    private string Namespace => d.Metadata.NamespaceProperty;

    private int Replicas => d.Spec.Replicas ?? 1;

    /// <summary>Runs the sync; returns when to look again (null: only on change; zero: soon, rate-limited).</summary>
    public async Task<TimeSpan?> RunAsync(CancellationToken cancellationToken)
    {
        if (d.Spec.Selector is null || ((d.Spec.Selector.MatchLabels?.Count ?? 0) == 0 && (d.Spec.Selector.MatchExpressions?.Count ?? 0) == 0))
        {
            services.Events.Record(d, EventTypes.Warning, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
            if ((d.Status?.ObservedGeneration ?? 0) < (d.Metadata.Generation ?? 0))
            {
                d.Status ??= new V1DeploymentStatus();
                d.Status.ObservedGeneration = d.Metadata.Generation;
                await UpdateStatusAsync(cancellationToken);
            }
            return null;
        }
        _sets = await ClaimReplicaSetsAsync(cancellationToken);
        if (d.Metadata.DeletionTimestamp is not null)
        {
            var (newRs, oldSets) = await NewAndOldAsync(create: false, cancellationToken);
            await SyncStatusAsync([.. oldSets, newRs], newRs, cancellationToken);
            return null;
        }
        await CheckPausedConditionsAsync(cancellationToken);
        if (d.Spec.Paused == true || await IsScalingEventAsync(cancellationToken))
        {
            await ScaleOnlyAsync(cancellationToken);
            return null;
        }
        return d.Spec.Strategy?.Type == "Recreate"
            ? await RolloutRecreateAsync(cancellationToken)
            : await RolloutRollingAsync(cancellationToken);
    }

    // deployment_controller.go getReplicaSetsForDeployment: adopt matching orphans, release sets whose labels no longer match.
    private Task<List<V1ReplicaSet>> ClaimReplicaSetsAsync(CancellationToken cancellationToken)
    {
        var claims = new ControllerRefManager<V1ReplicaSet>(d, ControllerRefs.To(d, ApiVersion, Kind), LabelSelector.From(d.Spec.Selector),
            async ct =>
            {
                try
                {
                    return await _client.AppsV1.ReadNamespacedDeploymentAsync(d.Metadata.Name, Namespace, cancellationToken: ct);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    return null;
                }
            },
            (rs, patch, ct) => _client.AppsV1.PatchNamespacedReplicaSetAsync(patch, rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: ct));
        return claims.ClaimAsync(services.ReplicaSets.ListNamespace(Namespace), cancellationToken);
    }

    // ---- new and old ReplicaSets (sync.go getAllReplicaSetsAndSyncRevision, getNewReplicaSet) ----

    private async Task<(V1ReplicaSet? New, List<V1ReplicaSet> Old)> NewAndOldAsync(bool create, CancellationToken cancellationToken)
    {
        var oldSets = ReplicaSetOrder.FindOld(d, _sets);
        var newRs = await NewReplicaSetAsync(oldSets, create, cancellationToken);
        return (newRs, oldSets);
    }

    private async Task<V1ReplicaSet?> NewReplicaSetAsync(List<V1ReplicaSet> oldSets, bool create, CancellationToken cancellationToken)
    {
        var existing = ReplicaSetOrder.FindNew(d, _sets);
        var newRevision = RevisionAnnotations.MaxRevision(oldSets) + 1;
        if (existing is not null)
        {
            var copy = ObjectCopy.Clone(existing);
            var annotationsChanged = RevisionAnnotations.SetNewReplicaSetAnnotations(d, copy, newRevision, exists: true);
            if (annotationsChanged || (copy.Spec.MinReadySeconds ?? 0) != (d.Spec.MinReadySeconds ?? 0))
            {
                copy.Spec.MinReadySeconds = d.Spec.MinReadySeconds;
                return await ReplaceAsync(copy, cancellationToken);
            }
            var revisionChanged = SetDeploymentRevision(copy.Metadata.Annotations![RevisionAnnotations.Revision]);
            var statusChanged = false;
            if (DeploymentConditions.HasProgressDeadline(d) && DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing) is null)
            {
                SetCondition(DeploymentConditions.Progressing, "True", DeploymentConditions.FoundNewReplicaSet, $"Found new replica set \"{copy.Metadata.Name}\"");
                statusChanged = true;
            }
            await WriteRevisionAndStatusAsync(revisionChanged, statusChanged, cancellationToken);
            return copy;
        }
        if (!create)
        {
            return null;
        }
        return await CreateNewReplicaSetAsync(oldSets, newRevision, cancellationToken);
    }

    private async Task<V1ReplicaSet> CreateNewReplicaSetAsync(List<V1ReplicaSet> oldSets, long newRevision, CancellationToken cancellationToken)
    {
        var template = ObjectCopy.Clone(d.Spec.Template);
        var hash = PodTemplateHash.Compute(d.Spec.Template, d.Status?.CollisionCount);
        template.Metadata ??= new V1ObjectMeta();
        template.Metadata.Labels = new Dictionary<string, string>(template.Metadata.Labels ?? new Dictionary<string, string>()) { [PodTemplateHash.Label] = hash };
        var selector = ObjectCopy.Clone(d.Spec.Selector);
        selector.MatchLabels = new Dictionary<string, string>(selector.MatchLabels ?? new Dictionary<string, string>()) { [PodTemplateHash.Label] = hash };
        var rs = new V1ReplicaSet
        {
            ApiVersion = ApiVersion,
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = $"{d.Metadata.Name}-{hash}",
                NamespaceProperty = Namespace,
                OwnerReferences = [ControllerRefs.To(d, ApiVersion, Kind)],
                Labels = new Dictionary<string, string>(template.Metadata.Labels),
            },
            Spec = new V1ReplicaSetSpec { Replicas = 0, MinReadySeconds = d.Spec.MinReadySeconds, Selector = selector, Template = template },
        };
        var replicas = NewReplicaSetReplicas([.. oldSets, rs], rs);
        rs.Spec.Replicas = replicas;
        RevisionAnnotations.SetNewReplicaSetAnnotations(d, rs, newRevision, exists: false);

        V1ReplicaSet created;
        var alreadyExists = false;
        try
        {
            created = await _client.AppsV1.CreateNamespacedReplicaSetAsync(rs, Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // The name is taken: ours from a sync the cache had not seen yet, or a hash collision.
            var existing = services.ReplicaSets.Get(Namespace, rs.Metadata.Name);
            if (existing is null)
            {
                throw;
            }
            if (!ControllerRefs.IsControlledBy(existing, d.Metadata.Uid) || !PodTemplateHash.EqualIgnoreHash(d.Spec.Template, existing.Spec.Template))
            {
                d.Status ??= new V1DeploymentStatus();
                d.Status.CollisionCount = (d.Status.CollisionCount ?? 0) + 1;
                await UpdateStatusAsync(cancellationToken);
                throw;
            }
            created = existing;
            alreadyExists = true;
        }
        catch (HttpOperationException e) when (!ApiErrors.IsNamespaceTerminating(e))
        {
            var message = $"Failed to create new replica set \"{rs.Metadata.Name}\": {ApiErrors.StatusMessage(e)}";
            if (DeploymentConditions.HasProgressDeadline(d))
            {
                SetCondition(DeploymentConditions.Progressing, "False", DeploymentConditions.ReplicaSetCreateError, message);
                try
                {
                    await UpdateStatusAsync(cancellationToken);
                }
                catch (HttpOperationException)
                {
                    // The failed create is the news; the sync is retried either way.
                }
            }
            services.Events.Record(d, EventTypes.Warning, DeploymentConditions.ReplicaSetCreateError, message);
            throw;
        }
        _sets.Add(created);
        if (!alreadyExists && replicas > 0)
        {
            services.Events.Record(d, EventTypes.Normal, "ScalingReplicaSet", $"Scaled up replica set {created.Metadata.Name} from 0 to {replicas}");
        }
        var revisionChanged = SetDeploymentRevision(newRevision.ToString(CultureInfo.InvariantCulture));
        var statusChanged = false;
        if (!alreadyExists && DeploymentConditions.HasProgressDeadline(d))
        {
            SetCondition(DeploymentConditions.Progressing, "True", DeploymentConditions.NewReplicaSetCreated, $"Created new replica set \"{created.Metadata.Name}\"");
            statusChanged = true;
        }
        await WriteRevisionAndStatusAsync(revisionChanged, statusChanged, cancellationToken);
        return created;
    }

    /// <summary>deployment_util.go NewRSNewReplicas: how big the new set may be now.</summary>
    private int NewReplicaSetReplicas(IEnumerable<V1ReplicaSet?> all, V1ReplicaSet newRs)
    {
        if (d.Spec.Strategy?.Type == "Recreate")
        {
            return Replicas;
        }
        var maxTotal = Replicas + RollingUpdateLimits.Scaled(d.Spec.Strategy?.RollingUpdate?.MaxSurge, Replicas, roundUp: true);
        var current = ReplicaSetOrder.DesiredTotal(all);
        if (current >= maxTotal)
        {
            return ReplicaSetOrder.Size(newRs);
        }
        return ReplicaSetOrder.Size(newRs) + Math.Min(maxTotal - current, Replicas - ReplicaSetOrder.Size(newRs));
    }

    // ---- scaling (sync.go sync, scale, isScalingEvent) ----

    private async Task<bool> IsScalingEventAsync(CancellationToken cancellationToken)
    {
        var (newRs, oldSets) = await NewAndOldAsync(create: false, cancellationToken);
        return ReplicaSetOrder.Active([.. oldSets, newRs])
            .Any(rs => RevisionAnnotations.DesiredReplicasOf(rs) is { } desired && desired != Replicas);
    }

    private async Task ScaleOnlyAsync(CancellationToken cancellationToken)
    {
        var (newRs, oldSets) = await NewAndOldAsync(create: false, cancellationToken);
        await ScaleAsync(newRs, oldSets, cancellationToken);
        if (d.Spec.Paused == true)
        {
            await CleanupAsync(oldSets, cancellationToken);
        }
        await SyncStatusAsync([.. oldSets, newRs], newRs, cancellationToken);
    }

    private async Task ScaleAsync(V1ReplicaSet? newRs, List<V1ReplicaSet> oldSets, CancellationToken cancellationToken)
    {
        if (ActiveOrLatest(newRs, oldSets) is { } only)
        {
            if (ReplicaSetOrder.Size(only) != Replicas)
            {
                await ScaleReplicaSetAsync(only, Replicas, cancellationToken);
            }
            return;
        }
        if (IsSaturated(newRs))
        {
            foreach (var old in ReplicaSetOrder.Active(oldSets))
            {
                await ScaleReplicaSetAsync(old, 0, cancellationToken);
            }
            return;
        }
        if (!RollingUpdateLimits.IsRollingUpdate(d))
        {
            return;
        }
        // A resize in the middle of a rollout: spread the difference over the active sets in
        // proportion to their size, the largest set taking the rounding leftovers.
        var active = ReplicaSetOrder.Active([.. oldSets, newRs]);
        var allowed = Replicas > 0 ? Replicas + RollingUpdateLimits.MaxSurge(d) : 0;
        var toAdd = allowed - ReplicaSetOrder.DesiredTotal(active);
        if (toAdd > 0)
        {
            active.Sort(ReplicaSetOrder.BySizeNewer);
        }
        else if (toAdd < 0)
        {
            active.Sort(ReplicaSetOrder.BySizeOlder);
        }
        var added = 0;
        var sizes = new List<int>();
        foreach (var rs in active)
        {
            var proportion = toAdd == 0 ? 0 : Proportion(rs, toAdd, added);
            sizes.Add(ReplicaSetOrder.Size(rs) + proportion);
            added += proportion;
        }
        for (var i = 0; i < active.Count; i++)
        {
            if (i == 0 && toAdd != 0)
            {
                sizes[0] = Math.Max(0, sizes[0] + toAdd - added);
            }
            await ScaleReplicaSetAsync(active[i], sizes[i], cancellationToken);
        }
    }

    /// <summary>deployment_util.go GetProportion / getReplicaSetFraction.</summary>
    private int Proportion(V1ReplicaSet rs, int toAdd, int added)
    {
        if (ReplicaSetOrder.Size(rs) == 0 || toAdd == added)
        {
            return 0;
        }
        int fraction;
        if (Replicas == 0)
        {
            fraction = -ReplicaSetOrder.Size(rs);
        }
        else
        {
            var deploymentReplicas = Replicas + RollingUpdateLimits.MaxSurge(d);
            var annotated = RevisionAnnotations.MaxReplicasOf(rs) ?? d.Status?.Replicas ?? 0;
            var newSize = annotated == 0 ? 0 : (double)ReplicaSetOrder.Size(rs) * deploymentReplicas / annotated;
            fraction = (int)Math.Round(newSize, MidpointRounding.AwayFromZero) - ReplicaSetOrder.Size(rs);
        }
        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }

    /// <summary>The only set that wants pods, or the newest when none does; null when several do.</summary>
    private static V1ReplicaSet? ActiveOrLatest(V1ReplicaSet? newRs, List<V1ReplicaSet> oldSets)
    {
        if (newRs is null && oldSets.Count == 0)
        {
            return null;
        }
        var newestFirst = oldSets.Order(Comparer<V1ReplicaSet>.Create((a, b) => ReplicaSetOrder.ByCreation(b, a))).ToList();
        var active = ReplicaSetOrder.Active([.. newestFirst, newRs]);
        return active.Count switch
        {
            0 => newRs ?? newestFirst[0],
            1 => active[0],
            _ => null,
        };
    }

    private bool IsSaturated(V1ReplicaSet? rs) =>
        rs is not null
        && ReplicaSetOrder.Size(rs) == Replicas
        && RevisionAnnotations.DesiredReplicasOf(rs) == Replicas
        && (rs.Status?.AvailableReplicas ?? 0) == Replicas;

    /// <summary>Sets a ReplicaSet's size and replica annotations (sync.go scaleReplicaSet); returns the stored set and whether its size changed.</summary>
    private async Task<(bool Scaled, V1ReplicaSet Set)> ScaleReplicaSetAsync(V1ReplicaSet rs, int size, CancellationToken cancellationToken)
    {
        var maxReplicas = Replicas + RollingUpdateLimits.MaxSurge(d);
        var from = ReplicaSetOrder.Size(rs);
        var sizeChanges = from != size;
        if (!sizeChanges && !RevisionAnnotations.ReplicasAnnotationsNeedUpdate(rs, Replicas, maxReplicas))
        {
            return (false, rs);
        }
        var copy = ObjectCopy.Clone(rs);
        copy.Spec.Replicas = size;
        RevisionAnnotations.SetReplicasAnnotations(copy, Replicas, maxReplicas);
        var stored = await ReplaceAsync(copy, cancellationToken);
        if (sizeChanges)
        {
            var direction = from < size ? "up" : "down";
            services.Events.Record(d, EventTypes.Normal, "ScalingReplicaSet", $"Scaled {direction} replica set {rs.Metadata.Name} from {from} to {size}");
        }
        return (sizeChanges, stored);
    }

    /// <summary>sync.go scaleReplicaSetAndRecordEvent: nothing to do when the size is right already.</summary>
    private async Task<(bool Scaled, V1ReplicaSet Set)> ResizeAsync(V1ReplicaSet rs, int size, CancellationToken cancellationToken) =>
        ReplicaSetOrder.Size(rs) == size ? (false, rs) : await ScaleReplicaSetAsync(rs, size, cancellationToken);

    // ---- RollingUpdate (rolling.go) ----

    private async Task<TimeSpan?> RolloutRollingAsync(CancellationToken cancellationToken)
    {
        var (newRs, oldSets) = await NewAndOldAsync(create: true, cancellationToken);
        List<V1ReplicaSet?> all = [.. oldSets, newRs];
        if (await ReconcileNewReplicaSetAsync(all, newRs!, cancellationToken)
            || await ReconcileOldReplicaSetsAsync(all, ReplicaSetOrder.Active(oldSets), newRs!, cancellationToken))
        {
            return await SyncRolloutStatusAsync(all, newRs, cancellationToken);
        }
        if (DeploymentStatusCalculator.IsComplete(d, d.Status ?? new V1DeploymentStatus()))
        {
            await CleanupAsync(oldSets, cancellationToken);
        }
        return await SyncRolloutStatusAsync(all, newRs, cancellationToken);
    }

    private async Task<bool> ReconcileNewReplicaSetAsync(List<V1ReplicaSet?> all, V1ReplicaSet newRs, CancellationToken cancellationToken)
    {
        var size = ReplicaSetOrder.Size(newRs);
        if (size == Replicas)
        {
            return false;
        }
        var target = size > Replicas ? Replicas : NewReplicaSetReplicas(all, newRs);
        return (await ResizeAsync(newRs, target, cancellationToken)).Scaled;
    }

    private async Task<bool> ReconcileOldReplicaSetsAsync(List<V1ReplicaSet?> all, List<V1ReplicaSet> oldSets, V1ReplicaSet newRs, CancellationToken cancellationToken)
    {
        if (ReplicaSetOrder.DesiredTotal(oldSets) == 0)
        {
            return false;
        }
        var minAvailable = Replicas - RollingUpdateLimits.MaxUnavailable(d);
        var newUnavailable = ReplicaSetOrder.Size(newRs) - (newRs.Status?.AvailableReplicas ?? 0);
        var maxScaledDown = ReplicaSetOrder.DesiredTotal(all) - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return false;
        }
        // Unhealthy old replicas go first: they would otherwise block the rollout (kubernetes#16737).
        var cleaned = await CleanupUnhealthyReplicasAsync(oldSets, maxScaledDown, cancellationToken);
        var scaledDown = await ScaleDownOldReplicaSetsAsync([.. oldSets, newRs], oldSets, cancellationToken);
        return cleaned + scaledDown > 0;
    }

    private async Task<int> CleanupUnhealthyReplicasAsync(List<V1ReplicaSet> oldSets, int maxCleanup, CancellationToken cancellationToken)
    {
        oldSets.Sort(ReplicaSetOrder.ByCreation);
        var total = 0;
        for (var i = 0; i < oldSets.Count && total < maxCleanup; i++)
        {
            var rs = oldSets[i];
            var size = ReplicaSetOrder.Size(rs);
            var available = rs.Status?.AvailableReplicas ?? 0;
            if (size == 0 || size == available)
            {
                continue;
            }
            var count = Math.Min(maxCleanup - total, size - available);
            oldSets[i] = (await ResizeAsync(rs, size - count, cancellationToken)).Set;
            total += count;
        }
        return total;
    }

    private async Task<int> ScaleDownOldReplicaSetsAsync(List<V1ReplicaSet> all, List<V1ReplicaSet> oldSets, CancellationToken cancellationToken)
    {
        var minAvailable = Replicas - RollingUpdateLimits.MaxUnavailable(d);
        var available = ReplicaSetOrder.AvailableTotal(all);
        if (available <= minAvailable)
        {
            return 0;
        }
        oldSets.Sort(ReplicaSetOrder.ByCreation);
        var wanted = available - minAvailable;
        var total = 0;
        foreach (var rs in oldSets)
        {
            if (total >= wanted)
            {
                break;
            }
            if (ReplicaSetOrder.Size(rs) == 0)
            {
                continue;
            }
            var count = Math.Min(ReplicaSetOrder.Size(rs), wanted - total);
            await ResizeAsync(rs, ReplicaSetOrder.Size(rs) - count, cancellationToken);
            total += count;
        }
        return total;
    }

    // ---- Recreate (recreate.go) ----

    private async Task<TimeSpan?> RolloutRecreateAsync(CancellationToken cancellationToken)
    {
        var (newRs, oldSets) = await NewAndOldAsync(create: false, cancellationToken);
        List<V1ReplicaSet?> all = [.. oldSets, newRs];
        var scaledDown = false;
        foreach (var old in ReplicaSetOrder.Active(oldSets))
        {
            scaledDown |= (await ResizeAsync(old, 0, cancellationToken)).Scaled;
        }
        if (scaledDown || OldPodsRunning(newRs, oldSets))
        {
            return await SyncRolloutStatusAsync(all, newRs, cancellationToken);
        }
        if (newRs is null)
        {
            (newRs, oldSets) = await NewAndOldAsync(create: true, cancellationToken);
            all = [.. oldSets, newRs];
        }
        await ResizeAsync(newRs!, Replicas, cancellationToken);
        if (DeploymentStatusCalculator.IsComplete(d, d.Status ?? new V1DeploymentStatus()))
        {
            await CleanupAsync(oldSets, cancellationToken);
        }
        return await SyncRolloutStatusAsync(all, newRs, cancellationToken);
    }

    /// <summary>An old set still reports pods, or a pod of an old set has not finished.</summary>
    private bool OldPodsRunning(V1ReplicaSet? newRs, List<V1ReplicaSet> oldSets)
    {
        if (ReplicaSetOrder.ActualTotal(oldSets) > 0)
        {
            return true;
        }
        var oldUids = oldSets.Select(rs => rs.Metadata.Uid).Where(uid => uid != newRs?.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
        return services.Pods.ListNamespace(Namespace, LabelSelector.From(d.Spec.Selector))
            .Any(p => ControllerRefs.ControllerOf(p) is { } owner && oldUids.Contains(owner.Uid) && p.Status?.Phase is not ("Succeeded" or "Failed"));
    }

    // ---- history and status ----

    /// <summary>sync.go cleanupDeployment: deletes the oldest scaled-down sets beyond revisionHistoryLimit.</summary>
    private async Task CleanupAsync(List<V1ReplicaSet> oldSets, CancellationToken cancellationToken)
    {
        if (d.Spec.RevisionHistoryLimit is not { } limit || limit == int.MaxValue)
        {
            return;
        }
        var cleanable = oldSets.Where(rs => rs.Metadata.DeletionTimestamp is null).ToList();
        var diff = cleanable.Count - limit;
        if (diff <= 0)
        {
            return;
        }
        cleanable.Sort(ReplicaSetOrder.ByRevision);
        foreach (var rs in cleanable.Take(diff))
        {
            if ((rs.Status?.Replicas ?? 0) != 0 || ReplicaSetOrder.Size(rs) != 0 || (rs.Metadata.Generation ?? 0) > (rs.Status?.ObservedGeneration ?? 0))
            {
                continue;
            }
            try
            {
                await _client.AppsV1.DeleteNamespacedReplicaSetAsync(rs.Metadata.Name, Namespace, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
            }
        }
    }

    /// <summary>progress.go checkPausedConditions: Progressing Unknown DeploymentPaused / DeploymentResumed, so pausing never counts against the deadline.</summary>
    private async Task CheckPausedConditionsAsync(CancellationToken cancellationToken)
    {
        if (!DeploymentConditions.HasProgressDeadline(d))
        {
            return;
        }
        var condition = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing);
        if (condition?.Reason == DeploymentConditions.ProgressDeadlineExceeded)
        {
            return;
        }
        var pausedNoted = condition?.Reason == DeploymentConditions.DeploymentPaused;
        if (d.Spec.Paused == true && !pausedNoted)
        {
            SetCondition(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.DeploymentPaused, "Deployment is paused");
        }
        else if (d.Spec.Paused != true && pausedNoted)
        {
            SetCondition(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.DeploymentResumed, "Deployment is resumed");
        }
        else
        {
            return;
        }
        await UpdateStatusAsync(cancellationToken);
    }

    /// <summary>sync.go syncDeploymentStatus: counts and Available only.</summary>
    private async Task SyncStatusAsync(List<V1ReplicaSet?> all, V1ReplicaSet? newRs, CancellationToken cancellationToken)
    {
        var status = DeploymentStatusCalculator.Calculate([.. all.OfType<V1ReplicaSet>()], newRs, d, services.Time.GetUtcNow());
        if (!DeploymentStatusCalculator.Same(d.Status, status))
        {
            d.Status = status;
            await UpdateStatusAsync(cancellationToken);
        }
    }

    /// <summary>progress.go syncRolloutStatus: counts, Available, Progressing and ReplicaFailure; returns when to look again for the deadline.</summary>
    private async Task<TimeSpan?> SyncRolloutStatusAsync(List<V1ReplicaSet?> all, V1ReplicaSet? newRs, CancellationToken cancellationToken)
    {
        var now = services.Time.GetUtcNow();
        var sets = all.OfType<V1ReplicaSet>().ToList();
        var status = DeploymentStatusCalculator.Calculate(sets, newRs, d, now);
        var hasDeadline = DeploymentConditions.HasProgressDeadline(d);
        if (!hasDeadline)
        {
            DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
        }
        var current = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing);
        var rolledOut = (status.Replicas ?? 0) == (status.UpdatedReplicas ?? 0) && current?.Reason == DeploymentConditions.NewReplicaSetAvailable;
        if (hasDeadline && !rolledOut)
        {
            var subject = newRs is null ? $"Deployment \"{d.Metadata.Name}\"" : $"ReplicaSet \"{newRs.Metadata.Name}\"";
            if (DeploymentStatusCalculator.IsComplete(d, status))
            {
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "True",
                    DeploymentConditions.NewReplicaSetAvailable, $"{subject} has successfully progressed.", now));
            }
            else if (DeploymentStatusCalculator.IsProgressing(d, status))
            {
                // Progress refreshes lastUpdateTime even when the reason stays the same; a True condition keeps its transition time.
                var condition = DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.ReplicaSetUpdated, $"{subject} is progressing.", now);
                if (current is not null)
                {
                    if (current.Status == "True")
                    {
                        condition.LastTransitionTime = current.LastTransitionTime;
                    }
                    DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
                }
                DeploymentConditions.Set(status, condition);
            }
            else if (DeploymentStatusCalculator.IsTimedOut(d, status, now))
            {
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "False",
                    DeploymentConditions.ProgressDeadlineExceeded, $"{subject} has timed out progressing.", now));
            }
        }
        // A ReplicaSet's ReplicaFailure (pods it cannot create) becomes the Deployment's.
        var failure = sets.Select(rs => rs.Status?.Conditions?.FirstOrDefault(c => c.Type == "ReplicaFailure")).FirstOrDefault(c => c is not null);
        if (failure is not null)
        {
            DeploymentConditions.Set(status, new V1DeploymentCondition
            {
                Type = DeploymentConditions.ReplicaFailure,
                Status = failure.Status,
                Reason = failure.Reason,
                Message = failure.Message,
                LastTransitionTime = failure.LastTransitionTime,
                LastUpdateTime = failure.LastTransitionTime,
            });
        }
        else
        {
            DeploymentConditions.Remove(status, DeploymentConditions.ReplicaFailure);
        }
        if (DeploymentStatusCalculator.Same(d.Status, status))
        {
            return RecheckDeadline(status, now);
        }
        d.Status = status;
        await UpdateStatusAsync(cancellationToken);
        return null;
    }

    /// <summary>progress.go requeueStuckDeployment: look again when the progress deadline would pass.</summary>
    private TimeSpan? RecheckDeadline(V1DeploymentStatus status, DateTimeOffset now)
    {
        var current = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing);
        if (!DeploymentConditions.HasProgressDeadline(d) || current?.LastUpdateTime is not { } updated
            || DeploymentStatusCalculator.IsComplete(d, status) || current.Reason == DeploymentConditions.ProgressDeadlineExceeded)
        {
            return null;
        }
        var after = DateTime.SpecifyKind(updated, DateTimeKind.Utc).AddSeconds(d.Spec.ProgressDeadlineSeconds!.Value) - now.UtcDateTime;
        return after < TimeSpan.FromSeconds(1) ? TimeSpan.Zero : after + TimeSpan.FromSeconds(1);
    }

    // ---- writes ----

    private void SetCondition(string type, string status, string reason, string message)
    {
        d.Status ??= new V1DeploymentStatus();
        DeploymentConditions.Set(d.Status, DeploymentConditions.New(type, status, reason, message, services.Time.GetUtcNow()));
    }

    private bool SetDeploymentRevision(string revision)
    {
        var annotations = d.Metadata.Annotations ??= new Dictionary<string, string>();
        if (annotations.TryGetValue(RevisionAnnotations.Revision, out var current) && current == revision)
        {
            return false;
        }
        annotations[RevisionAnnotations.Revision] = revision;
        return true;
    }

    private async Task WriteRevisionAndStatusAsync(bool revisionChanged, bool statusChanged, CancellationToken cancellationToken)
    {
        if (revisionChanged)
        {
            // An update, as the deployment-controller role allows (get list watch update; no patch).
            // Upstream writes the annotation through UpdateStatus, whose strategy keeps metadata
            // changes; ours keeps only .status, so the object itself is updated (status is ignored there).
            var stored = await _client.AppsV1.ReplaceNamespacedDeploymentAsync(d, d.Metadata.Name, Namespace, cancellationToken: cancellationToken);
            d.Metadata.ResourceVersion = stored.Metadata.ResourceVersion;
        }
        if (statusChanged)
        {
            await UpdateStatusAsync(cancellationToken);
        }
    }

    // Later writes of this sync build on what this one stored, so they carry its resourceVersion.
    private async Task UpdateStatusAsync(CancellationToken cancellationToken)
    {
        var stored = await _client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(d, d.Metadata.Name, Namespace, cancellationToken: cancellationToken);
        d.Metadata.ResourceVersion = stored.Metadata.ResourceVersion;
    }

    private async Task<V1ReplicaSet> ReplaceAsync(V1ReplicaSet rs, CancellationToken cancellationToken)
    {
        var stored = await _client.AppsV1.ReplaceNamespacedReplicaSetAsync(rs, rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        var index = _sets.FindIndex(s => s.Metadata.Uid == stored.Metadata.Uid);
        if (index >= 0)
        {
            _sets[index] = stored;
        }
        return stored;
    }
}
