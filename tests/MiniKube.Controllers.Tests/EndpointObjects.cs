using k8s.Models;

namespace MiniKube.Controllers.Tests;

/// <summary>Services and pods, as the API would hold them, for Endpoints and EndpointSlice unit tests.</summary>
internal static class EndpointObjects
{
    public static readonly Dictionary<string, string> WebLabels = new() { ["app"] = "web" };

    /// <summary>A ClusterIP service "web" selecting app=web, port 80 → the pods' port named "http".</summary>
    public static V1Service Service(bool publishNotReady = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = "uid-svc", Labels = new Dictionary<string, string> { ["tier"] = "front" }, CreationTimestamp = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
        Spec = new V1ServiceSpec
        {
            Selector = WebLabels,
            ClusterIP = "10.43.0.20",
            PublishNotReadyAddresses = publishNotReady,
            Ports = [new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP", TargetPort = "http" }],
        },
    };

    /// <summary>A pod of the service with container port "http" = 8080; <paramref name="ip"/> null for a pod not started yet.</summary>
    public static V1Pod Pod(string name, string? ip, bool ready, string phase = "Running", bool terminating = false, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "default",
            Uid = "uid-" + name,
            Labels = labels ?? WebLabels,
            DeletionTimestamp = terminating ? new DateTime(2025, 1, 2, 0, 0, 0, DateTimeKind.Utc) : null,
        },
        Spec = new V1PodSpec
        {
            NodeName = "node-a",
            RestartPolicy = "Always",
            Containers = [new V1Container { Name = "c", Image = "busybox", Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080, Protocol = "TCP" }] }],
        },
        Status = new V1PodStatus
        {
            Phase = phase,
            PodIP = ip,
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = new DateTime(2025, 1, 1, 0, 5, 0, DateTimeKind.Utc) }],
        },
    };
}
