using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Checks of one container and its parts — ports, env, volume mounts, resources, probes —
/// following pkg/apis/core/validation/validation.go (validateContainerCommon and the functions
/// it calls), with the same paths, values and words.
/// </summary>
internal static class ContainerValidation
{
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] TerminationMessagePolicies = ["File", "FallbackToLogsOnError"];
    private static readonly string[] HttpSchemes = ["HTTP", "HTTPS"];
    private static readonly string[] HandlerTypes = ["exec", "httpGet", "tcpSocket", "grpc", "sleep"];
    private static readonly string[] StandardContainerResources = ["cpu", "memory", "ephemeral-storage"];
    private static readonly string[] EnvFieldPaths =
    [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ];

    /// <summary>validateContainerCommon: what every kind of container must satisfy.</summary>
    public static void ValidateCommon(JsonObject container, IReadOnlySet<string> volumes, FieldPath path, List<FieldError> errors)
    {
        var name = container.StrOrEmpty("name");
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("name")));
        }
        else
        {
            Dns1123Label(name, path.Child("name"), errors);
        }
        if (container.StrOrEmpty("image").Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("image")));
        }
        Enum(container.StrOrEmpty("terminationMessagePolicy"), TerminationMessagePolicies, path.Child("terminationMessagePolicy"), errors);
        ValidatePorts(container, path.Child("ports"), errors);
        ValidateEnv(container, path.Child("env"), errors);
        ValidateEnvFrom(container, path.Child("envFrom"), errors);
        ValidateVolumeMounts(container, volumes, path.Child("volumeMounts"), errors);
        Enum(container.StrOrEmpty("imagePullPolicy"), PullPolicies, path.Child("imagePullPolicy"), errors);
        ValidateResources(container.Obj("resources"), path.Child("resources"), errors);
        ValidateSecurityContext(container.Obj("securityContext"), path.Child("securityContext"), errors);
    }

    /// <summary>Probes of a regular container (or a restartable init container).</summary>
    public static void ValidateProbes(JsonObject container, FieldPath path, List<FieldError> errors)
    {
        if (container.Obj("lifecycle") is { } lifecycle)
        {
            foreach (var hook in new[] { "postStart", "preStop" })
            {
                if (lifecycle.Obj(hook) is { } handler)
                {
                    ValidateHandler(handler, path.Child("lifecycle").Child(hook), errors);
                }
            }
        }
        foreach (var probeName in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (container.Obj(probeName) is not { } probe)
            {
                continue;
            }
            var at = path.Child(probeName);
            ValidateHandler(probe, at, errors);
            foreach (var field in new[] { "initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold" })
            {
                MetaValidation.NonNegative(probe.Int(field), at.Child(field), errors);
            }
            if (probe.Int("terminationGracePeriodSeconds") is <= 0 and var grace)
            {
                errors.Add(FieldError.Invalid(at.Child("terminationGracePeriodSeconds"), BadValue.Of(grace), "must be greater than 0"));
            }
            if (probeName != "readinessProbe" && (probe.Int("successThreshold") ?? 0) != 1)
            {
                errors.Add(FieldError.Invalid(at.Child("successThreshold"), BadValue.Of(probe.Int("successThreshold") ?? 0), "must be 1"));
            }
        }
    }

    private static void ValidatePorts(JsonObject container, FieldPath path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (index, port) in container.Items("ports"))
        {
            var at = path.Index(index);
            var name = port.StrOrEmpty("name");
            if (name.Length > 0)
            {
                var messages = Formats.IsValidPortName(name);
                foreach (var message in messages)
                {
                    errors.Add(FieldError.Invalid(at.Child("name"), BadValue.Of(name), message));
                }
                if (messages.Count == 0 && !names.Add(name))
                {
                    errors.Add(FieldError.Duplicate(at.Child("name"), BadValue.Of(name)));
                }
            }
            var containerPort = port.Int("containerPort") ?? 0;
            if (containerPort == 0)
            {
                errors.Add(FieldError.Required(at.Child("containerPort")));
            }
            else
            {
                PortNumber(containerPort, at.Child("containerPort"), errors);
            }
            if (port.Int("hostPort") is { } hostPort and not 0)
            {
                PortNumber(hostPort, at.Child("hostPort"), errors);
            }
            var protocol = port.StrOrEmpty("protocol");
            if (protocol.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("protocol")));
            }
            else if (!Protocols.Contains(protocol))
            {
                errors.Add(FieldError.NotSupported(at.Child("protocol"), BadValue.Of(protocol), Protocols));
            }
        }
    }

    private static void ValidateEnv(JsonObject container, FieldPath path, List<FieldError> errors)
    {
        foreach (var (index, env) in container.Items("env"))
        {
            var at = path.Index(index);
            FieldChecks.RequiredFormat(env.StrOrEmpty("name"), Formats.IsEnvVarName, at.Child("name"), errors);
            if (env.Obj("valueFrom") is { } valueFrom)
            {
                ValidateValueFrom(valueFrom, env.StrOrEmpty("value"), at.Child("valueFrom"), errors);
            }
        }
    }

    private static void ValidateValueFrom(JsonObject valueFrom, string value, FieldPath path, List<FieldError> errors)
    {
        var sources = 0;
        if (valueFrom.Obj("fieldRef") is { } fieldRef)
        {
            sources++;
            ValidateFieldRef(fieldRef, path.Child("fieldRef"), errors);
        }
        if (valueFrom.Obj("resourceFieldRef") is { } resourceRef)
        {
            sources++;
            if (resourceRef.StrOrEmpty("resource").Length == 0)
            {
                errors.Add(FieldError.Required(path.Child("resourceFieldRef").Child("resource")));
            }
        }
        foreach (var keyRef in new[] { "configMapKeyRef", "secretKeyRef" })
        {
            if (valueFrom.Obj(keyRef) is not { } selector)
            {
                continue;
            }
            sources++;
            var at = path.Child(keyRef);
            var name = selector.StrOrEmpty("name");
            foreach (var message in NameRules.DnsSubdomain(name, false))
            {
                errors.Add(FieldError.Invalid(at.Child("name"), BadValue.Of(name), message));
            }
            FieldChecks.RequiredFormat(selector.StrOrEmpty("key"), Formats.IsConfigMapKey, at.Child("key"), errors);
        }
        if (sources == 0)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(""), "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
        }
        else if (value.Length != 0)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(""), "may not be specified when `value` is not empty"));
        }
        else if (sources > 1)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(""), "may not have more than one field specified at a time"));
        }
    }

    private static void ValidateFieldRef(JsonObject fieldRef, FieldPath path, List<FieldError> errors)
    {
        if (fieldRef.StrOrEmpty("apiVersion").Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("apiVersion")));
            return;
        }
        var fieldPath = fieldRef.StrOrEmpty("fieldPath");
        if (fieldPath.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("fieldPath")));
            return;
        }
        var bracket = fieldPath.IndexOf('[', StringComparison.Ordinal);
        if (bracket > 0 && fieldPath.EndsWith("']", StringComparison.Ordinal) && fieldPath[bracket..].StartsWith("['", StringComparison.Ordinal))
        {
            var subject = fieldPath[..bracket];
            var subscript = fieldPath[(bracket + 2)..^2];
            switch (subject)
            {
                case "metadata.annotations":
                    QualifiedName(subscript.ToLowerInvariant(), path, errors);
                    break;
                case "metadata.labels":
                    QualifiedName(subscript, path, errors);
                    break;
                default:
                    errors.Add(FieldError.Invalid(path, BadValue.Of(subject), "does not support subscript"));
                    break;
            }
        }
        else if (!EnvFieldPaths.Contains(fieldPath))
        {
            errors.Add(FieldError.NotSupported(path.Child("fieldPath"), BadValue.Of(fieldPath), EnvFieldPaths.Order(StringComparer.Ordinal)));
        }
    }

    private static void ValidateEnvFrom(JsonObject container, FieldPath path, List<FieldError> errors)
    {
        foreach (var (index, source) in container.Items("envFrom"))
        {
            var at = path.Index(index);
            var prefix = source.StrOrEmpty("prefix");
            if (prefix.Length > 0)
            {
                foreach (var message in Formats.IsEnvVarName(prefix))
                {
                    errors.Add(FieldError.Invalid(at.Child("prefix"), BadValue.Of(prefix), message));
                }
            }
            var sources = 0;
            foreach (var refName in new[] { "configMapRef", "secretRef" })
            {
                if (source.Obj(refName) is not { } reference)
                {
                    continue;
                }
                sources++;
                FieldChecks.RequiredFormat(reference.StrOrEmpty("name"), name => NameRules.DnsSubdomain(name, true), at.Child(refName).Child("name"), errors);
            }
            // Upstream reports these on the list, not the item.
            if (sources == 0)
            {
                errors.Add(FieldError.Invalid(path, BadValue.Of(""), "must specify one of: `configMapRef` or `secretRef`"));
            }
            else if (sources > 1)
            {
                errors.Add(FieldError.Invalid(path, BadValue.Of(""), "may not have more than one field specified at a time"));
            }
        }
    }

    private static void ValidateVolumeMounts(JsonObject container, IReadOnlySet<string> volumes, FieldPath path, List<FieldError> errors)
    {
        var mountPoints = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (index, mount) in container.Items("volumeMounts"))
        {
            var at = path.Index(index);
            var name = mount.StrOrEmpty("name");
            if (name.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("name")));
            }
            if (!volumes.Contains(name))
            {
                errors.Add(FieldError.NotFound(at.Child("name"), BadValue.Of(name)));
            }
            var mountPath = mount.StrOrEmpty("mountPath");
            if (mountPath.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("mountPath")));
            }
            if (!mountPoints.Add(mountPath))
            {
                errors.Add(FieldError.Invalid(at.Child("mountPath"), BadValue.Of(mountPath), "must be unique"));
            }
            // Upstream reports subPath problems on the list's path, not the item's.
            foreach (var field in new[] { "subPath", "subPathExpr" })
            {
                var sub = mount.StrOrEmpty(field);
                if (sub.Length > 0)
                {
                    PodSpecValidation.LocalDescendingPath(sub, path.Child(field), errors);
                }
            }
            if (mount.StrOrEmpty("subPath").Length > 0 && mount.StrOrEmpty("subPathExpr").Length > 0)
            {
                errors.Add(FieldError.Invalid(at.Child("subPathExpr"), BadValue.Of(mount.StrOrEmpty("subPathExpr")), "subPathExpr and subPath are mutually exclusive"));
            }
        }
    }

    /// <summary>validateResourceRequirements for a container: names, non-negative amounts, requests within limits.</summary>
    public static void ValidateResources(JsonObject? resources, FieldPath path, List<FieldError> errors)
    {
        var limits = resources.Obj("limits");
        var requests = resources.Obj("requests");
        foreach (var (name, value) in Sorted(limits))
        {
            ValidateResourceAmount(name, value, path.Child("limits").Key(name), errors);
        }
        foreach (var (name, value) in Sorted(requests))
        {
            ValidateResourceAmount(name, value, path.Child("requests").Key(name), errors);
            if (limits?[name] is { } limit && Quantity.TryParse(value, out var requested) && Quantity.TryParse(limit, out var limited) && requested > limited)
            {
                errors.Add(FieldError.Invalid(path.Child("requests"), BadValue.Of(Quantity.Text(value)),
                    $"must be less than or equal to {name} limit of {Quantity.Text(limit)}"));
            }
        }
    }

    private static void ValidateResourceAmount(string name, JsonNode? value, FieldPath path, List<FieldError> errors)
    {
        foreach (var message in Formats.IsQualifiedName(name))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(name), message));
        }
        if (!name.Contains('/', StringComparison.Ordinal) && !StandardContainerResources.Contains(name) && !name.StartsWith("hugepages-", StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(name), "must be a standard resource for containers"));
        }
        if (Quantity.TryParse(value, out var amount) && amount < 0)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(Quantity.Text(value)), MetaValidation.NegativeMessage));
        }
    }

    private static void ValidateSecurityContext(JsonObject? context, FieldPath path, List<FieldError> errors)
    {
        foreach (var field in new[] { "runAsUser", "runAsGroup" })
        {
            if (context.Int(field) is { } id and (< 0 or > int.MaxValue))
            {
                errors.Add(FieldError.Invalid(path.Child(field), BadValue.Of(id), Formats.InclusiveRangeError(0, int.MaxValue)));
            }
        }
    }

    private static void ValidateHandler(JsonObject handler, FieldPath path, List<FieldError> errors)
    {
        FieldChecks.OneOf(handler, HandlerTypes, "handler type", path, errors, (kind, action, at) =>
        {
            switch (kind)
            {
                case "exec":
                    if (action.Arr("command") is not { Count: > 0 })
                    {
                        errors.Add(FieldError.Required(at.Child("command")));
                    }
                    break;
                case "httpGet":
                    if (action.StrOrEmpty("path").Length == 0)
                    {
                        errors.Add(FieldError.Required(at.Child("path")));
                    }
                    PortNumberOrName(action["port"], at.Child("port"), errors);
                    var scheme = action.StrOrEmpty("scheme");
                    if (!HttpSchemes.Contains(scheme))
                    {
                        errors.Add(FieldError.NotSupported(at.Child("scheme"), BadValue.Of(scheme), HttpSchemes));
                    }
                    break;
                case "tcpSocket":
                    PortNumberOrName(action["port"], at.Child("port"), errors);
                    break;
                case "grpc":
                    PortNumber(action.Int("port") ?? 0, at.Child("port"), errors);
                    break;
            }
        });
    }

    /// <summary>ValidatePortNumOrName: a number in 1-65535 or an IANA-style port name.</summary>
    public static void PortNumberOrName(JsonNode? port, FieldPath path, List<FieldError> errors)
    {
        if (port is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            var name = v.GetValue<string>();
            foreach (var message in Formats.IsValidPortName(name))
            {
                errors.Add(FieldError.Invalid(path, BadValue.Of(name), message));
            }
        }
        else
        {
            PortNumber(JsonFields.AsLong(port) ?? 0, path, errors);
        }
    }

    public static void PortNumber(long port, FieldPath path, List<FieldError> errors)
    {
        foreach (var message in Formats.IsValidPortNum(port))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(port), message));
        }
    }

    public static void Dns1123Label(string value, FieldPath path, List<FieldError> errors)
    {
        foreach (var message in Formats.IsDns1123Label(value))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(value), message));
        }
    }

    public static void QualifiedName(string value, FieldPath path, List<FieldError> errors)
    {
        foreach (var message in Formats.IsQualifiedName(value))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(value), message));
        }
    }

    /// <summary>An enum field whose empty value is Required and whose other values must be listed.</summary>
    public static void Enum(string value, IReadOnlyList<string> supported, FieldPath path, List<FieldError> errors)
    {
        if (value.Length == 0)
        {
            errors.Add(FieldError.Required(path));
        }
        else if (!supported.Contains(value))
        {
            errors.Add(FieldError.NotSupported(path, BadValue.Of(value), supported));
        }
    }

    private static IEnumerable<(string Name, JsonNode? Value)> Sorted(JsonObject? map) =>
        map is null ? [] : map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value));
}
