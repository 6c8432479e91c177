using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Deployment, ReplicaSet, StatefulSet, DaemonSet and ReplicationController rules:
/// pkg/apis/apps/validation/validation.go and ValidateReplicationControllerSpec in
/// pkg/apis/core/validation. Their templates must match their selector and restart Always;
/// apps/v1 selectors never change after create.
/// </summary>
internal static class WorkloadValidation
{
    private static readonly FieldPath Spec = FieldPath.Of("spec");
    private const string SelectorMismatch = "`selector` does not match template `labels`";

    public static void Deployment(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        MetaValidation.NonNegative(spec.Int("replicas") ?? 0, Spec.Child("replicas"), errors);
        RequiredSelector(spec, "deployment", errors);
        ReplicaSetTemplate(spec, errors);
        DeploymentStrategy(spec.Obj("strategy"), Spec.Child("strategy"), errors);
        MetaValidation.NonNegative(spec.Int("minReadySeconds") ?? 0, Spec.Child("minReadySeconds"), errors);
        MetaValidation.NonNegative(spec.Int("revisionHistoryLimit"), Spec.Child("revisionHistoryLimit"), errors);
        if (spec.Int("progressDeadlineSeconds") is { } deadline)
        {
            MetaValidation.NonNegative(deadline, Spec.Child("progressDeadlineSeconds"), errors);
            if (deadline <= (spec.Int("minReadySeconds") ?? 0))
            {
                errors.Add(FieldError.Invalid(Spec.Child("progressDeadlineSeconds"), BadValue.Of(deadline), "must be greater than minReadySeconds"));
            }
        }
    }

    public static void ReplicaSet(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        MetaValidation.NonNegative(spec.Int("replicas") ?? 0, Spec.Child("replicas"), errors);
        MetaValidation.NonNegative(spec.Int("minReadySeconds") ?? 0, Spec.Child("minReadySeconds"), errors);
        // Upstream's ReplicaSet message says "deployment" too.
        RequiredSelector(spec, "deployment", errors);
        ReplicaSetTemplate(spec, errors);
    }

    public static void StatefulSet(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        var policy = spec.StrOrEmpty("podManagementPolicy");
        if (policy.Length == 0)
        {
            errors.Add(FieldError.Required(Spec.Child("podManagementPolicy")));
        }
        else if (policy is not ("OrderedReady" or "Parallel"))
        {
            errors.Add(FieldError.Invalid(Spec.Child("podManagementPolicy"), BadValue.Of(policy), "must be 'OrderedReady' or 'Parallel'"));
        }
        var strategy = spec.Obj("updateStrategy");
        switch (strategy.StrOrEmpty("type"))
        {
            case "":
                errors.Add(FieldError.Required(Spec.Child("updateStrategy")));
                break;
            case "OnDelete":
                if (strategy.Has("rollingUpdate"))
                {
                    errors.Add(FieldError.Invalid(Spec.Child("updateStrategy").Child("rollingUpdate"), BadValue.Go("&apps.RollingUpdateStatefulSetStrategy{...}"), "only allowed for updateStrategy 'RollingUpdate'"));
                }
                break;
            case "RollingUpdate":
                MetaValidation.NonNegative(strategy.Obj("rollingUpdate").Int("partition"), Spec.Child("updateStrategy").Child("rollingUpdate").Child("partition"), errors);
                break;
            default:
                errors.Add(FieldError.Invalid(Spec.Child("updateStrategy"), BadValue.Go($"apps.StatefulSetUpdateStrategy{{Type:{GoSyntax.Quote(strategy.StrOrEmpty("type"))}}}"), "must be 'RollingUpdate' or 'OnDelete'"));
                break;
        }
        MetaValidation.NonNegative(spec.Int("replicas") ?? 0, Spec.Child("replicas"), errors);
        MetaValidation.NonNegative(spec.Int("minReadySeconds") ?? 0, Spec.Child("minReadySeconds"), errors);
        RequiredSelector(spec, "statefulset", errors);
        var selector = spec.Obj("selector");
        var template = spec.Obj("template");
        if (!SelectorValidation.IsConvertible(selector))
        {
            errors.Add(FieldError.Invalid(Spec.Child("selector"), BadValue.Go(GoSyntax.LabelSelector(selector)), ""));
        }
        else
        {
            // Upstream checks only a StatefulSet template's labels and annotations, not its PodSpec:
            // its volumes come partly from volumeClaimTemplates.
            TemplateMatchesSelector(selector, template, Spec.Child("template"), errors);
            MetaValidation.ValidateLabels(template.Obj("metadata"), "labels", Spec.Child("template").Child("labels"), errors);
            MetaValidation.ValidateAnnotations(template.Obj("metadata"), "annotations", Spec.Child("template").Child("annotations"), errors);
        }
        RestartAlways(template, Spec.Child("template"), "StatefulSet", errors);
    }

