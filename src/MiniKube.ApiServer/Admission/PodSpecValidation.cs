using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// PodSpec and PodTemplateSpec checks, in upstream's order: pkg/apis/core/validation/validation.go
/// ValidatePodSpec, ValidateVolumes, validateContainers, validateInitContainers,
/// ValidateTolerations and ValidatePodTemplateSpec. <c>isPod</c> marks a real Pod, which is held
/// to a few rules a template is not (hostPort must equal containerPort under hostNetwork).
/// </summary>
internal static class PodSpecValidation
{
    private static readonly string[] RestartPolicies = ["Always", "OnFailure", "Never"];
    private static readonly string[] DnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
    public static IReadOnlyList<string> PreemptionPolicies { get; } = ["PreemptLowerPriority", "Never"];
    private static readonly string[] TaintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
    private static readonly string[] HostPathTypes = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];
    private const string FileModeMessage = "must be a number between 0 and 0777 (octal), both inclusive";

    // Volume sources in upstream's checking order, with the field name its "more than 1" error uses.
    private static readonly (string Field, string ReportedAs)[] VolumeSources =
    [
        ("emptyDir", "emptyDir"), ("hostPath", "hostPath"), ("gitRepo", "gitRepo"), ("gcePersistentDisk", "gcePersistentDisk"),
        ("awsElasticBlockStore", "awsElasticBlockStore"), ("secret", "secret"), ("nfs", "nfs"), ("iscsi", "iscsi"),
        ("glusterfs", "glusterfs"), ("flocker", "flocker"), ("persistentVolumeClaim", "persistentVolumeClaim"), ("rbd", "rbd"),
        ("cinder", "cinder"), ("cephfs", "cephFS"), ("quobyte", "quobyte"), ("downwardAPI", "downwarAPI"), ("fc", "fc"),
        ("flexVolume", "flexVolume"), ("configMap", "configMap"), ("azureFile", "azureFile"), ("vsphereVolume", "vsphereVolume"),
        ("photonPersistentDisk", "photonPersistentDisk"), ("portworxVolume", "portworxVolume"), ("azureDisk", "azureDisk"),
        ("storageos", "storageos"), ("projected", "projected"), ("scaleIO", "scaleIO"), ("csi", "csi"), ("ephemeral", "ephemeral"),
        ("image", "image"),
    ];

    /// <summary>ValidatePodTemplateSpec: template labels and annotations, then its PodSpec.</summary>
    public static void ValidateTemplate(JsonObject? template, FieldPath path, List<FieldError> errors)
    {
        MetaValidation.ValidateLabels(template.Obj("metadata"), "labels", path.Child("labels"), errors);
        MetaValidation.ValidateAnnotations(template.Obj("metadata"), "annotations", path.Child("annotations"), errors);
        Validate(template.Obj("spec") ?? [], path.Child("spec"), isPod: false, errors);
        if (template.Obj("spec").Arr("ephemeralContainers") is { Count: > 0 })
        {
            errors.Add(FieldError.Forbidden(path.Child("spec").Child("ephemeralContainers"), "ephemeral containers not allowed in pod template"));
        }
    }

    public static void Validate(JsonObject spec, FieldPath path, bool isPod, List<FieldError> errors)
    {
        if (!spec.Has("terminationGracePeriodSeconds"))
        {
            errors.Add(FieldError.Required(path.Child("terminationGracePeriodSeconds")));
        }
        var volumes = ValidateVolumes(spec, path.Child("volumes"), errors);
        ValidateContainers(spec, volumes, path.Child("containers"), errors);
        ValidateInitContainers(spec, volumes, path.Child("initContainers"), errors);
        EphemeralContainerValidation.Validate(spec, volumes, path.Child("ephemeralContainers"), errors);
        ValidateHostNetworkPorts(spec, path, isPod, errors);
        ContainerValidation.Enum(spec.StrOrEmpty("restartPolicy"), RestartPolicies, path.Child("restartPolicy"), errors);
        ContainerValidation.Enum(spec.StrOrEmpty("dnsPolicy"), DnsPolicies, path.Child("dnsPolicy"), errors);
        MetaValidation.ValidateLabels(spec, "nodeSelector", path.Child("nodeSelector"), errors);
        ValidatePodSecurityContext(spec.Obj("securityContext"), path.Child("securityContext"), errors);
        if (spec.Str("dnsPolicy") == "None")
        {
            if (spec.Obj("dnsConfig") is not { } dnsConfig)
            {
                errors.Add(FieldError.Required(path.Child("dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"));
            }
            else if (dnsConfig.Arr("nameservers") is not { Count: > 0 })
            {
                errors.Add(FieldError.Required(path.Child("dnsConfig").Child("nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None"));
            }
        }
        NameField(spec, "serviceAccountName", path, errors);
        NameField(spec, "nodeName", path, errors);
        if (spec.Int("activeDeadlineSeconds") is { } deadline and (< 1 or > int.MaxValue))
        {
            errors.Add(FieldError.Invalid(path.Child("activeDeadlineSeconds"), BadValue.Of(deadline), Formats.InclusiveRangeError(1, int.MaxValue)));
        }
        foreach (var field in new[] { "hostname", "subdomain" })
        {
            if (spec.StrOrEmpty(field) is { Length: > 0 } value)
            {
                ContainerValidation.Dns1123Label(value, path.Child(field), errors);
            }
        }
        ValidateTolerations(spec, path.Child("tolerations"), errors);
        NameField(spec, "priorityClassName", path, errors);
        if (spec.Str("preemptionPolicy") is { } preemption)
        {
            ContainerValidation.Enum(preemption, PreemptionPolicies, path.Child("preemptionPolicy"), errors);
        }
    }

    /// <summary>validateLocalDescendingPath: relative, and no '..' element.</summary>
    public static void LocalDescendingPath(string value, FieldPath path, List<FieldError> errors)
    {
        if (value.StartsWith('/'))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(value), "must be a relative path"));
        }
        if (value.Split('/', '\\').Contains(".."))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(value), "must not contain '..'"));
        }
    }

    private static HashSet<string> ValidateVolumes(JsonObject spec, FieldPath path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (index, volume) in spec.Items("volumes"))
        {
            var at = path.Index(index);
            var found = new List<FieldError>();
            ValidateVolumeSource(volume, at, found);
            var name = volume.StrOrEmpty("name");
            if (name.Length == 0)
            {
                found.Add(FieldError.Required(at.Child("name")));
            }
            else
            {
                ContainerValidation.Dns1123Label(name, at.Child("name"), found);
            }
            if (names.Contains(name))
            {
                found.Add(FieldError.Duplicate(at.Child("name"), BadValue.Of(name)));
            }
            // Only a volume without errors counts for volumeMounts, as upstream.
            if (found.Count == 0)
            {
                names.Add(name);
            }
            errors.AddRange(found);
        }
        return names;
    }

    private static void ValidateVolumeSource(JsonObject volume, FieldPath path, List<FieldError> errors)
    {
        FieldChecks.OneOf(volume, VolumeSources, "volume type", path, errors, (field, source, at) =>
        {
            switch (field)
            {
                case "hostPath":
                    var hostPath = source.StrOrEmpty("path");
                    if (hostPath.Length == 0)
                    {
                        errors.Add(FieldError.Required(at.Child("path")));
                        break;
                    }
                    if (hostPath.Split('/', '\\').Contains(".."))
                    {
                        errors.Add(FieldError.Invalid(at.Child("path"), BadValue.Of(hostPath), "must not contain '..'"));
                    }
                    if (source.Str("type") is { } hostPathType && !HostPathTypes.Contains(hostPathType))
                    {
                        errors.Add(FieldError.NotSupported(at.Child("type"), BadValue.Of(hostPathType), HostPathTypes));
                    }
                    break;
                case "secret":
                    if (source.StrOrEmpty("secretName").Length == 0)
                    {
                        errors.Add(FieldError.Required(at.Child("secretName")));
                    }
                    FileModes(source, at, errors);
                    break;
                case "configMap":
                    if (source.StrOrEmpty("name").Length == 0)
                    {
                        errors.Add(FieldError.Required(at.Child("name")));
                    }
                    FileModes(source, at, errors);
                    break;
                case "persistentVolumeClaim":
                    if (source.StrOrEmpty("claimName").Length == 0)
                    {
                        errors.Add(FieldError.Required(at.Child("claimName")));
                    }
                    break;
                case "downwardAPI" or "projected":
                    FileModes(source, at, errors);
                    break;
            }
        });
    }

    private static void FileModes(JsonObject source, FieldPath path, List<FieldError> errors)
    {
        if (source.Int("defaultMode") is { } mode and (< 0 or > 511))
        {
            errors.Add(FieldError.Invalid(path.Child("defaultMode"), BadValue.Of(mode), FileModeMessage));
        }
        foreach (var (index, item) in source.Items("items"))
        {
            var at = path.Child("items").Index(index);
            if (item.StrOrEmpty("key").Length == 0 && item.Obj("fieldRef") is null && item.Obj("resourceFieldRef") is null)
            {
                errors.Add(FieldError.Required(at.Child("key")));
            }
            var itemPath = item.StrOrEmpty("path");
            if (itemPath.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("path")));
            }
            else
            {
                LocalDescendingPath(itemPath, at.Child("path"), errors);
            }
            if (item.Int("mode") is { } itemMode and (< 0 or > 511))
            {
                errors.Add(FieldError.Invalid(at.Child("mode"), BadValue.Of(itemMode), FileModeMessage));
            }
        }
    }

    private static void ValidateContainers(JsonObject spec, HashSet<string> volumes, FieldPath path, List<FieldError> errors)
    {
        if (spec.Arr("containers") is not { Count: > 0 })
        {
            errors.Add(FieldError.Required(path));
            return;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (index, container) in spec.Items("containers"))
        {
            var at = path.Index(index);
            ContainerValidation.ValidateCommon(container, volumes, at, errors);
            var name = container.StrOrEmpty("name");
            if (!names.Add(name))
            {
                errors.Add(FieldError.Duplicate(at.Child("name"), BadValue.Of(name)));
            }
            ContainerValidation.ValidateProbes(container, at, errors);
            if (container.Has("restartPolicy"))
            {
                errors.Add(FieldError.Forbidden(at.Child("restartPolicy"), "may not be set for non-init containers"));
            }
        }
        HostPortConflicts(spec.Items("containers"), path, errors);
    }

    private static void ValidateInitContainers(JsonObject spec, HashSet<string> volumes, FieldPath path, List<FieldError> errors)
    {
        var names = spec.Items("containers").Select(c => c.Item.StrOrEmpty("name")).ToHashSet(StringComparer.Ordinal);
        foreach (var (index, container) in spec.Items("initContainers"))
        {
            var at = path.Index(index);
            ContainerValidation.ValidateCommon(container, volumes, at, errors);
            var restartAlways = false;
            if (container.Str("restartPolicy") is { } restartPolicy)
            {
                restartAlways = restartPolicy == "Always";
                if (!restartAlways)
                {
                    errors.Add(FieldError.NotSupported(at.Child("restartPolicy"), BadValue.Of(restartPolicy), ["Always"]));
                }
            }
            var name = container.StrOrEmpty("name");
            if (names.Contains(name))
            {
                errors.Add(FieldError.Duplicate(at.Child("name"), BadValue.Of(name)));
            }
            else if (name.Length > 0)
            {
                names.Add(name);
            }
            // Upstream checks each init container alone, as a list of one: its index reads [0].
            HostPortConflicts([(0, container)], path, errors);
            if (restartAlways)
            {
                ContainerValidation.ValidateProbes(container, at, errors);
                continue;
            }
            foreach (var field in new[] { "lifecycle", "livenessProbe", "readinessProbe", "startupProbe" })
            {
                if (container.Has(field))
                {
                    errors.Add(FieldError.Forbidden(at.Child(field), "may not be set for init containers without restartPolicy=Always"));
                }
            }
        }
    }

    // AccumulateUniqueHostPorts: one host port per protocol and host IP.
    private static void HostPortConflicts(IEnumerable<(int Index, JsonObject Item)> containers, FieldPath path, List<FieldError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (ci, container) in containers)
        {
            foreach (var (pi, port) in container.Items("ports"))
            {
                if (port.Int("hostPort") is not { } hostPort || hostPort == 0)
                {
                    continue;
                }
                var key = $"{port.StrOrEmpty("protocol")}/{port.StrOrEmpty("hostIP")}/{hostPort}";
                if (!seen.Add(key))
                {
                    errors.Add(FieldError.Duplicate(path.Index(ci).Child("ports").Index(pi).Child("hostPort"), BadValue.Of(key)));
                }
            }
        }
    }

    private static void ValidateHostNetworkPorts(JsonObject spec, FieldPath path, bool isPod, List<FieldError> errors)
    {
        if (spec.Bool("hostNetwork") != true)
        {
            return;
        }
        foreach (var (ci, container) in spec.Items("containers"))
        {
            foreach (var (pi, port) in container.Items("ports"))
            {
                var hostPort = port.Int("hostPort") ?? 0;
                if ((isPod || hostPort != 0) && hostPort != (port.Int("containerPort") ?? 0))
                {
                    errors.Add(FieldError.Invalid(path.Child("containers").Index(ci).Child("ports").Index(pi).Child("hostPort"), BadValue.Of(hostPort),
                        "must match `containerPort` when `hostNetwork` is true"));
                }
            }
        }
    }

    private static void ValidatePodSecurityContext(JsonObject? context, FieldPath path, List<FieldError> errors)
    {
        foreach (var field in new[] { "runAsUser", "runAsGroup", "fsGroup" })
        {
            if (context.Int(field) is { } id and (< 0 or > int.MaxValue))
            {
                errors.Add(FieldError.Invalid(path.Child(field), BadValue.Of(id), Formats.InclusiveRangeError(0, int.MaxValue)));
            }
        }
    }

    public static void ValidateTolerations(JsonObject spec, FieldPath path, List<FieldError> errors)
    {
        foreach (var (index, toleration) in spec.Items("tolerations"))
        {
            var at = path.Index(index);
            var key = toleration.StrOrEmpty("key");
            var op = toleration.StrOrEmpty("operator");
            var effect = toleration.StrOrEmpty("effect");
            var value = toleration.StrOrEmpty("value");
            if (key.Length > 0)
            {
                MetaValidation.ValidateLabelName(key, at.Child("key"), errors);
            }
            if (key.Length == 0 && op != "Exists")
            {
                errors.Add(FieldError.Invalid(at.Child("operator"), BadValue.Of(op), "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
            }
            if (toleration.Has("tolerationSeconds") && effect != "NoExecute")
            {
                errors.Add(FieldError.Invalid(at.Child("effect"), BadValue.Of(effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"));
            }
            switch (op)
            {
                case "Equal" or "":
                    if (Formats.IsValidLabelValue(value) is { Count: > 0 } messages)
                    {
                        errors.Add(FieldError.Invalid(at.Child("operator"), BadValue.Of(value), string.Join(";", messages)));
                    }
                    break;
                case "Exists":
                    if (value.Length > 0)
                    {
                        errors.Add(FieldError.Invalid(at.Child("operator"), BadValue.Of(value), "value must be empty when `operator` is 'Exists'"));
                    }
                    break;
                default:
                    errors.Add(FieldError.NotSupported(at.Child("operator"), BadValue.Of(op), ["Equal", "Exists"]));
                    break;
            }
            if (effect.Length > 0 && !TaintEffects.Contains(effect))
            {
                errors.Add(FieldError.NotSupported(at.Child("effect"), BadValue.Of(effect), TaintEffects));
            }
        }
    }

    private static void NameField(JsonObject spec, string field, FieldPath path, List<FieldError> errors)
    {
        var value = spec.StrOrEmpty(field);
        if (value.Length == 0)
        {
            return;
        }
        foreach (var message in NameRules.DnsSubdomain(value, false))
        {
            errors.Add(FieldError.Invalid(path.Child(field), BadValue.Of(value), message));
        }
    }
}
