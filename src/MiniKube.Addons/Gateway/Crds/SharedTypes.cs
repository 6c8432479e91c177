using System.Text.Json.Nodes;
using static MiniKube.Addons.Gateway.Crds.Schema;

namespace MiniKube.Addons.Gateway.Crds;

/// <summary>
/// The schema pieces several Gateway API kinds share, one method per Go type of upstream's
/// apis/v1 (shared_types.go, object_reference_types.go, httproute_types.go), with the bounds,
/// patterns, defaults and CEL rules of the mirrored release (<see cref="GatewayApiCrds.BundleVersion"/>).
/// </summary>
internal static class SharedTypes
{
    // The string formats of shared_types.go (kubebuilder markers there), as patterns.
    private const string DnsSubdomainPattern = @"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    private const string HostnamePattern = @"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    private const string ControllerNamePattern = @"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$";
    private const string HeaderNamePattern = @"^[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$";

    /// <summary>The API group the CRDs serve, and the default group of a parent reference.</summary>
    public const string Group = "gateway.networking.k8s.io";

    /// <summary>Group: empty (the core group) or a DNS subdomain.</summary>
    public static JsonObject GroupName() => String(maxLength: 253, pattern: "^$|" + DnsSubdomainPattern);

    /// <summary>Kind: a CamelCase identifier.</summary>
    public static JsonObject KindName() => String(1, 63, "^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$");

    /// <summary>ObjectName: any object name, checked by its own kind.</summary>
    public static JsonObject ObjectName() => String(1, 253);

