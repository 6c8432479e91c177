using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// The smaller kinds: Namespace, Node, Event, PersistentVolumeClaim (pkg/apis/core/validation),
/// Lease (pkg/apis/coordination/validation), PodDisruptionBudget (pkg/apis/policy/validation)
/// and StorageClass (pkg/apis/storage/validation). Each checks what a client is likely to get
/// wrong, not every field upstream checks.
/// </summary>
internal static class OtherValidation
{
    private static readonly FieldPath Spec = FieldPath.Of("spec");
    private static readonly string[] AccessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
    private static readonly string[] VolumeModes = ["Block", "Filesystem"];
    private static readonly string[] ReclaimPolicies = ["Delete", "Retain"];
    private static readonly string[] BindingModes = ["Immediate", "WaitForFirstConsumer"];
    private static readonly string[] EvictionPolicies = ["AlwaysAllow", "IfHealthyBudget"];

    public static void Namespace(JsonObject obj, List<FieldError> errors)
    {
        foreach (var finalizer in MetaValidation.Strings(obj.Obj("spec").Arr("finalizers")))
        {
            ContainerValidation.QualifiedName(finalizer, Spec.Child("finalizers"), errors);
            if (!finalizer.Contains('/', StringComparison.Ordinal) && finalizer != "kubernetes")
            {
                errors.Add(FieldError.Invalid(Spec.Child("finalizers"), BadValue.Of(finalizer), "name is neither a standard finalizer name nor is it fully qualified"));
            }
        }
    }

    public static void Node(JsonObject obj, List<FieldError> errors)
    {
        var seen = new HashSet<(string, string)>();
        foreach (var (index, taint) in obj.Obj("spec").Items("taints"))
        {
            // Upstream reports node taints under metadata.taints.
            var at = FieldPath.Of("metadata", "taints").Index(index);
            MetaValidation.ValidateLabelName(taint.StrOrEmpty("key"), at.Child("key"), errors);
            if (Formats.IsValidLabelValue(taint.StrOrEmpty("value")) is { Count: > 0 } messages)
            {
                errors.Add(FieldError.Invalid(at.Child("value"), BadValue.Of(taint.StrOrEmpty("value")), string.Join(";", messages)));
            }
            var effect = taint.StrOrEmpty("effect");
            ContainerValidation.Enum(effect, ["NoSchedule", "PreferNoSchedule", "NoExecute"], at.Child("effect"), errors);
            if (!seen.Add((effect, taint.StrOrEmpty("key"))))
            {
                errors.Add(new FieldError(FieldErrorType.FieldValueDuplicate, at.ToString(), BadValue.Go("core.Taint{...}"), "taints must be unique by key and effect pair"));
            }
        }
    }

