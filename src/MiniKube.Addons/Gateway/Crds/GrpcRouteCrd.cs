using System.Text.Json.Nodes;
using static MiniKube.Addons.Gateway.Crds.Schema;
using static MiniKube.Addons.Gateway.Crds.SharedTypes;

namespace MiniKube.Addons.Gateway.Crds;

/// <summary>
/// GRPCRoute (upstream apis/v1/grpcroute_types.go; v1 is the standard channel's only version):
/// rules matching gRPC service and method names and headers, with header filters, mirrors and
/// weighted backends.
/// </summary>
internal static class GrpcRouteCrd
{
    public static JsonObject Spec() => Object(
        ("parentRefs", ParentReferences()),
        ("hostnames", Hostnames()),
        ("rules", Array(Rule(), 16)
            .Doc("The rules that route calls; a call takes the most specific matching rule.")
            .Rule(TotalMatchesRule(matchesOptional: true))));

    // A protobuf service's full name (packages and service, case-insensitive) and a method name.
    private const string ServicePattern = @"^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$";
    private const string MethodPattern = "^[A-Za-z_][A-Za-z_0-9]*$";

    private static JsonObject MethodMatch() => Object(
            ("type", Enum("Exact", "RegularExpression").Default("Exact")),
            ("service", String(maxLength: 1024).Doc("The fully qualified service name, e.g. foo.bar.Greeter.")),
            ("method", String(maxLength: 1024).Doc("The method name, e.g. SayHello.")))
        .Rule("has(self.type) ? has(self.service) || has(self.method) : true", "One or both of 'service' or 'method' must be specified")
        .Rule($"(!has(self.type) || self.type == 'Exact') && has(self.service) ? self.service.matches(r\"\"\"{ServicePattern}\"\"\"): true",
            $"service must only contain valid characters (matching {ServicePattern})")
        .Rule($"(!has(self.type) || self.type == 'Exact') && has(self.method) ? self.method.matches(r\"\"\"{MethodPattern}\"\"\"): true",
            $"method must only contain valid characters (matching {MethodPattern})");

    private static JsonObject Rule() => Object(
        ("matches", Array(Object(
                ("method", MethodMatch()),
                ("headers", HeaderMatches())), 64)
            .Doc("Conditions of which any one selects this rule; every call when unset.")),
        ("filters", Filters()),
        ("backendRefs", Array(BackendRef(Filters()), 16).Doc("Where matching calls go, split by weight.")));

    /// <summary>GRPCRouteFilter: header modifiers, mirror and extension references.</summary>
    private static JsonObject Filters() => SharedTypes.Filters(
        [
            ("RequestHeaderModifier", "requestHeaderModifier", HeaderModifier),
            ("ResponseHeaderModifier", "responseHeaderModifier", HeaderModifier),
            ("RequestMirror", "requestMirror", RequestMirror),
            ("ExtensionRef", "extensionRef", LocalObjectReference),
        ],
        ["RequestHeaderModifier", "ResponseHeaderModifier"]);
}
