using k8s.Models;

namespace MiniKube.Controllers.Common;

/// <summary>
/// Owner references as controllers write and read them (apimachinery's metav1.NewControllerRef
/// and GetControllerOf): the one reference with controller=true names the object's manager.
/// </summary>
public static class ControllerRefs
{
    /// <summary>A controller reference to <paramref name="owner"/>; blockOwnerDeletion so foreground deletion waits for the dependent.</summary>
    public static V1OwnerReference To(IKubernetesObject<V1ObjectMeta> owner, string apiVersion, string kind)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new V1OwnerReference
        {
            ApiVersion = apiVersion,
            Kind = kind,
            Name = owner.Metadata.Name,
            Uid = owner.Metadata.Uid,
            Controller = true,
            BlockOwnerDeletion = true,
        };
    }

    /// <summary>The reference to the object's controller, or null when nothing controls it.</summary>
    public static V1OwnerReference? ControllerOf(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return obj.Metadata?.OwnerReferences?.FirstOrDefault(r => r.Controller == true);
    }

    /// <summary>
    /// The key of <paramref name="obj"/>'s controller when that is a <paramref name="kind"/>, else
    /// null: what a handler queues when a dependent changes (a controller lives in its dependents'
    /// namespace).
    /// </summary>
    public static NamespacedName? OwnerKey(IKubernetesObject<V1ObjectMeta> obj, string kind) =>
        ControllerOf(obj) is { } owner && owner.Kind == kind ? new NamespacedName(obj.Metadata.NamespaceProperty, owner.Name) : null;

    /// <summary>Whether <paramref name="obj"/> is controlled by the object with <paramref name="ownerUid"/>.</summary>
    public static bool IsControlledBy(IKubernetesObject<V1ObjectMeta> obj, string ownerUid) =>
        ControllerOf(obj)?.Uid == ownerUid;
}
