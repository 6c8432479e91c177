using k8s;
using k8s.Models;

namespace MiniKube.Client;

/// <summary>The cache and work-queue key of an object: "namespace/name", or "name" for cluster-scoped kinds (client-go's MetaNamespaceKeyFunc).</summary>
public static class ObjectKeys
{
    public static string Of(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Of(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
    }

    public static string Of(string? namespaceName, string name) =>
        namespaceName is { Length: > 0 } ns ? $"{ns}/{name}" : name;

    /// <summary>The namespace ("" for cluster-scoped) and name a key stands for.</summary>
    public static (string Namespace, string Name) Split(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("", key) : (key[..slash], key[(slash + 1)..]);
    }
}
