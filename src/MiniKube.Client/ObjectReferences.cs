using System.Reflection;
using k8s;
using k8s.Models;

namespace MiniKube.Client;

/// <summary>
/// A full reference to an object (client-go tools/reference/ref.go GetReference): apiVersion,
/// kind, namespace, name, uid and resourceVersion. Objects from a list carry no apiVersion and
/// kind, so those come from the model type's <see cref="KubernetesEntityAttribute"/> when the
/// object lacks them. What events point at (kubectl describe finds them by it) and what a volume's
/// claimRef holds.
/// </summary>
public static class ObjectReferences
{
    public static V1ObjectReference To(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var entity = obj.GetType().GetCustomAttribute<KubernetesEntityAttribute>();
        var apiVersion = obj.ApiVersion
            ?? (entity is null ? null : string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}");
        return new V1ObjectReference
        {
            ApiVersion = apiVersion,
            Kind = obj.Kind ?? entity?.Kind,
            NamespaceProperty = obj.Metadata.NamespaceProperty,
            Name = obj.Metadata.Name,
            Uid = obj.Metadata.Uid,
            ResourceVersion = obj.Metadata.ResourceVersion,
        };
    }
}
