namespace MiniKube.ApiServer.Aggregation;

/// <summary>
/// groupPriorityMinimum and versionPriority of the Local APIServices of built-in group-versions,
/// the values kube-apiserver v1.32 registers (cmd/kube-apiserver/app/aggregator.go
/// apiVersionPriorities, with pkg/controlplane/apiserver's generic ones): they order groups in
/// discovery and decide which group wins a short name both use. Group-versions of CRDs get
/// <see cref="CustomResource"/>, as the CRD registration controller gives them.
/// </summary>
public static class ApiServicePriorities
{
    /// <summary>crdregistration_controller.go: CRDs rank low, and versions sort kube-aware among equals.</summary>
    public static (long Group, long Version) CustomResource { get; } = (1000, 100);

    private static readonly Dictionary<(string Group, string Version), (long Group, long Version)> BuiltIn = new()
    {
        [("", "v1")] = (18000, 1),
        [("apiregistration.k8s.io", "v1")] = (18000, 15),
        [("apps", "v1")] = (17800, 15),
        [("events.k8s.io", "v1")] = (17750, 15),
        [("authentication.k8s.io", "v1")] = (17700, 15),
        [("authorization.k8s.io", "v1")] = (17600, 15),
        [("autoscaling", "v1")] = (17500, 15),
        [("autoscaling", "v2")] = (17500, 30),
        [("batch", "v1")] = (17400, 15),
        [("certificates.k8s.io", "v1")] = (17300, 15),
        [("networking.k8s.io", "v1")] = (17200, 15),
        [("policy", "v1")] = (17100, 15),
        [("rbac.authorization.k8s.io", "v1")] = (17000, 15),
        [("storage.k8s.io", "v1")] = (16800, 15),
        [("apiextensions.k8s.io", "v1")] = (16700, 15),
        [("admissionregistration.k8s.io", "v1")] = (16700, 15),
        [("scheduling.k8s.io", "v1")] = (16600, 15),
        [("coordination.k8s.io", "v1")] = (16500, 15),
        [("node.k8s.io", "v1")] = (16300, 15),
        [("discovery.k8s.io", "v1")] = (16200, 15),
        [("flowcontrol.apiserver.k8s.io", "v1")] = (16100, 21),
        [("resource.k8s.io", "v1alpha3")] = (15900, 9),
        // Not kube-apiserver's: metrics-server's own APIService manifest (served built in here).
        [("metrics.k8s.io", "v1beta1")] = (100, 100),
    };

    /// <summary>The priorities of a built-in group-version; null when upstream registers none for it.</summary>
    public static (long Group, long Version)? ForBuiltIn(string group, string version) =>
        BuiltIn.TryGetValue((group, version), out var priority) ? priority : null;
}
