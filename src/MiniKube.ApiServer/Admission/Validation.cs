using System.Text.Json.Nodes;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Validates an object of a served kind as kube-apiserver's strategies do before it is stored:
/// ObjectMeta first (ValidateObjectMeta on create, ValidateObjectMetaUpdate on update), then the
/// kind's own rules. Run it after <see cref="Defaults"/>; a non-empty result is a 422, built by
/// <see cref="InvalidError"/>. Kinds without rules of their own get the ObjectMeta checks with
/// DNS-subdomain names.
/// </summary>
public static class Validation
{
    private delegate void Check(JsonObject obj, List<FieldError> errors);

    private delegate void UpdateCheck(JsonObject obj, JsonObject old, List<FieldError> errors);

    /// <param name="Name">How names and generateNames are checked.</param>
    /// <param name="Create">Rules beyond ObjectMeta on create.</param>
    /// <param name="Update">Rules beyond ObjectMeta on update; by default the create rules on the new object.</param>
    private sealed record KindRules(NameRule Name, Check? Create = null, UpdateCheck? Update = null);

    private static readonly KindRules MetaOnly = new(NameRules.DnsSubdomain);

    private static readonly Dictionary<(string Group, string Kind), KindRules> Rules = new()
    {
        [("", "Namespace")] = new(NameRules.DnsLabel, OtherValidation.Namespace, (_, _, _) => { }),
        [("", "Pod")] = new(NameRules.DnsSubdomain, PodValidation.Validate, PodValidation.ValidateUpdate),
        [("", "Node")] = new(NameRules.DnsSubdomain, OtherValidation.Node, OtherValidation.NodeUpdate),
        [("", "Service")] = new(NameRules.Dns1035Label, ServiceValidation.Validate),
        [("", "ConfigMap")] = new(NameRules.DnsSubdomain, ConfigValidation.ConfigMap, ConfigValidation.ConfigMapUpdate),
        [("", "Secret")] = new(NameRules.DnsSubdomain, ConfigValidation.Secret, ConfigValidation.SecretUpdate),
        [("", "Event")] = new(NameRules.DnsSubdomain, OtherValidation.Event),
        [("", "ReplicationController")] = new(NameRules.DnsSubdomain, WorkloadValidation.ReplicationController),
        [("", "PersistentVolumeClaim")] = new(NameRules.DnsSubdomain, OtherValidation.PersistentVolumeClaim, OtherValidation.PersistentVolumeClaimUpdate),
        [("apps", "Deployment")] = new(NameRules.DnsSubdomain, WorkloadValidation.Deployment, WithImmutableSelector(WorkloadValidation.Deployment)),
        [("apps", "ReplicaSet")] = new(NameRules.DnsSubdomain, WorkloadValidation.ReplicaSet, WithImmutableSelector(WorkloadValidation.ReplicaSet)),
        [("apps", "StatefulSet")] = new(NameRules.DnsSubdomain, WorkloadValidation.StatefulSet, WorkloadValidation.StatefulSetUpdate),
        [("apps", "DaemonSet")] = new(NameRules.DnsSubdomain, WorkloadValidation.DaemonSet, WithImmutableSelector(WorkloadValidation.DaemonSet)),
        [("batch", "Job")] = new(NameRules.DnsSubdomain, BatchValidation.Job, BatchValidation.JobUpdate),
        [("batch", "CronJob")] = new(NameRules.DnsSubdomain, BatchValidation.CronJob, BatchValidation.CronJobUpdate),
        [("coordination.k8s.io", "Lease")] = new(NameRules.DnsSubdomain, OtherValidation.Lease),
        [("policy", "PodDisruptionBudget")] = new(NameRules.DnsSubdomain, OtherValidation.PodDisruptionBudget),
        [("storage.k8s.io", "StorageClass")] = new(NameRules.DnsSubdomain, OtherValidation.StorageClass, OtherValidation.StorageClassUpdate),
    };

    /// <summary>
    /// The field errors of <paramref name="obj"/>, empty when it may be stored. <paramref name="old"/> is
    /// the stored object on update and null on create. Neither object is changed.
    /// </summary>
    public static IReadOnlyList<FieldError> Validate(ResourceType type, JsonObject obj, JsonObject? old)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        var rules = Rules.GetValueOrDefault((type.Group, type.Kind), MetaOnly);
        var errors = new List<FieldError>();
        if (old is null)
        {
            MetaValidation.Validate(obj, type.Namespaced, rules.Name, errors);
            rules.Create?.Invoke(obj, errors);
        }
        else
        {
            MetaValidation.ValidateUpdate(obj, old, errors);
            if (rules.Update is not null)
            {
                rules.Update(obj, old, errors);
            }
            else
            {
                rules.Create?.Invoke(obj, errors);
            }
        }
        return errors;
    }

    /// <summary>
    /// Checks for a write to the status subresource: the ObjectMeta update rules only. Upstream's
    /// status strategies add little beyond that for the served kinds, and the spec is not the
    /// writer's to change there (the registry keeps the stored spec).
    /// </summary>
    public static IReadOnlyList<FieldError> ValidateStatusUpdate(JsonObject obj, JsonObject old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        var errors = new List<FieldError>();
        MetaValidation.ValidateUpdate(obj, old, errors);
        return errors;
    }

    // The apps/v1 strategies add the selector check after the kind's update validation.
    private static UpdateCheck WithImmutableSelector(Check check) => (obj, old, errors) =>
    {
        check(obj, errors);
        WorkloadValidation.ImmutableSelector(obj, old, errors);
    };
}