    public static void NodeUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        Node(obj, errors);
        var podCidrs = old.Obj("spec").Arr("podCIDRs");
        if (podCidrs is { Count: > 0 } && !JsonNode.DeepEquals(podCidrs, obj.Obj("spec").Arr("podCIDRs")))
        {
            errors.Add(FieldError.Forbidden(FieldPath.Of("spec", "podCIDRs"), "node updates may not change podCIDR except from \"\" to valid"));
        }
        var providerId = old.Obj("spec").StrOrEmpty("providerID");
        if (providerId.Length > 0 && providerId != obj.Obj("spec").StrOrEmpty("providerID"))
        {
            errors.Add(FieldError.Forbidden(FieldPath.Of("spec", "providerID"), "node updates may not change providerID except from \"\" to valid"));
        }
    }

    /// <summary>A core/v1 Event's involved object must live in the event's namespace (legacyValidateEvent).</summary>
    public static void Event(JsonObject obj, List<FieldError> errors)
    {
        var ns = obj.Obj("metadata").StrOrEmpty("namespace");
        var involvedNamespace = obj.Obj("involvedObject").StrOrEmpty("namespace");
        var path = FieldPath.Of("involvedObject", "namespace");
        if (obj.StrOrEmpty("eventTime").Length == 0)
        {
            var mismatch = involvedNamespace.Length == 0 ? ns is not ("" or "default") : ns != involvedNamespace;
            if (mismatch)
            {
                errors.Add(FieldError.Invalid(path, BadValue.Of(involvedNamespace), "does not match event.namespace"));
            }
            return;
        }
        if (involvedNamespace.Length == 0 && ns is not ("default" or "kube-system"))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(involvedNamespace), "does not match event.namespace"));
        }
        var controller = obj.StrOrEmpty("reportingComponent");
        if (controller.Length == 0)
        {
            errors.Add(FieldError.Required(FieldPath.Of("source")));
        }
        ContainerValidation.QualifiedName(controller, FieldPath.Of("source"), errors);
        foreach (var field in new[] { "reportingInstance", "action", "reason" })
        {
            if (obj.StrOrEmpty(field).Length == 0)
            {
                errors.Add(FieldError.Required(FieldPath.Of(field)));
            }
        }
    }

    public static void Lease(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        if (spec.Int("leaseDurationSeconds") is <= 0 and var duration)
        {
            errors.Add(FieldError.Invalid(Spec.Child("leaseDurationSeconds"), BadValue.Of(duration), "must be greater than 0"));
        }
        if (spec.Int("leaseTransitions") is < 0 and var transitions)
        {
            errors.Add(FieldError.Invalid(Spec.Child("leaseTransitions"), BadValue.Of(transitions), MetaValidation.NegativeMessage));
        }
    }

    public static void PodDisruptionBudget(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        if (spec.Has("minAvailable") && spec.Has("maxUnavailable"))
        {
            errors.Add(FieldError.Invalid(Spec, BadValue.Go("policy.PodDisruptionBudgetSpec{...}"), "minAvailable and maxUnavailable cannot be both set"));
        }
        foreach (var field in new[] { "minAvailable", "maxUnavailable" })
        {
            if (spec?[field] is { } value)
            {
                WorkloadValidation.IntOrPercent(value, Spec.Child(field), errors);
                WorkloadValidation.NotMoreThan100Percent(value, Spec.Child(field), errors);
            }
        }
        SelectorValidation.Validate(spec.Obj("selector"), Spec.Child("selector"), errors);
        if (spec.Str("unhealthyPodEvictionPolicy") is { } policy && !EvictionPolicies.Contains(policy))
        {
            errors.Add(FieldError.NotSupported(Spec.Child("unhealthyPodEvictionPolicy"), BadValue.Of(policy), EvictionPolicies));
        }
    }

    public static void StorageClass(JsonObject obj, List<FieldError> errors)
    {
        var provisioner = obj.StrOrEmpty("provisioner");
        if (provisioner.Length == 0)
        {
            errors.Add(FieldError.Required(FieldPath.Of("provisioner")));
        }
        else
        {
            ContainerValidation.QualifiedName(provisioner.ToLowerInvariant(), FieldPath.Of("provisioner"), errors);
        }
        if (obj.Str("reclaimPolicy") is { } reclaim && !ReclaimPolicies.Contains(reclaim))
        {
            errors.Add(FieldError.NotSupported(FieldPath.Of("reclaimPolicy"), BadValue.Of(reclaim), ReclaimPolicies));
        }
        if (obj.Str("volumeBindingMode") is not { } binding)
        {
            errors.Add(FieldError.Required(FieldPath.Of("volumeBindingMode")));
        }
        else if (!BindingModes.Contains(binding))
        {
            errors.Add(FieldError.NotSupported(FieldPath.Of("volumeBindingMode"), BadValue.Of(binding), BindingModes));
        }
    }

    public static void StorageClassUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        StorageClass(obj, errors);
        foreach (var field in new[] { "parameters", "provisioner", "reclaimPolicy" })
        {
            if (!JsonNode.DeepEquals(obj[field], old[field]))
            {
                errors.Add(FieldError.Forbidden(FieldPath.Of(field), $"updates to {field} are forbidden."));
            }
        }
        if (!JsonNode.DeepEquals(obj["volumeBindingMode"], old["volumeBindingMode"]))
        {
            errors.Add(FieldError.Invalid(FieldPath.Of("volumeBindingMode"), BadValue.Of(obj.StrOrEmpty("volumeBindingMode")), MetaValidation.ImmutableMessage));
        }
    }

    public static void PersistentVolumeClaim(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        var modes = MetaValidation.Strings(spec.Arr("accessModes")).ToList();
        if (modes.Count == 0)
        {
            errors.Add(FieldError.Required(Spec.Child("accessModes"), "at least 1 access mode is required"));
        }
        foreach (var mode in modes.Where(m => !AccessModes.Contains(m)))
        {
            errors.Add(FieldError.NotSupported(Spec.Child("accessModes"), BadValue.Of(mode), AccessModes));
        }
        var storagePath = Spec.Child("resources").Key("storage");
        var storage = spec.Obj("resources").Obj("requests")?["storage"];
        if (storage is null)
        {
            errors.Add(FieldError.Required(storagePath));
        }
        else if (Quantity.TryParse(storage, out var amount) && amount <= 0)
        {
            errors.Add(FieldError.Invalid(storagePath, BadValue.Of(Quantity.Text(storage)), "must be greater than zero"));
        }
        if (spec.Str("volumeMode") is { } volumeMode && !VolumeModes.Contains(volumeMode))
        {
            errors.Add(FieldError.NotSupported(Spec.Child("volumeMode"), BadValue.Of(volumeMode), VolumeModes));
        }
    }

    /// <summary>A claim's spec is fixed except its storage request and, once, its volumeName.</summary>
    public static void PersistentVolumeClaimUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        PersistentVolumeClaim(obj, errors);
        var spec = (JsonObject?)obj.Obj("spec")?.DeepClone() ?? [];
        var oldSpec = (JsonObject?)old.Obj("spec")?.DeepClone() ?? [];
        if (oldSpec.StrOrEmpty("volumeName").Length == 0)
        {
            spec.Remove("volumeName");
            oldSpec.Remove("volumeName");
        }
        spec.Obj("resources").Obj("requests")?.Remove("storage");
        oldSpec.Obj("resources").Obj("requests")?.Remove("storage");
        if (!JsonNode.DeepEquals(spec, oldSpec))
        {
            errors.Add(FieldError.Forbidden(Spec, $"spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n{JsonDiff.Describe(oldSpec, spec, "spec")}"));
        }
    }
}
