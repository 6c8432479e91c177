using System.Text.Json.Nodes;
using static MiniKube.Addons.Gateway.Crds.Schema;

namespace MiniKube.Addons.Gateway.Crds;

/// <summary>GatewayClass (cluster-scoped; upstream apis/v1/gatewayclass_types.go): which controller implements Gateways of the class.</summary>
internal static class GatewayClassCrd
{
    public static JsonObject Status() => Object(
            ("conditions", SharedTypes.Conditions("Accepted").Doc("Accepted: whether the controller takes the class.")))
        .Default(new JsonObject { ["conditions"] = SharedTypes.PendingConditions("Accepted") });

    public static JsonObject Spec() => Object(
            ("controllerName", SharedTypes.ControllerName()
                .Doc("The controller that manages Gateways of this class, e.g. mkube.io/gateway. Immutable.")
                .Rule("self == oldSelf", "Value is immutable")),
            ("parametersRef", Object(
                    ("group", SharedTypes.GroupName()),
                    ("kind", SharedTypes.KindName()),
                    ("name", SharedTypes.ObjectName()),
                    ("namespace", SharedTypes.NamespaceName()))
                .Required("group", "kind", "name")
                .Doc("Controller-specific configuration of the class.")),
            ("description", String(maxLength: 64)))
        .Required("controllerName");
}
