using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.WatchCache;

namespace MiniKube.ApiServer.Rbac;

/// <summary>
/// What an <see cref="ObjectFeed"/> keeps <see cref="RbacPolicy"/> current from: the four RBAC
/// kinds (rbac.authorization.k8s.io/v1), each change handed to the policy as its kind.
/// </summary>
internal sealed class RbacFeed(RbacPolicy policy) : IObjectIndex
{
    private static readonly Dictionary<ResourceType, RbacPolicy.Kind> Kinds = new()
    {
        [Find("roles")] = RbacPolicy.Kind.Role,
        [Find("clusterroles")] = RbacPolicy.Kind.ClusterRole,
        [Find("rolebindings")] = RbacPolicy.Kind.RoleBinding,
        [Find("clusterrolebindings")] = RbacPolicy.Kind.ClusterRoleBinding,
    };

    /// <summary>The resources the feed follows.</summary>
    public static IReadOnlyCollection<ResourceType> Types => Kinds.Keys;

    /// <summary>The served RBAC resource named <paramref name="resource"/> (rbac.authorization.k8s.io/v1).</summary>
    public static ResourceType Find(string resource) => ResourceCatalog.Find("rbac.authorization.k8s.io", "v1", resource)!;

    public void Apply(ResourceType type, JsonObject obj, bool gone, long revision) => policy.Apply(Kinds[type], obj, gone, revision);

    public void RetainOnly(ResourceType type, IReadOnlySet<(string Namespace, string Name)> present, long revision) =>
        policy.RetainOnly(Kinds[type], present, revision);
}