    public static void DaemonSet(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        var selector = spec.Obj("selector");
        var template = spec.Obj("template");
        SelectorValidation.Validate(selector, Spec.Child("selector"), errors);
        if (SelectorValidation.IsConvertible(selector) && !SelectorValidation.Matches(selector, template.Obj("metadata").Obj("labels")))
        {
            errors.Add(FieldError.Invalid(Spec.Child("template").Child("metadata").Child("labels"), BadValue.Go(GoSyntax.StringMap(template.Obj("metadata").Obj("labels"))), SelectorMismatch));
        }
        if (SelectorValidation.IsEmpty(selector))
        {
            errors.Add(FieldError.Invalid(Spec.Child("selector"), BadValue.Go(GoSyntax.LabelSelector(selector)), "empty selector is invalid for daemonset"));
        }
        PodSpecValidation.ValidateTemplate(template, Spec.Child("template"), errors);
        RestartAlways(template, Spec.Child("template"), "DaemonSet", errors);
        MetaValidation.NonNegative(spec.Int("minReadySeconds") ?? 0, Spec.Child("minReadySeconds"), errors);
        MetaValidation.NonNegative(spec.Int("templateGeneration") ?? 0, Spec.Child("templateGeneration"), errors);
        var strategy = spec.Obj("updateStrategy");
        var strategyPath = Spec.Child("updateStrategy");
        switch (strategy.StrOrEmpty("type"))
        {
            case "OnDelete":
                break;
            case "RollingUpdate":
                RollingUpdate(strategy, strategyPath, errors);
                break;
            default:
                errors.Add(FieldError.NotSupported(strategyPath, BadValue.Go($"apps.DaemonSetUpdateStrategy{{Type:{GoSyntax.Quote(strategy.StrOrEmpty("type"))}}}"), ["RollingUpdate", "OnDelete"]));
                break;
        }
        MetaValidation.NonNegative(spec.Int("revisionHistoryLimit"), Spec.Child("revisionHistoryLimit"), errors);
    }

    public static void ReplicationController(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        MetaValidation.NonNegative(spec.Int("minReadySeconds") ?? 0, Spec.Child("minReadySeconds"), errors);
        var selector = spec.Obj("selector");
        if (selector is not { Count: > 0 })
        {
            errors.Add(FieldError.Required(Spec.Child("selector")));
        }
        MetaValidation.NonNegative(spec.Int("replicas") ?? 0, Spec.Child("replicas"), errors);
        var path = Spec.Child("template");
        if (spec.Obj("template") is not { } template)
        {
            errors.Add(FieldError.Required(path));
            return;
        }
        var labels = template.Obj("metadata").Obj("labels");
        if (selector is { Count: > 0 } && !selector.All(p => labels?[p.Key] is { } v && GoSyntax.ScalarText(v) == GoSyntax.ScalarText(p.Value)))
        {
            errors.Add(FieldError.Invalid(path.Child("metadata").Child("labels"), BadValue.Go(GoSyntax.StringMap(labels)), SelectorMismatch));
        }
        PodSpecValidation.ValidateTemplate(template, path, errors);
        var restart = template.Obj("spec").StrOrEmpty("restartPolicy");
        if (restart != "Always")
        {
            errors.Add(FieldError.NotSupported(path.Child("spec").Child("restartPolicy"), BadValue.Of(restart), ["Always"]));
        }
        if (template.Obj("spec").Has("activeDeadlineSeconds"))
        {
            errors.Add(FieldError.Forbidden(path.Child("spec").Child("activeDeadlineSeconds"), "activeDeadlineSeconds in ReplicationController is not Supported"));
        }
    }

