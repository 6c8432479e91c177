using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Service rules: pkg/apis/core/validation/validation.go ValidateService and validateServicePort.
/// Cluster IPs, IP families and node port ranges belong to the registry's allocators and are
/// not checked here.
/// </summary>
internal static class ServiceValidation
{
    private static readonly FieldPath Spec = FieldPath.Of("spec");
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];
    private static readonly string[] Types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    private static readonly string[] SessionAffinities = ["ClientIP", "None"];
    private static readonly string[] TrafficPolicies = ["Cluster", "Local"];

    public static void Validate(JsonObject service, List<FieldError> errors)
    {
        var spec = service.Obj("spec");
        var type = spec.StrOrEmpty("type");
        var headless = spec.Str("clusterIP") == "None" || spec.Arr("clusterIPs")?.FirstOrDefault() is JsonValue first && GoSyntax.ScalarText(first) == "None";
        var ports = spec.Items("ports").ToList();
        if (ports.Count == 0 && !headless && type != "ExternalName")
        {
            errors.Add(FieldError.Required(Spec.Child("ports")));
        }
        switch (type)
        {
            case "LoadBalancer" or "NodePort" when headless:
                errors.Add(FieldError.Invalid(Spec.Child("clusterIPs").Index(0), BadValue.Of("None"), $"may not be set to 'None' for {type} services"));
                break;
            case "ExternalName":
                if (spec.Arr("ipFamilies") is { Count: > 0 })
                {
                    errors.Add(FieldError.Forbidden(Spec.Child("ipFamilies"), "may not be set for ExternalName services"));
                }
                if (spec.Has("ipFamilyPolicy"))
                {
                    errors.Add(FieldError.Forbidden(Spec.Child("ipFamilyPolicy"), "may not be set for ExternalName services"));
                }
                FieldChecks.RequiredFormat(spec.StrOrEmpty("externalName").TrimEnd('.'), Formats.IsDns1123Subdomain, Spec.Child("externalName"), errors);
                break;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (index, port) in ports)
        {
            ValidatePort(port, ports.Count > 1, names, Spec.Child("ports").Index(index), errors);
        }
        MetaValidation.ValidateLabels(spec, "selector", Spec.Child("selector"), errors);
        var affinity = spec.StrOrEmpty("sessionAffinity");
        ContainerValidation.Enum(affinity, SessionAffinities, Spec.Child("sessionAffinity"), errors);
        if (affinity == "ClientIP")
        {
            if (spec.Obj("sessionAffinityConfig").Obj("clientIP").Int("timeoutSeconds") is { } timeout and (<= 0 or > 86400))
            {
                errors.Add(FieldError.Invalid(Spec.Child("sessionAffinityConfig").Child("clientIP").Child("timeoutSeconds"), BadValue.Of(timeout), "must be greater than 0 and less than 86400"));
            }
        }
        else if (affinity == "None" && spec.Has("sessionAffinityConfig"))
        {
            errors.Add(FieldError.Forbidden(Spec.Child("sessionAffinityConfig"), "must not be set when session affinity is None"));
        }
        ContainerValidation.Enum(type, Types, Spec.Child("type"), errors);
        if (type == "ClusterIP")
        {
            foreach (var (index, port) in ports)
            {
                if (port.Int("nodePort") is { } nodePort and not 0)
                {
                    errors.Add(FieldError.Forbidden(Spec.Child("ports").Index(index).Child("nodePort"), "may not be used when `type` is 'ClusterIP'"));
                }
            }
        }
        DuplicatePorts(ports, errors);
        if (spec.Has("allocateLoadBalancerNodePorts") && type != "LoadBalancer")
        {
            errors.Add(FieldError.Forbidden(Spec.Child("allocateLoadBalancerNodePorts"), "may only be used when `type` is 'LoadBalancer'"));
        }
        var externallyAccessible = type is "LoadBalancer" or "NodePort" || (type == "ClusterIP" && spec.Arr("externalIPs") is { Count: > 0 });
        var externalPolicy = spec.StrOrEmpty("externalTrafficPolicy");
        if (!externallyAccessible)
        {
            if (externalPolicy.Length > 0)
            {
                errors.Add(FieldError.Invalid(Spec.Child("externalTrafficPolicy"), BadValue.Of(externalPolicy), "may only be set for externally-accessible services"));
            }
        }
        else
        {
            ContainerValidation.Enum(externalPolicy, TrafficPolicies, Spec.Child("externalTrafficPolicy"), errors);
        }
        if (spec.Str("internalTrafficPolicy") is { } internalPolicy)
        {
            if (!TrafficPolicies.Contains(internalPolicy))
            {
                errors.Add(FieldError.NotSupported(Spec.Child("internalTrafficPolicy"), BadValue.Of(internalPolicy), TrafficPolicies));
            }
        }
        else if (type is "ClusterIP" or "NodePort" or "LoadBalancer")
        {
            errors.Add(FieldError.Required(Spec.Child("internalTrafficPolicy")));
        }
        HealthCheckNodePort(spec, type, externalPolicy, errors);
        SourceRanges(service, spec, type, errors);
    }

    /// <summary>
    /// ValidateServiceUpdate's validateServiceExternalTrafficFieldsUpdate on top of the create checks:
    /// a health-check node port, once a Service needs one, stays what it is.
    /// </summary>
    public static void ValidateUpdate(JsonObject service, JsonObject old, List<FieldError> errors)
    {
        Validate(service, errors);
        var spec = service.Obj("spec");
        var oldSpec = old.Obj("spec");
        if (NeedsHealthCheck(spec) && NeedsHealthCheck(oldSpec) && (spec.Int("healthCheckNodePort") ?? 0) != (oldSpec.Int("healthCheckNodePort") ?? 0))
        {
            errors.Add(FieldError.Forbidden(Spec.Child("healthCheckNodePort"), "field is immutable"));
        }
    }

    /// <summary>pkg/api/service/util.go NeedsHealthCheck: type LoadBalancer with externalTrafficPolicy Local.</summary>
    public static bool NeedsHealthCheck(JsonObject? spec) =>
        spec.Str("type") == "LoadBalancer" && spec.Str("externalTrafficPolicy") == "Local";

    /// <summary>
    /// validateServiceExternalTrafficPolicy's half for spec.healthCheckNodePort. Upstream also
    /// requires it when needed; here it is allocated after validation (ServiceStrategy), so a
    /// missing one is filled in rather than refused.
    /// </summary>
    private static void HealthCheckNodePort(JsonObject? spec, string type, string externalPolicy, List<FieldError> errors)
    {
        var port = spec.Int("healthCheckNodePort") ?? 0;
        if (port == 0)
        {
            return;
        }
        if (type != "LoadBalancer" || externalPolicy != "Local")
        {
            errors.Add(FieldError.Invalid(Spec.Child("healthCheckNodePort"), BadValue.Of(port), "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
        }
        else
        {
            ContainerValidation.PortNumber(port, Spec.Child("healthCheckNodePort"), errors);
        }
    }

    /// <summary>
    /// ValidateService's source ranges: spec.loadBalancerSourceRanges (each entry may carry
    /// spaces, a leftover of the annotation it replaced), or when that is empty the
    /// service.beta.kubernetes.io/load-balancer-source-ranges annotation, a comma-separated
    /// list; either only on a LoadBalancer. The field's path keeps upstream's capital L.
    /// </summary>
    private static void SourceRanges(JsonObject service, JsonObject? spec, string type, List<FieldError> errors)
    {
        if (spec.Arr("loadBalancerSourceRanges") is { Count: > 0 } ranges)
        {
            var path = Spec.Child("LoadBalancerSourceRanges");
            if (type != "LoadBalancer")
            {
                errors.Add(FieldError.Forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
            }
            for (var i = 0; i < ranges.Count; i++)
            {
                var value = (ranges[i] is JsonValue v && v.TryGetValue<string>(out var text) ? text : "").Trim();
                CheckCidr(value, path.Index(i), errors);
            }
        }
        else if (service.Obj("metadata").Obj("annotations") is { } annotations && annotations.Str(LoadBalancerSourceRanges.Annotation) is { } annotation)
        {
            var path = FieldPath.Of("metadata", "annotations").Key(LoadBalancerSourceRanges.Annotation);
            if (type != "LoadBalancer")
            {
                errors.Add(FieldError.Forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
            }
            annotation = annotation.Trim();
            if (annotation.Length > 0)
            {
                foreach (var value in annotation.Split(','))
                {
                    CheckCidr(value.Trim(), path, errors);
                }
            }
        }
    }

    /// <summary>IsValidCIDR's message (k8s.io/apimachinery/pkg/util/validation/ip.go).</summary>
    private static void CheckCidr(string value, FieldPath path, List<FieldError> errors)
    {
        if (!Cidr.TryParse(value, out _))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(value), "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
        }
    }

    private static void ValidatePort(JsonObject port, bool requireName, HashSet<string> names, FieldPath path, List<FieldError> errors)
    {
        var name = port.StrOrEmpty("name");
        if (requireName && name.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("name")));
        }
        else if (name.Length > 0)
        {
            ContainerValidation.Dns1123Label(name, path.Child("name"), errors);
            if (!names.Add(name))
            {
                errors.Add(FieldError.Duplicate(path.Child("name"), BadValue.Of(name)));
            }
        }
        ContainerValidation.PortNumber(port.Int("port") ?? 0, path.Child("port"), errors);
        var protocol = port.StrOrEmpty("protocol");
        if (protocol.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("protocol")));
        }
        else if (!Protocols.Contains(protocol))
        {
            errors.Add(FieldError.NotSupported(path.Child("protocol"), BadValue.Of(protocol), Protocols));
        }
        ContainerValidation.PortNumberOrName(port["targetPort"], path.Child("targetPort"), errors);
        if (port.Str("appProtocol") is { } appProtocol)
        {
            ContainerValidation.QualifiedName(appProtocol, path.Child("appProtocol"), errors);
        }
    }

    // One port per (protocol, port) and one node port per (protocol, nodePort).
    private static void DuplicatePorts(List<(int Index, JsonObject Item)> ports, List<FieldError> errors)
    {
        var nodePorts = new HashSet<(string, long)>();
        foreach (var (index, port) in ports)
        {
            if (port.Int("nodePort") is { } nodePort and not 0 && !nodePorts.Add((port.StrOrEmpty("protocol"), nodePort)))
            {
                errors.Add(FieldError.Duplicate(Spec.Child("ports").Index(index).Child("nodePort"), BadValue.Of(nodePort)));
            }
        }
        var seen = new HashSet<(string, long)>();
        foreach (var (index, port) in ports)
        {
            var protocol = port.StrOrEmpty("protocol");
            var number = port.Int("port") ?? 0;
            if (!seen.Add((protocol, number)))
            {
                errors.Add(FieldError.Duplicate(Spec.Child("ports").Index(index),
                    BadValue.Go($"core.ServicePort{{Name:\"\", Protocol:{GoSyntax.Quote(protocol)}, AppProtocol:(*string)(nil), Port:{number}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}")));
            }
        }
    }
}