    /// <summary>Namespace: a DNS label.</summary>
    public static JsonObject NamespaceName() => String(1, 63, "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

    /// <summary>SectionName (a listener's name, a parent's section): a DNS subdomain.</summary>
    public static JsonObject SectionName() => String(1, 253, DnsSubdomainPattern);

    /// <summary>Hostname: a DNS name, optionally with a leading <c>*.</c> wildcard label.</summary>
    public static JsonObject Hostname() => String(1, 253, HostnamePattern);

    /// <summary>PreciseHostname: a DNS name without wildcard.</summary>
    public static JsonObject PreciseHostname() => String(1, 253, DnsSubdomainPattern);

    /// <summary>GatewayController: a domain-prefixed path, e.g. <c>mkube.io/gateway</c>.</summary>
    public static JsonObject ControllerName() => String(1, 253, ControllerNamePattern);

    /// <summary>PortNumber.</summary>
    public static JsonObject Port() => Int32(1, 65535);

    /// <summary>HTTPHeaderName: an RFC 7230 token.</summary>
    public static JsonObject HeaderName() => String(1, 256, HeaderNamePattern);

    /// <summary>Duration in the Gateway API's restricted GEP-2257 form (<c>1h</c>, <c>500ms</c>, <c>1m30s</c>).</summary>
    public static JsonObject Duration() => String(pattern: "^([0-9]{1,5}(h|m|s|ms)){1,4}$");

    /// <summary>Route hostnames: up to 16, each a Hostname.</summary>
    public static JsonObject Hostnames() => Array(Hostname(), 16).Doc("Hostnames matched against the HTTP Host header (or :authority) to select the route.");

    /// <summary>
    /// metav1.Condition as controller-gen marks it, in a list keyed by type (at most 8), with
    /// <paramref name="defaults"/> as the conditions a new object starts with.
    /// </summary>
    public static JsonObject Conditions(params string[] defaults)
    {
        var list = Array(Object(
                ("lastTransitionTime", String().Set("format", "date-time")),
                ("message", String(maxLength: 32768)),
                ("observedGeneration", new JsonObject { ["type"] = "integer", ["format"] = "int64", ["minimum"] = 0 }),
                ("reason", String(1, 1024, "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")),
                ("status", Enum("True", "False", "Unknown")),
                ("type", String(maxLength: 316, pattern: @"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$")))
                .Required("lastTransitionTime", "message", "reason", "status", "type"), 8)
            .MapList("type");
        if (defaults.Length > 0)
        {
            list.Default(PendingConditions(defaults));
        }
        return list;
    }

    /// <summary>The conditions a new GatewayClass or Gateway is given until a controller speaks: Unknown, reason Pending.</summary>
    public static JsonArray PendingConditions(params string[] types) =>
        [.. types.Select(type => (JsonNode?)new JsonObject
        {
            ["lastTransitionTime"] = "1970-01-01T00:00:00Z",
            ["message"] = "Waiting for controller",
            ["reason"] = "Pending",
            ["status"] = "Unknown",
            ["type"] = type,
        })];

    /// <summary>ParentReference: the Gateway (by default) a route attaches to, optionally one listener or port of it.</summary>
    public static JsonObject ParentReference() => Object(
            ("group", GroupName().Default(Group)),
            ("kind", KindName().Default("Gateway")),
            ("namespace", NamespaceName().Doc("The parent's namespace; the route's own when unset.")),
            ("name", ObjectName()),
            ("sectionName", SectionName().Doc("A listener of the parent Gateway, by name.")),
            ("port", Port().Doc("A port of the parent Gateway; its listeners on that port.")))
        .Required("name");

    /// <summary>Route <c>spec.parentRefs</c>: up to 32, a parent referenced twice only with distinct section names.</summary>
    public static JsonObject ParentReferences() => Array(ParentReference(), 32)
        .Doc("The Gateways (or listeners of them) this route attaches to.")
        // Two references to one parent (namespace unset equals unset or empty) must both name a section, or neither...
        .Rule("self.all(p1, self.all(p2, " + SameParent + " ? (" + NoSection("p1") + " == " + NoSection("p2") + ") : true))",
            "sectionName must be specified when parentRefs includes 2 or more references to the same parent")
        // ...and those sections must differ.
        .Rule("self.all(p1, self.exists_one(p2, " + SameParent + " && ((" + NoSection("p1") + " && " + NoSection("p2") + ") || (has(p1.sectionName) && has(p2.sectionName) && p1.sectionName == p2.sectionName))))",
            "sectionName must be unique when parentRefs includes 2 or more references to the same parent");

    private const string SameParent =
        "p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.__namespace__) || p1.__namespace__ == '') && (!has(p2.__namespace__) || p2.__namespace__ == '')) || (has(p1.__namespace__) && has(p2.__namespace__) && p1.__namespace__ == p2.__namespace__))";

    private static string NoSection(string p) => $"(!has({p}.sectionName) || {p}.sectionName == '')";

    /// <summary>BackendObjectReference: a Service port by default; another group or kind needs no port.</summary>
    public static JsonObject BackendObjectReference() => BackendProperties().Required("name").Rule(PortForServiceRule, PortForServiceMessage);

    /// <summary>BackendRef of a route rule: a BackendObjectReference with a weight (default 1) and per-backend <paramref name="filters"/>.</summary>
    public static JsonObject BackendRef(JsonObject filters)
    {
        var backend = BackendProperties();
        var properties = backend["properties"]!.AsObject();
        properties["weight"] = Int32(0, 1000000).Default(1).Doc("This backend's share of the rule's requests, relative to the other backends' weights; 0 sends it none.");
        properties["filters"] = filters;
        return backend.Required("name").Rule(PortForServiceRule, PortForServiceMessage);
    }

    private const string PortForServiceRule = "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true";
    private const string PortForServiceMessage = "Must have port for Service reference";

    private static JsonObject BackendProperties() => Object(
        ("group", GroupName().Default("")),
        ("kind", KindName().Default("Service")),
        ("name", ObjectName()),
        ("namespace", NamespaceName().Doc("The backend's namespace; the route's own when unset. Another namespace needs a ReferenceGrant there.")),
        ("port", Port().Doc("The Service port; required when the backend is a Service.")));

    /// <summary>LocalObjectReference of an ExtensionRef filter: group, kind and name, all required.</summary>
    public static JsonObject LocalObjectReference() => Object(
            ("group", GroupName()),
            ("kind", KindName()),
            ("name", ObjectName()))
        .Required("group", "kind", "name");

    /// <summary>HTTPHeaderFilter: set, add and remove headers (set and add keyed by name, up to 16 each).</summary>
    public static JsonObject HeaderModifier() => Object(
        ("set", HeaderList().Doc("Headers to overwrite (or add when absent).")),
        ("add", HeaderList().Doc("Headers to append to (or add when absent).")),
        ("remove", Array(String(), 16).SetList().Doc("Header names to remove.")));

    private static JsonObject HeaderList() => Array(Object(("name", HeaderName()), ("value", String(1, 4096))).Required("name", "value"), 16).MapList("name");

    /// <summary>HTTPRequestMirrorFilter: a copy of the request to another backend, optionally a percentage or fraction of requests.</summary>
    public static JsonObject RequestMirror() => Object(
            ("backendRef", BackendObjectReference()),
            ("percent", Int32(0, 100)),
            ("fraction", Object(("numerator", Int32(0)), ("denominator", Int32(1).Default(100)))
                .Required("numerator")
                .Rule("self.numerator <= self.denominator", "numerator must be less than or equal to denominator")))
        .Required("backendRef")
        .Rule("!(has(self.percent) && has(self.fraction))", "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter");

    /// <summary>HTTPPathModifier of a redirect or rewrite: the whole path, or the matched prefix, replaced.</summary>
    public static JsonObject PathModifier() => Object(
            ("type", Enum("ReplaceFullPath", "ReplacePrefixMatch")),
            ("replaceFullPath", String(maxLength: 1024)),
            ("replacePrefixMatch", String(maxLength: 1024)))
        .Required("type")
        .Rule("self.type == 'ReplaceFullPath' ? has(self.replaceFullPath) : true", "replaceFullPath must be specified when type is set to 'ReplaceFullPath'")
        .Rule("has(self.replaceFullPath) ? self.type == 'ReplaceFullPath' : true", "type must be 'ReplaceFullPath' when replaceFullPath is set")
        .Rule("self.type == 'ReplacePrefixMatch' ? has(self.replacePrefixMatch) : true", "replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'")
        .Rule("has(self.replacePrefixMatch) ? self.type == 'ReplacePrefixMatch' : true", "type must be 'ReplacePrefixMatch' when replacePrefixMatch is set");

    /// <summary>
    /// A route filter (HTTPRouteFilter, GRPCRouteFilter): a <c>type</c> and the one member that
    /// type names, each member given here as (type, field, schema). The filter list may hold
    /// each of <paramref name="once"/> at most once.
    /// </summary>
    public static JsonObject Filters(IReadOnlyList<(string Type, string Field, Func<JsonObject> Schema)> members, string[] once, params (string Rule, string Message)[] listRules)
    {
        var filter = Object([.. members.Select(m => (m.Field, m.Schema())), ("type", Enum([.. members.Select(m => m.Type)]))]).Required("type");
        foreach (var (type, field, _) in members)
        {
            filter.Rule($"!(has(self.{field}) && self.type != '{type}')", $"filter.{field} must be nil if the filter.type is not {type}")
                .Rule($"!(!has(self.{field}) && self.type == '{type}')", $"filter.{field} must be specified for {type} filter.type");
        }
        var list = Array(filter, 16).Doc("Filters applied to requests in order.");
        foreach (var (rule, message) in listRules)
        {
            list.Rule(rule, message);
        }
        foreach (var type in once)
        {
            list.Rule($"self.filter(f, f.type == '{type}').size() <= 1", $"{type} filter cannot be repeated");
        }
        return list;
    }

    /// <summary>A header match (HTTPHeaderMatch, GRPCHeaderMatch): name, value, Exact by default; up to 16 keyed by name.</summary>
    public static JsonObject HeaderMatches() => Array(Object(
                ("type", Enum("Exact", "RegularExpression").Default("Exact")),
                ("name", HeaderName()),
                ("value", String(1, 4096)))
            .Required("name", "value"), 16)
        .MapList("name")
        .Doc("Request headers that must all match; names compare case-insensitively.");

    /// <summary>
    /// The rules' total number of matches stays within 128 (the rule list is at most 16 long,
    /// so the sum is unrolled rather than a CEL fold, as upstream writes it to bound its cost).
    /// With <paramref name="matchesOptional"/> a rule may lack <c>matches</c> (GRPCRoute, whose
    /// matches have no default).
    /// </summary>
    public static (string Rule, string Message) TotalMatchesRule(bool matchesOptional)
    {
        var terms = Enumerable.Range(0, 16).Select(i => matchesOptional
            ? $"(self.size() > {i} ? (has(self[{i}].matches) ? self[{i}].matches.size() : 0) : 0)"
            : $"(self.size() > {i} ? self[{i}].matches.size() : 0)");
        return (string.Join(" + ", terms) + " <= 128",
            "While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128");
    }

    /// <summary>RouteStatus: one entry per parent a controller considered, with its conditions.</summary>
    public static JsonObject RouteStatus() => Object(
            ("parents", Array(Object(
                        ("parentRef", ParentReference()),
                        ("controllerName", ControllerName()),
                        ("conditions", Conditions().MinItems(1)))
                    .Required("controllerName", "parentRef"), 32)
                .Doc("The parents this route attaches to, as each parent's controller sees it (Accepted, ResolvedRefs).")))
        .Required("parents");
}
