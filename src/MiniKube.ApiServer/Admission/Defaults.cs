using System.Text.Json.Nodes;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Fills in what kube-apiserver fills in, in two steps with different lifetimes:
/// <list type="bullet">
/// <item><see cref="Apply"/> is scheme defaulting (pkg/apis/*/v1/defaults.go and +default tags).
/// Upstream runs it on every decode — request bodies and objects read back from storage — so it
/// must be idempotent and may run again on stored objects.</item>
/// <item><see cref="ApplyOnCreate"/> adds what only happens once, when an object is created: the
/// mutating admission plugins for pods (ServiceAccount, Priority, DefaultTolerationSeconds) and
/// the create strategies' additions (pod status, namespace finalizer, a Job's generated selector).
/// It expects <c>metadata.name</c>, <c>metadata.namespace</c> and <c>metadata.uid</c> to be set already.</item>
/// </list>
/// Cluster IP allocation and other registry work stay with the registry.
/// </summary>
public static class Defaults
{
    /// <summary>Scheme defaults for an object of the given resource; objects of kinds without defaults are left alone.</summary>
    public static void Apply(ResourceType type, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        switch (type.Group, type.Kind)
        {
            case ("", "Pod"):
                PodDefaults.Apply(obj);
                break;
            case ("", "ReplicationController"):
                WorkloadDefaults.ReplicationController(obj);
                break;
            case ("apps", "Deployment"):
                WorkloadDefaults.Deployment(obj);
                break;
            case ("apps", "ReplicaSet"):
                WorkloadDefaults.ReplicaSet(obj);
                break;
            case ("apps", "StatefulSet"):
                WorkloadDefaults.StatefulSet(obj);
                break;
            case ("apps", "DaemonSet"):
                WorkloadDefaults.DaemonSet(obj);
                break;
            case ("batch", "Job"):
                WorkloadDefaults.Job(obj);
                break;
            case ("batch", "CronJob"):
                WorkloadDefaults.CronJob(obj);
                break;
            case ("", "Service"):
                CoreDefaults.Service(obj);
                break;
            case ("", "Namespace"):
                CoreDefaults.Namespace(obj);
                break;
            case ("", "Secret"):
                obj.DefaultString("type", "Opaque");
                break;
            case ("", "Node"):
                CoreDefaults.Node(obj);
                break;
            case ("", "PersistentVolume"):
                CoreDefaults.PersistentVolume(obj);
                break;
            case ("", "PersistentVolumeClaim"):
                CoreDefaults.PersistentVolumeClaim(obj);
                break;
            case ("", "Endpoints"):
                CoreDefaults.Endpoints(obj);
                break;
            case ("discovery.k8s.io", "EndpointSlice"):
                CoreDefaults.EndpointSlice(obj);
                break;
            case ("storage.k8s.io", "StorageClass"):
                obj.DefaultString("reclaimPolicy", "Delete");
                obj.DefaultString("volumeBindingMode", "Immediate");
                break;
        }
    }

    /// <summary>
    /// <see cref="Apply"/> plus the one-time mutations of a create. Call after the registry has set
    /// name, namespace and uid, and before validation.
    /// </summary>
    public static void ApplyOnCreate(ResourceType type, JsonObject obj)
    {
        Apply(type, obj);
        switch (type.Group, type.Kind)
        {
            case ("", "Pod"):
                PodDefaults.ApplyOnCreate(obj);
                break;
            case ("", "Namespace"):
                CoreDefaults.NamespaceOnCreate(obj);
                break;
            case ("batch", "Job"):
                WorkloadDefaults.JobOnCreate(obj);
                break;
        }
    }
}
