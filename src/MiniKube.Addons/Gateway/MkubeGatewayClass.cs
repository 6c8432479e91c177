namespace MiniKube.Addons.Gateway;

/// <summary>
/// The GatewayClass this controller answers to: every class whose <c>spec.controllerName</c> is
/// <see cref="ControllerName"/> is ours, and the status controller makes one named
/// <see cref="Name"/> at start (as it makes the default IngressClass) unless a class of that name
/// exists. The controller name is in our own domain, as the spec asks (Traefik's is
/// <c>traefik.io/gateway-controller</c>).
/// </summary>
public static class MkubeGatewayClass
{
    public const string ControllerName = "mkube.io/gateway";

    public const string Name = "mkube";

    public static GatewayClass Default() => new()
    {
        ApiVersion = $"{GatewayApiObject.Group}/v1",
        Kind = "GatewayClass",
        Metadata = new V1ObjectMeta
        {
            Name = Name,
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "mkube" },
        },
        Spec = new GatewayClassSpec { ControllerName = ControllerName, Description = "The mkube ingress data plane (YARP on the nodes' ingress ports)" },
    };
}
