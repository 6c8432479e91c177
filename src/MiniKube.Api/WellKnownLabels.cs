namespace MiniKube.Api;

/// <summary>
/// Label keys that more than one component writes or reads (k8s.io/api/core/v1
/// well_known_labels.go, discovery/v1 well_known_labels.go), so a writer and its readers cannot
/// drift apart. Keys that one component alone owns stay beside that component.
/// </summary>
public static class WellKnownLabels
{
    /// <summary>The node's name, set by the kubelet; volumes' node affinity and topology keys use it.</summary>
    public const string Hostname = "kubernetes.io/hostname";

    public const string Os = "kubernetes.io/os";

    public const string Arch = "kubernetes.io/arch";

    /// <summary>The Service an EndpointSlice belongs to; set by the API server (for "kubernetes"), controllers and add-ons, read by the proxy.</summary>
    public const string ServiceName = "kubernetes.io/service-name";

    /// <summary>Set (empty) on the Endpoints and EndpointSlices of a Service without a cluster IP (core/v1 IsHeadlessService).</summary>
    public const string ServiceHeadless = "service.kubernetes.io/headless";

    /// <summary>Who manages an EndpointSlice; the controller leaves slices managed by others alone.</summary>
    public const string EndpointSliceManagedBy = "endpointslice.kubernetes.io/managed-by";
}
