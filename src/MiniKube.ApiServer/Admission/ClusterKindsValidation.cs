using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// PodTemplate (pkg/apis/core/validation), RuntimeClass (pkg/apis/node/validation), CSIDriver,
/// CSINode and VolumeAttachment (pkg/apis/storage/validation) as v1.32 checks them.
/// </summary>
internal static class ClusterKindsValidation
{
    private static readonly FieldPath Spec = FieldPath.Of("spec");
    private static readonly string[] FsGroupPolicies = ["File", "None", "ReadWriteOnceWithFSType"];
    private static readonly string[] LifecycleModes = ["Ephemeral", "Persistent"];
    private const int CsiNodeIdMaxLength = 192;

    public static void PodTemplate(JsonObject obj, List<FieldError> errors) =>
        PodSpecValidation.ValidateTemplate(obj.Obj("template") ?? [], FieldPath.Of("template"), errors);

    public static void RuntimeClass(JsonObject obj, List<FieldError> errors)
    {
        var handler = obj.StrOrEmpty("handler");
        if (handler.Length == 0)
        {
            errors.Add(FieldError.Required(FieldPath.Of("handler")));
        }
        else
        {
            ContainerValidation.Dns1123Label(handler, FieldPath.Of("handler"), errors);
        }
        if (obj.Obj("overhead").Obj("podFixed") is { } podFixed)
        {
            foreach (var (name, value) in podFixed)
            {
                var path = FieldPath.Of("overhead", "podFixed").Child(name);
                if (!Quantity.TryParse(value, out var amount))
                {
                    errors.Add(FieldError.Invalid(path, BadValue.Of(Quantity.Text(value)), "must be a valid quantity"));
                }
                else if (amount < 0)
                {
                    errors.Add(FieldError.Invalid(path, BadValue.Of(Quantity.Text(value)), "must be greater than or equal to 0"));
                }
            }
        }
        if (obj.Obj("scheduling") is { } scheduling)
        {
            MetaValidation.ValidateLabels(scheduling, "nodeSelector", FieldPath.Of("scheduling", "nodeSelector"), errors);
            PodSpecValidation.ValidateTolerations(scheduling, FieldPath.Of("scheduling", "tolerations"), errors);
        }
    }