    /// <summary>apps/v1 strategies: the selector may not change after create.</summary>
    public static void ImmutableSelector(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        var selector = obj.Obj("spec").Obj("selector");
        if (!JsonNode.DeepEquals(selector, old.Obj("spec").Obj("selector")))
        {
            errors.Add(FieldError.Invalid(Spec.Child("selector"), BadValue.Go(GoSyntax.LabelSelector(selector)), MetaValidation.ImmutableMessage));
        }
    }

    /// <summary>ValidateStatefulSetUpdate: only replicas, template, updateStrategy and a few others may change.</summary>
    public static void StatefulSetUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        var spec = (JsonObject?)obj.Obj("spec")?.DeepClone() ?? [];
        var oldSpec = (JsonObject?)old.Obj("spec")?.DeepClone() ?? [];
        foreach (var mutable in new[] { "replicas", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds", "ordinals", "revisionHistoryLimit" })
        {
            spec.Remove(mutable);
            oldSpec.Remove(mutable);
        }
        if (!JsonNode.DeepEquals(spec, oldSpec))
        {
            errors.Add(FieldError.Forbidden(Spec,
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
        }
        StatefulSet(obj, errors);
    }

    /// <summary>ValidatePositiveIntOrPercent: a non-negative integer or a percent string.</summary>
    public static void IntOrPercent(JsonNode? value, FieldPath path, List<FieldError> errors)
    {
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            foreach (var message in Formats.IsValidPercent(v.GetValue<string>()))
            {
                errors.Add(FieldError.Invalid(path, BadValue.Go(GoSyntax.IntOrString(value)), message));
            }
        }
        else if (JsonFields.AsLong(value) is { } number)
        {
            MetaValidation.NonNegative(number, path, errors);
        }
    }

    /// <summary>IsNotMoreThan100Percent: percentages above 100% are refused.</summary>
    public static void NotMoreThan100Percent(JsonNode? value, FieldPath path, List<FieldError> errors)
    {
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && Formats.IsValidPercent(v.GetValue<string>()).Count == 0
            && long.TryParse(v.GetValue<string>().TrimEnd('%'), out var percent) && percent > 100)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Go(GoSyntax.IntOrString(value)), "must not be greater than 100%"));
        }
    }

    private static void RequiredSelector(JsonObject? spec, string kind, List<FieldError> errors)
    {
        var selector = spec.Obj("selector");
        if (selector is null)
        {
            errors.Add(FieldError.Required(Spec.Child("selector")));
            return;
        }
        SelectorValidation.Validate(selector, Spec.Child("selector"), errors);
        if (SelectorValidation.IsEmpty(selector))
        {
            errors.Add(FieldError.Invalid(Spec.Child("selector"), BadValue.Go(GoSyntax.LabelSelector(selector)), $"empty selector is invalid for {kind}"));
        }
    }

    // ValidatePodTemplateSpecForReplicaSet, shared by Deployment and ReplicaSet.
    private static void ReplicaSetTemplate(JsonObject? spec, List<FieldError> errors)
    {
        var selector = spec.Obj("selector");
        if (!SelectorValidation.IsConvertible(selector))
        {
            errors.Add(FieldError.Invalid(Spec.Child("selector"), BadValue.Go(GoSyntax.LabelSelector(selector)), "invalid label selector"));
            return;
        }
        var template = spec.Obj("template");
        var path = Spec.Child("template");
        TemplateMatchesSelector(selector, template, path, errors);
        PodSpecValidation.ValidateTemplate(template, path, errors);
        RestartAlways(template, path, "ReplicaSet", errors);
    }

    // An absent selector selects nothing and so never matches; an empty one is reported elsewhere.
    private static void TemplateMatchesSelector(JsonObject? selector, JsonObject? template, FieldPath path, List<FieldError> errors)
    {
        if (SelectorValidation.IsEmpty(selector))
        {
            return;
        }
        var labels = template.Obj("metadata").Obj("labels");
        if (!SelectorValidation.Matches(selector, labels))
        {
            errors.Add(FieldError.Invalid(path.Child("metadata").Child("labels"), BadValue.Go(GoSyntax.StringMap(labels)), SelectorMismatch));
        }
    }

    private static void RestartAlways(JsonObject? template, FieldPath path, string kind, List<FieldError> errors)
    {
        var restart = template.Obj("spec").StrOrEmpty("restartPolicy");
        if (restart != "Always")
        {
            errors.Add(FieldError.NotSupported(path.Child("spec").Child("restartPolicy"), BadValue.Of(restart), ["Always"]));
        }
        if (template.Obj("spec").Has("activeDeadlineSeconds"))
        {
            errors.Add(FieldError.Forbidden(path.Child("spec").Child("activeDeadlineSeconds"), $"activeDeadlineSeconds in {kind} is not Supported"));
        }
    }

    private static void DeploymentStrategy(JsonObject? strategy, FieldPath path, List<FieldError> errors)
    {
        switch (strategy.StrOrEmpty("type"))
        {
            case "Recreate":
                if (strategy.Has("rollingUpdate"))
                {
                    errors.Add(FieldError.Forbidden(path.Child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"));
                }
                break;
            case "RollingUpdate":
                RollingUpdate(strategy, path, errors, "this should be defaulted and never be nil");
                break;
            default:
                errors.Add(FieldError.NotSupported(path, BadValue.Go($"apps.DeploymentStrategy{{Type:{GoSyntax.Quote(strategy.StrOrEmpty("type"))}}}"), ["Recreate", "RollingUpdate"]));
                break;
        }
    }

    // ValidateRollingUpdateDeployment / ValidateRollingUpdateDaemonSet: the strategy's rollingUpdate, required with type RollingUpdate.
    private static void RollingUpdate(JsonObject? strategy, FieldPath strategyPath, List<FieldError> errors, string requiredDetail = "")
    {
        var path = strategyPath.Child("rollingUpdate");
        if (strategy.Obj("rollingUpdate") is not { } rolling)
        {
            errors.Add(FieldError.Required(path, requiredDetail));
            return;
        }
        var maxUnavailable = rolling["maxUnavailable"];
        var maxSurge = rolling["maxSurge"];
        IntOrPercent(maxUnavailable, path.Child("maxUnavailable"), errors);
        IntOrPercent(maxSurge, path.Child("maxSurge"), errors);
        if (IsZero(maxUnavailable) && IsZero(maxSurge))
        {
            errors.Add(FieldError.Invalid(path.Child("maxUnavailable"), BadValue.Go(GoSyntax.IntOrString(maxUnavailable)), "may not be 0 when `maxSurge` is 0"));
        }
        NotMoreThan100Percent(maxUnavailable, path.Child("maxUnavailable"), errors);
    }

    private static bool IsZero(JsonNode? value) => value switch
    {
        null => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().TrimEnd('%') is "0" or "",
        _ when JsonFields.AsLong(value) is { } n => n == 0,
        _ => false,
    };
}
