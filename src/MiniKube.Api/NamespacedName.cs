using k8s;
using k8s.Models;

namespace MiniKube.Api;

/// <summary>
/// The name of one object (apimachinery's types.NamespacedName): its namespace, empty for
/// cluster-scoped kinds, and its name. Work queues and caches key objects by it; its text form
/// "namespace/name" (or "name") is client-go's MetaNamespaceKeyFunc.
/// </summary>
public readonly record struct NamespacedName(string Namespace, string Name)
{
    /// <summary>A cluster-scoped object's name.</summary>
    public NamespacedName(string name)
        : this("", name)
    {
    }

    public static NamespacedName Of(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return new NamespacedName(obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name);
    }

    /// <summary>Reads "namespace/name" or "name", the form <see cref="ToString"/> writes.</summary>
    public static NamespacedName Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new NamespacedName("", key) : new NamespacedName(key[..slash], key[(slash + 1)..]);
    }

    public override string ToString() => Namespace.Length > 0 ? $"{Namespace}/{Name}" : Name;
}