    public static void RuntimeClassUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        RuntimeClass(obj, errors);
        ImmutableFields.Check(obj, old, errors, "handler");
    }

    /// <summary>A CSI driver name: at most 63 characters, a DNS subdomain (validateCSIDriverName).</summary>
    public static void DriverName(string name, FieldPath path, List<FieldError> errors)
    {
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required(path));
            return;
        }
        if (name.Length > 63)
        {
            errors.Add(FieldError.TooLong(path, 63));
        }
        foreach (var message in Formats.IsDns1123Subdomain(name.ToLowerInvariant()))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(name), message));
        }
    }

    public static void CsiDriver(JsonObject obj, List<FieldError> errors)
    {
        DriverName(obj.Obj("metadata").StrOrEmpty("name"), FieldPath.Of("metadata", "name"), errors);
        var spec = obj.Obj("spec");
        foreach (var field in new[] { "attachRequired", "podInfoOnMount", "storageCapacity", "requiresRepublish" })
        {
            if (spec?[field] is null)
            {
                errors.Add(FieldError.Required(Spec.Child(field)));
            }
        }
        if (spec.Str("fsGroupPolicy") is { } policy && !FsGroupPolicies.Contains(policy))
        {
            errors.Add(FieldError.NotSupported(Spec.Child("fsGroupPolicy"), BadValue.Of(policy), FsGroupPolicies));
        }
        foreach (var (mode, index) in MetaValidation.Strings(spec.Arr("volumeLifecycleModes")).Select((m, i) => (m, i)))
        {
            if (!LifecycleModes.Contains(mode))
            {
                errors.Add(FieldError.NotSupported(Spec.Child("volumeLifecycleModes").Index(index), BadValue.Of(mode), LifecycleModes));
            }
        }
        var audiences = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (i, request) in spec.Items("tokenRequests"))
        {
            var audience = request.StrOrEmpty("audience");
            if (!audiences.Add(audience))
            {
                errors.Add(FieldError.Duplicate(Spec.Child("tokenRequests").Index(i).Child("audience"), BadValue.Of(audience)));
            }
            if (request.Int("expirationSeconds") is { } seconds && seconds < 600)
            {
                errors.Add(FieldError.Invalid(Spec.Child("tokenRequests").Index(i).Child("expirationSeconds"), BadValue.Of(seconds),
                    "may not specify a duration less than 10 minutes"));
            }
        }
    }

    public static void CsiDriverUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        CsiDriver(obj, errors);
        ImmutableFields.Check(obj, old, errors, "spec", "attachRequired");
        ImmutableFields.Check(obj, old, errors, "spec", "volumeLifecycleModes");
    }

    public static void CsiNode(JsonObject obj, List<FieldError> errors)
    {
        var drivers = Spec.Child("drivers");
        if (obj.Obj("spec").Arr("drivers") is null)
        {
            errors.Add(FieldError.Required(drivers));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (i, driver) in obj.Obj("spec").Items("drivers"))
        {
            var path = drivers.Index(i);
            var name = driver.StrOrEmpty("name");
            DriverName(name, path.Child("name"), errors);
            if (!names.Add(name))
            {
                errors.Add(FieldError.Duplicate(path.Child("name"), BadValue.Of(name)));
            }
            var nodeId = driver.StrOrEmpty("nodeID");
            if (nodeId.Length == 0)
            {
                errors.Add(FieldError.Required(path.Child("nodeID")));
            }
            else if (nodeId.Length > CsiNodeIdMaxLength)
            {
                errors.Add(FieldError.Invalid(path.Child("nodeID"), BadValue.Of(nodeId), $"must be {CsiNodeIdMaxLength} characters or less"));
            }
            MetaValidation.NonNegative(driver.Obj("allocatable").Int("count"), path.Child("allocatable").Child("count"), errors);
        }
    }

    public static void CsiNodeUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        CsiNode(obj, errors);
        // A driver's nodeID and allocatable may not change once registered (ValidateCSINodeUpdate).
        var before = old.Obj("spec").Items("drivers").ToDictionary(d => d.Item.StrOrEmpty("name"), d => d.Item, StringComparer.Ordinal);
        foreach (var (i, driver) in obj.Obj("spec").Items("drivers"))
        {
            if (before.TryGetValue(driver.StrOrEmpty("name"), out var previous))
            {
                var path = Spec.Child("drivers").Index(i);
                if (driver.StrOrEmpty("nodeID") != previous.StrOrEmpty("nodeID"))
                {
                    errors.Add(FieldError.Invalid(path.Child("nodeID"), BadValue.Of(driver.StrOrEmpty("nodeID")), MetaValidation.ImmutableMessage));
                }
                if (!JsonNode.DeepEquals(driver["allocatable"], previous["allocatable"]))
                {
                    errors.Add(FieldError.Invalid(path.Child("allocatable"), BadValue.Go("{...}"), MetaValidation.ImmutableMessage));
                }
            }
        }
    }

    public static void VolumeAttachment(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        DriverName(spec.StrOrEmpty("attacher"), Spec.Child("attacher"), errors);
        var source = spec.Obj("source");
        var hasPv = source.Str("persistentVolumeName") is not null;
        var hasInline = source.Has("inlineVolumeSpec");
        if (hasPv == hasInline)
        {
            errors.Add(FieldError.Invalid(Spec.Child("source"), BadValue.Go("storage.VolumeAttachmentSource{...}"), "must specify exactly one of inlineVolumeSpec and persistentVolumeName"));
        }
        if (source.Str("persistentVolumeName") is { } pv)
        {
            if (pv.Length == 0)
            {
                errors.Add(FieldError.Required(Spec.Child("source").Child("persistentVolumeName"), "must specify non empty persistentVolumeName"));
            }
        }
        FieldChecks.RequiredFormat(spec.StrOrEmpty("nodeName"), Formats.IsDns1123Subdomain, Spec.Child("nodeName"), errors);
    }

    public static void VolumeAttachmentUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        VolumeAttachment(obj, errors);
        if (!JsonNode.DeepEquals(obj["spec"], old["spec"]))
        {
            errors.Add(FieldError.Invalid(Spec, BadValue.Go("storage.VolumeAttachmentSpec{...}"), MetaValidation.ImmutableMessage));
        }
    }
}
