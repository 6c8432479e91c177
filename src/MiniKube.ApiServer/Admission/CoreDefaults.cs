using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Scheme defaults of the non-workload kinds: pkg/apis/core/v1/defaults.go (Service, Namespace,
/// Node, PersistentVolume, PersistentVolumeClaim, Endpoints), pkg/apis/discovery/v1/defaults.go,
/// and the Service registry's IP family fields (pkg/registry/core/service/storage/alloc.go) for
/// a single-stack IPv4 cluster. Cluster IPs themselves are allocated by the registry.
/// </summary>
internal static class CoreDefaults
{
    private const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    public static void Service(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        spec.DefaultString("sessionAffinity", "None");
        if (spec.Str("sessionAffinity") == "None")
        {
            spec.Remove("sessionAffinityConfig");
        }
        else if (spec.Str("sessionAffinity") == "ClientIP")
        {
            var clientIp = spec.Ensure("sessionAffinityConfig").Ensure("clientIP");
            clientIp.Default("timeoutSeconds", 10800);
        }
        spec.DefaultString("type", "ClusterIP");
        var type = spec.Str("type");
        foreach (var (_, port) in spec.Items("ports"))
        {
            port.DefaultString("protocol", "TCP");
            if (port["targetPort"] is null || port.Int("targetPort") == 0 || port.Str("targetPort") == "")
            {
                if (port.Int("port") is { } number)
                {
                    port["targetPort"] = number;
                }
            }
        }
        var externallyAccessible = type is "LoadBalancer" or "NodePort" || (type == "ClusterIP" && spec.Arr("externalIPs") is { Count: > 0 });
        if (externallyAccessible)
        {
            spec.DefaultString("externalTrafficPolicy", "Cluster");
        }
        if (type is "ClusterIP" or "NodePort" or "LoadBalancer")
        {
            spec.Default("internalTrafficPolicy", "Cluster");
        }
        if (type == "LoadBalancer")
        {
            spec.Default("allocateLoadBalancerNodePorts", true);
        }
        if (type != "ExternalName")
        {
            // A headless service without selector may carry both families; on one IPv4 stack that is [IPv4].
            var headlessWithoutSelector = spec.Str("clusterIP") == "None" && spec.Obj("selector") is not { Count: > 0 };
            spec.Default("ipFamilyPolicy", headlessWithoutSelector ? "RequireDualStack" : "SingleStack");
            spec.Default("ipFamilies", new JsonArray("IPv4"));
        }
    }

    public static void Namespace(JsonObject obj)
    {
        // A namespace still to be named by generateName gets its label once it has a name.
        var name = obj.Obj("metadata").Str("name");
        if (!string.IsNullOrEmpty(name))
        {
            obj.Ensure("metadata").Ensure("labels")[NamespaceNameLabel] = name;
        }
        obj.Ensure("status").DefaultString("phase", "Active");
    }

    /// <summary>The namespace strategy on create: the "kubernetes" finalizer is always there at first.</summary>
    public static void NamespaceOnCreate(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        if (spec["finalizers"] is not JsonArray finalizers)
        {
            finalizers = [];
            spec["finalizers"] = finalizers;
        }
        if (!finalizers.Any(f => GoSyntax.ScalarText(f) == "kubernetes"))
        {
            finalizers.Add("kubernetes");
        }
        obj.Ensure("status")["phase"] = "Active";
    }

    public static void Node(JsonObject obj)
    {
        var status = obj.Obj("status");
        if (status is not null && status.Obj("capacity") is { } capacity && !status.Has("allocatable"))
        {
            status["allocatable"] = capacity.DeepClone();
        }
    }

    public static void PersistentVolume(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        spec.DefaultString("persistentVolumeReclaimPolicy", "Retain");
        spec.Default("volumeMode", "Filesystem");
        obj.Ensure("status").DefaultString("phase", "Pending");
    }

    public static void PersistentVolumeClaim(JsonObject obj)
    {
        ApplyClaimSpec(obj.Ensure("spec"));
        obj.Ensure("status").DefaultString("phase", "Pending");
    }

    public static void ApplyClaimSpec(JsonObject spec) => spec.Default("volumeMode", "Filesystem");

    public static void Endpoints(JsonObject obj)
    {
        foreach (var (_, subset) in obj.Items("subsets"))
        {
            foreach (var (_, port) in subset.Items("ports"))
            {
                port.DefaultString("protocol", "TCP");
            }
        }
    }

    public static void EndpointSlice(JsonObject obj)
    {
        foreach (var (_, port) in obj.Items("ports"))
        {
            port.Default("name", "");
            port.Default("protocol", "TCP");
        }
    }
}
