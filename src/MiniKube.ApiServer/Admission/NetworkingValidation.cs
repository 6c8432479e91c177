using System.Net;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// networking.k8s.io/v1 Ingress, IngressClass and NetworkPolicy, as
/// pkg/apis/networking/validation/validation.go of v1.32 checks them, with its messages.
/// </summary>
internal static class NetworkingValidation
{
    private static readonly FieldPath Spec = FieldPath.Of("spec");
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];
    private static readonly string[] PolicyTypes = ["Egress", "Ingress"];
    private static readonly string[] PathTypes = ["Exact", "ImplementationSpecific", "Prefix"];
    private static readonly string[] Scopes = ["Cluster", "Namespace"];
    private static readonly string[] InvalidPathSequences = ["//", "/./", "/../", "%2f", "%2F"];
    private static readonly string[] InvalidPathSuffixes = ["/..", "/."];

    public static void NetworkPolicy(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        SelectorValidation.Validate(spec.Obj("podSelector"), Spec.Child("podSelector"), errors);
        foreach (var (i, rule) in spec.Items("ingress"))
        {
            var path = Spec.Child("ingress").Index(i);
            Ports(rule, path, errors);
            Peers(rule, "from", path, errors);
        }
        foreach (var (i, rule) in spec.Items("egress"))
        {
            var path = Spec.Child("egress").Index(i);
            Ports(rule, path, errors);
            Peers(rule, "to", path, errors);
        }
        var types = MetaValidation.Strings(spec.Arr("policyTypes")).ToList();
        for (var i = 0; i < types.Count; i++)
        {
            if (!PolicyTypes.Contains(types[i]))
            {
                errors.Add(FieldError.NotSupported(Spec.Child("policyTypes").Index(i), BadValue.Of(types[i]), ["Ingress", "Egress"]));
            }
        }
        if (types.Count > 2)
        {
            errors.Add(FieldError.Invalid(Spec.Child("policyTypes"), BadValue.Go(GoSyntax.StringSlice(spec.Arr("policyTypes"))), "may not specify more than two policyTypes"));
        }
    }

    private static void Ports(JsonObject rule, FieldPath rulePath, List<FieldError> errors)
    {
        foreach (var (j, port) in rule.Items("ports"))
        {
            var path = rulePath.Child("ports").Index(j);
            if (port.Str("protocol") is { } protocol && !Protocols.Contains(protocol))
            {
                errors.Add(FieldError.NotSupported(path.Child("protocol"), BadValue.Of(protocol), Protocols));
            }
            var endPort = port.Int("endPort");
            switch (port["port"])
            {
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    var name = v.GetValue<string>();
                    if (endPort is { } e)
                    {
                        errors.Add(FieldError.Invalid(path.Child("endPort"), BadValue.Of(e), "may not be specified when `port` is non-numeric"));
                    }
                    foreach (var message in Formats.IsValidPortName(name))
                    {
                        errors.Add(FieldError.Invalid(path.Child("port"), BadValue.Of(name), message));
                    }
                    break;
                case JsonValue v:
                    var number = JsonFields.AsLong(v) ?? 0;
                    ContainerValidation.PortNumber(number, path.Child("port"), errors);
                    if (endPort is { } end)
                    {
                        if (end < number)
                        {
                            errors.Add(FieldError.Invalid(path.Child("endPort"), BadValue.Of(end), "must be greater than or equal to `port`"));
                        }
                        ContainerValidation.PortNumber(end, path.Child("endPort"), errors);
                    }
                    break;
                default:
                    if (endPort is { } alone)
                    {
                        errors.Add(FieldError.Invalid(path.Child("endPort"), BadValue.Of(alone), "may not be specified when `port` is not specified"));
                    }
                    break;
            }
        }
    }

    private static void Peers(JsonObject rule, string field, FieldPath rulePath, List<FieldError> errors)
    {
        foreach (var (j, peer) in rule.Items(field))
        {
            var path = rulePath.Child(field).Index(j);
            var count = 0;
            if (peer.Obj("podSelector") is { } pods)
            {
                count++;
                SelectorValidation.Validate(pods, path.Child("podSelector"), errors);
            }
            if (peer.Obj("namespaceSelector") is { } namespaces)
            {
                count++;
                SelectorValidation.Validate(namespaces, path.Child("namespaceSelector"), errors);
            }
            if (peer.Obj("ipBlock") is { } block)
            {
                count++;
                IpBlock(block, path.Child("ipBlock"), errors);
            }
            if (count == 0)
            {
                errors.Add(FieldError.Required(path, "must specify a peer"));
            }
            else if (peer.Has("ipBlock") && count > 1)
            {
                errors.Add(FieldError.Forbidden(path, "may not specify both ipBlock and another peer"));
            }
        }
    }

    /// <summary>ValidateIPBlock: a CIDR, and excepts that are strict subsets of it.</summary>
    public static void IpBlock(JsonObject block, FieldPath path, List<FieldError> errors)
    {
        var cidr = block.StrOrEmpty("cidr");
        if (cidr.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("cidr")));
            return;
        }
        if (!NetworkFormats.TryParseCidr(cidr, out var network, out var prefix))
        {
            errors.Add(FieldError.Invalid(path.Child("cidr"), BadValue.Of(cidr), "not a valid CIDR"));
            return;
        }
        var excepts = MetaValidation.Strings(block.Arr("except")).ToList();
        for (var i = 0; i < excepts.Count; i++)
        {
            var at = path.Child("except").Index(i);
            if (!NetworkFormats.TryParseCidr(excepts[i], out var inner, out var innerPrefix))
            {
                errors.Add(FieldError.Invalid(at, BadValue.Of(excepts[i]), "not a valid CIDR"));
                return;
            }
            if (!NetworkFormats.IsStrictSubset(network, prefix, inner, innerPrefix))
            {
                errors.Add(FieldError.Invalid(at, BadValue.Of(excepts[i]), "must be a strict subset of `cidr`"));
            }
        }
    }

    public static void Ingress(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        if (spec.Arr("rules") is not { Count: > 0 } && !spec.Has("defaultBackend"))
        {
            errors.Add(FieldError.Invalid(Spec, BadValue.Go("[]networking.IngressRule(nil)"), "either `defaultBackend` or `rules` must be specified"));
        }
        if (spec.Obj("defaultBackend") is { } defaultBackend)
        {
            Backend(defaultBackend, Spec.Child("defaultBackend"), errors);
        }
        foreach (var (i, rule) in spec.Items("rules"))
        {
            var path = Spec.Child("rules").Index(i);
            var host = rule.StrOrEmpty("host");
            if (host.Length > 0)
            {
                if (IPAddress.TryParse(host, out _))
                {
                    errors.Add(FieldError.Invalid(path.Child("host"), BadValue.Of(host), "must be a DNS name, not an IP address"));
                }
                foreach (var message in NetworkFormats.IsHost(host))
                {
                    errors.Add(FieldError.Invalid(path.Child("host"), BadValue.Of(host), message));
                }
            }
            if (rule.Obj("http") is { } http)
            {
                HttpRule(http, path.Child("http"), errors);
            }
        }
        foreach (var (i, tls) in spec.Items("tls"))
        {
            var path = Spec.Child("tls").Index(i);
            var hosts = MetaValidation.Strings(tls.Arr("hosts")).ToList();
            for (var j = 0; j < hosts.Count; j++)
            {
                foreach (var message in NetworkFormats.IsHost(hosts[j]))
                {
                    errors.Add(FieldError.Invalid(path.Child("hosts").Index(j), BadValue.Of(hosts[j]), message));
                }
            }
            if (tls.StrOrEmpty("secretName") is { Length: > 0 } secret)
            {
                foreach (var message in Formats.IsDns1123Subdomain(secret))
                {
                    errors.Add(FieldError.Invalid(path.Child("secretName"), BadValue.Of(secret), message));
                }
            }
        }
        if (spec.Str("ingressClassName") is { } className)
        {
            foreach (var message in Formats.IsDns1123Subdomain(className))
            {
                errors.Add(FieldError.Invalid(Spec.Child("ingressClassName"), BadValue.Of(className), message));
            }
        }
    }

    private static void HttpRule(JsonObject http, FieldPath path, List<FieldError> errors)
    {
        if (http.Arr("paths") is not { Count: > 0 })
        {
            errors.Add(FieldError.Required(path.Child("paths")));
        }
        foreach (var (i, entry) in http.Items("paths"))
        {
            var at = path.Child("paths").Index(i);
            var value = entry.StrOrEmpty("path");
            switch (entry.Str("pathType"))
            {
                case null:
                    errors.Add(FieldError.Required(at.Child("pathType"), "pathType must be specified"));
                    break;
                case "Exact" or "Prefix":
                    if (!value.StartsWith('/'))
                    {
                        errors.Add(FieldError.Invalid(at.Child("path"), BadValue.Of(value), "must be an absolute path"));
                    }
                    if (value.Length > 0)
                    {
                        foreach (var sequence in InvalidPathSequences.Where(s => value.Contains(s, StringComparison.Ordinal)))
                        {
                            errors.Add(FieldError.Invalid(at.Child("path"), BadValue.Of(value), $"must not contain '{sequence}'"));
                        }
                        foreach (var suffix in InvalidPathSuffixes.Where(s => value.EndsWith(s, StringComparison.Ordinal)))
                        {
                            errors.Add(FieldError.Invalid(at.Child("path"), BadValue.Of(value), $"cannot end with '{suffix}'"));
                        }
                    }
                    break;
                case "ImplementationSpecific":
                    if (value.Length > 0 && !value.StartsWith('/'))
                    {
                        errors.Add(FieldError.Invalid(at.Child("path"), BadValue.Of(value), "must be an absolute path"));
                    }
                    break;
                case var other:
                    errors.Add(FieldError.NotSupported(at.Child("pathType"), BadValue.Of(other), PathTypes));
                    break;
            }
            Backend(entry.Obj("backend"), at.Child("backend"), errors);
        }
    }

    private static void Backend(JsonObject? backend, FieldPath path, List<FieldError> errors)
    {
        var resource = backend.Obj("resource");
        var service = backend.Obj("service");
        if (resource is not null && service is not null)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(""), "cannot set both resource and service backends"));
            return;
        }
        if (resource is not null)
        {
            if (resource.Str("apiGroup") is { Length: > 0 } group)
            {
                foreach (var message in Formats.IsDns1123Subdomain(group))
                {
                    errors.Add(FieldError.Invalid(path.Child("resource").Child("apiGroup"), BadValue.Of(group), message));
                }
            }
            if (resource.StrOrEmpty("kind").Length == 0)
            {
                errors.Add(FieldError.Required(path.Child("resource").Child("kind"), "kind is required"));
            }
            if (resource.StrOrEmpty("name").Length == 0)
            {
                errors.Add(FieldError.Required(path.Child("resource").Child("name"), "name is required"));
            }
            return;
        }
        if (service is null)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(""), "resource or service backend is required"));
            return;
        }
        FieldChecks.RequiredFormat(service.StrOrEmpty("name"), Formats.IsDns1035Label, path.Child("service").Child("name"), errors);
        var port = service.Obj("port");
        var portName = port.StrOrEmpty("name");
        var portNumber = port.Int("number") ?? 0;
        var portPath = path.Child("service").Child("port");
        if (portName.Length > 0 && portNumber != 0)
        {
            errors.Add(FieldError.Invalid(portPath, BadValue.Of(""), "cannot set both port name & port number"));
        }
        else if (portName.Length > 0)
        {
            foreach (var message in Formats.IsValidPortName(portName))
            {
                errors.Add(FieldError.Invalid(portPath.Child("name"), BadValue.Of(portName), message));
            }
        }
        else if (portNumber != 0)
        {
            ContainerValidation.PortNumber(portNumber, portPath.Child("number"), errors);
        }
        else
        {
            errors.Add(FieldError.Required(portPath, "port name or number is required"));
        }
    }

    /// <summary>The status of an Ingress: load-balancer IPs must be addresses (ValidateIngressLoadBalancerStatus).</summary>
    public static void IngressStatus(JsonObject obj, List<FieldError> errors)
    {
        var path = FieldPath.Of("status", "loadBalancer", "ingress");
        foreach (var (i, ingress) in obj.Obj("status").Obj("loadBalancer").Items("ingress"))
        {
            if (ingress.Str("ip") is { Length: > 0 } ip && !IPAddress.TryParse(ip, out _))
            {
                errors.Add(FieldError.Invalid(path.Index(i).Child("ip"), BadValue.Of(ip), "must be a valid IP address"));
            }
            if (ingress.Str("hostname") is { Length: > 0 } hostname)
            {
                foreach (var message in Formats.IsDns1123Subdomain(hostname))
                {
                    errors.Add(FieldError.Invalid(path.Index(i).Child("hostname"), BadValue.Of(hostname), message));
                }
                if (IPAddress.TryParse(hostname, out _))
                {
                    errors.Add(FieldError.Invalid(path.Index(i).Child("hostname"), BadValue.Of(hostname), "must be a DNS name, not an IP address"));
                }
            }
        }
    }

    public static void IngressClass(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        var controller = spec.StrOrEmpty("controller");
        var controllerPath = Spec.Child("controller");
        if (controller.Length > 250)
        {
            errors.Add(FieldError.TooLong(controllerPath, 250));
        }
        FieldChecks.RequiredFormat(controller, NetworkFormats.IsDomainPrefixedPath, controllerPath, errors);
        if (spec.Obj("parameters") is not { } parameters)
        {
            return;
        }
        var path = Spec.Child("parameters");
        if (parameters.Str("apiGroup") is { Length: > 0 } group)
        {
            foreach (var message in Formats.IsDns1123Subdomain(group))
            {
                errors.Add(FieldError.Invalid(path.Child("apiGroup"), BadValue.Of(group), message));
            }
        }
        foreach (var field in new[] { "kind", "name" })
        {
            if (parameters.StrOrEmpty(field).Length == 0)
            {
                errors.Add(FieldError.Required(path.Child(field)));
            }
        }
        var scope = parameters.Str("scope");
        var ns = parameters.Str("namespace");
        switch (scope)
        {
            case null:
                errors.Add(FieldError.Required(path.Child("scope")));
                break;
            case "Namespace":
                if (string.IsNullOrEmpty(ns))
                {
                    errors.Add(FieldError.Required(path.Child("namespace"), "`parameters.scope` is set to 'Namespace'"));
                }
                else
                {
                    ContainerValidation.Dns1123Label(ns, path.Child("namespace"), errors);
                }
                break;
            case "Cluster":
                if (ns is not null)
                {
                    errors.Add(FieldError.Forbidden(path.Child("namespace"), "`parameters.scope` is set to 'Cluster'"));
                }
                break;
            default:
                errors.Add(FieldError.NotSupported(path.Child("scope"), BadValue.Of(scope), Scopes));
                break;
        }
    }

    public static void IngressClassUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        IngressClass(obj, errors);
        ImmutableFields.Check(obj, old, errors, "spec", "controller");
    }
}
