using System.Text.Json.Nodes;
using static MiniKube.Addons.Gateway.Crds.Schema;
using static MiniKube.Addons.Gateway.Crds.SharedTypes;

namespace MiniKube.Addons.Gateway.Crds;

/// <summary>Gateway (upstream apis/v1/gateway_types.go): listeners of a GatewayClass's data plane, and which routes may attach.</summary>
internal static class GatewayCrd
{
    private const string AddressTypePattern = @"^Hostname|IPAddress|NamedAddress|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$";

    // A label or annotation key: an optional DNS-subdomain prefix and a name of up to 63 characters.
    private const string MetadataKeyRule = @"self.all(key, key.matches(r""""""^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$""""""))";

    public static JsonObject Spec() => Object(
            ("gatewayClassName", ObjectName().Doc("The GatewayClass this Gateway belongs to.")),
            ("listeners", Array(Listener(), 64).MinItems(1).MapList("name")
                .Doc("Where the Gateway accepts traffic: a name, port, protocol and optional hostname each.")
                .Rule("self.all(l, l.protocol in ['HTTP', 'TCP', 'UDP'] ? !has(l.tls) : true)", "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']")
                .Rule("self.all(l, (l.protocol == 'HTTPS' && has(l.tls)) ? (l.tls.mode == '' || l.tls.mode == 'Terminate') : true)", "tls mode must be Terminate for protocol HTTPS")
                .Rule("self.all(l, l.protocol in ['TCP', 'UDP'] ? (!has(l.hostname) || l.hostname == '') : true)", "hostname must not be specified for protocols ['TCP', 'UDP']")
                .Rule("self.all(l1, self.exists_one(l2, l1.name == l2.name))", "Listener name must be unique within the Gateway")
                .Rule("self.all(l1, self.exists_one(l2, l1.port == l2.port && l1.protocol == l2.protocol && (has(l1.hostname) && has(l2.hostname) ? l1.hostname == l2.hostname : !has(l1.hostname) && !has(l2.hostname))))",
                    "Combination of port, protocol and hostname must be unique for each listener")),
            ("addresses", Array(Address(valueRequired: false), 16)
                .Doc("Addresses requested for the Gateway.")
                .Rule("self.all(a1, a1.type == 'IPAddress' ? self.exists_one(a2, a2.type == a1.type && a2.value == a1.value) : true )", "IPAddress values must be unique")
                .Rule("self.all(a1, a1.type == 'Hostname' ? self.exists_one(a2, a2.type == a1.type && a2.value == a1.value) : true )", "Hostname values must be unique")),
            ("infrastructure", Object(
                    ("labels", MetadataMap(String(0, 63, "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"), "label")),
                    ("annotations", MetadataMap(String(0, 4096), "annotation")),
                    ("parametersRef", LocalObjectReference()))
                .Doc("Labels, annotations and parameters for the resources the implementation creates for this Gateway.")))
        .Required("gatewayClassName", "listeners");

    private static JsonObject Listener() => Object(
            ("name", SectionName()),
            ("hostname", Hostname().Doc("The host this listener serves; every host when unset.")),
            ("port", Port()),
            ("protocol", String(1, 255, @"^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$")
                .Doc("HTTP, HTTPS, TLS, TCP, UDP or a domain-prefixed implementation protocol.")),
            ("tls", ListenerTls()),
            ("allowedRoutes", AllowedRoutes()))
        .Required("name", "port", "protocol");

    private static JsonObject ListenerTls() => Object(
            ("mode", Enum("Terminate", "Passthrough").Default("Terminate")),
            ("certificateRefs", Array(Object(
                        ("group", GroupName().Default("")),
                        ("kind", KindName().Default("Secret")),
                        ("name", ObjectName()),
                        ("namespace", NamespaceName()))
                    .Required("name"), 64)
                .Doc("The certificates (kubernetes.io/tls Secrets) to terminate TLS with.")),
            ("options", Map(String(0, 4096), 16)))
        .Rule("self.mode == 'Terminate' ? size(self.certificateRefs) > 0 || size(self.options) > 0 : true", "certificateRefs or options must be specified when mode is Terminate");

    private static JsonObject AllowedRoutes() => Object(
            ("namespaces", Object(
                    ("from", Enum("All", "Selector", "Same").Default("Same")),
                    ("selector", LabelSelector()))
                .Default(SameNamespace())),
            ("kinds", Array(Object(("group", GroupName().Default(Group)), ("kind", KindName())).Required("kind"), 8)))
        .Default(new JsonObject { ["namespaces"] = SameNamespace() })
        .Doc("Which routes may attach: from the Gateway's namespace by default.");

    private static JsonObject SameNamespace() => new() { ["from"] = "Same" };

    /// <summary>metav1.LabelSelector as controller-gen writes it: unbounded and atomic.</summary>
    private static JsonObject LabelSelector() => Object(
            ("matchLabels", new JsonObject { ["type"] = "object", ["additionalProperties"] = String() }),
            ("matchExpressions", new JsonObject
            {
                ["type"] = "array",
                ["items"] = Object(
                        ("key", String()),
                        ("operator", String()),
                        ("values", new JsonObject { ["type"] = "array", ["items"] = String() }.AtomicList()))
                    .Required("key", "operator"),
            }.AtomicList()))
        .Set("x-kubernetes-map-type", "atomic");

    /// <summary>A GatewayAddress (spec: value optional) or GatewayStatusAddress (status: value required).</summary>
    private static JsonObject Address(bool valueRequired)
    {
        var address = Object(
                ("type", String(1, 253, AddressTypePattern).Default("IPAddress")),
                ("value", valueRequired ? String(1, 253) : String(maxLength: 253)))
            // An IPAddress value is an IPv4 or IPv6 address; other types are not checked here.
            .Set("oneOf", new JsonArray(
                new JsonObject
                {
                    ["properties"] = new JsonObject
                    {
                        ["type"] = new JsonObject { ["enum"] = new JsonArray("IPAddress") },
                        ["value"] = new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["format"] = "ipv4" }, new JsonObject { ["format"] = "ipv6" }) },
                    },
                },
                new JsonObject
                {
                    ["properties"] = new JsonObject
                    {
                        ["type"] = new JsonObject { ["not"] = new JsonObject { ["enum"] = new JsonArray("IPAddress") } },
                    },
                }))
            .Rule(@"self.type == 'Hostname' ? self.value.matches(r""""""^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$""""""): true",
                @"Hostname value must only contain valid characters (matching ^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)");
        return valueRequired ? address.Required("value") : address;
    }

    private static JsonObject MetadataMap(JsonObject values, string what) => Map(values, 8)
        .Rule(MetadataKeyRule, $"{char.ToUpperInvariant(what[0])}{what[1..]} keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.")
        .Rule("self.all(key, key.split(\"/\")[0].size() < 253)", $"If specified, the {what} key's prefix must be a DNS subdomain not longer than 253 characters in total.");

    public static JsonObject Status() => Object(
            ("addresses", Array(Address(valueRequired: true), 16).Doc("The addresses the Gateway is reachable at.")),
            ("conditions", Conditions("Accepted", "Programmed").Doc("Accepted and Programmed, as the Gateway's controller reports them.")),
            ("listeners", Array(Object(
                        ("name", SectionName()),
                        ("supportedKinds", Array(Object(("group", GroupName().Default(Group)), ("kind", KindName())).Required("kind"), 8)),
                        ("attachedRoutes", Int32()),
                        ("conditions", Conditions()))
                    .Required("attachedRoutes", "conditions", "name", "supportedKinds"), 64)
                .MapList("name")))
        .Default(new JsonObject { ["conditions"] = PendingConditions("Accepted", "Programmed") });
}
