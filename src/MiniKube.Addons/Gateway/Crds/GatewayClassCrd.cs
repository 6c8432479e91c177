using System.Text.Json.Nodes;
using static MiniKube.Addons.Gateway.Crds.Schema;
using static MiniKube.Addons.Gateway.Crds.SharedTypes;

namespace MiniKube.Addons.Gateway.Crds;

/// <summary>GatewayClass (cluster-scoped; upstream apis/v1/gatewayclass_types.go): which controller implements Gateways of the class.</summary>
internal static class GatewayClassCrd
{
    public static CrdDefinition Definition { get; } = new(
        "GatewayClass", "gatewayclasses", Namespaced: false, ["v1", "v1beta1"], ["gc"],
        [
            ("Controller", "string", ".spec.controllerName", 0),
            ("Accepted", "string", ".status.conditions[?(@.type==\"Accepted\")].status", 0),
            CrdDefinition.Age,
            ("Description", "string", ".spec.description", 1),
        ],
        StatusSubresource: true, Spec, Status);

    private static JsonObject Spec() => Object(
            ("controllerName", ControllerName()
                .Doc("The controller that manages Gateways of this class, e.g. mkube.io/gateway. Immutable.")
                .Rule("self == oldSelf", "Value is immutable")),
            ("parametersRef", Object(
                    ("group", GroupName()),
                    ("kind", KindName()),
                    ("name", ObjectName()),
                    ("namespace", NamespaceName()))
                .Required("group", "kind", "name")
                .Doc("Controller-specific configuration of the class.")),
            ("description", String(maxLength: 64)))
        .Required("controllerName");

    private static JsonObject Status() => Object(
            ("conditions", Conditions("Accepted").Doc("Accepted: whether the controller takes the class.")))
        .Default(new JsonObject { ["conditions"] = PendingConditions("Accepted") });
}
