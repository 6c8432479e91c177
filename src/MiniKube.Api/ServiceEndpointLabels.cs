namespace MiniKube.Api;

/// <summary>
/// The labels and annotations on Endpoints and EndpointSlices that tie them to their Service
/// (discovery.k8s.io/v1 LabelServiceName; core/v1 IsHeadlessService and
/// EndpointsLastChangeTriggerTime), read by the endpoint controllers, DNS and the service proxy.
/// </summary>
public static class ServiceEndpointLabels
{
    /// <summary>The label naming the Service an EndpointSlice belongs to.</summary>
    public const string ServiceName = "kubernetes.io/service-name";

    /// <summary>Set (empty) on the endpoints of a Service without a cluster IP.</summary>
    public const string Headless = "service.kubernetes.io/headless";

    /// <summary>When the change that made the controller write last happened (RFC 3339, UTC).</summary>
    public const string LastChangeTriggerTime = "endpoints.kubernetes.io/last-change-trigger-time";
}
