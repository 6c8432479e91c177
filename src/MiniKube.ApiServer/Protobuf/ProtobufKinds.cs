using System.Collections.Frozen;
using k8s.Models;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Protobuf;

/// <summary>
/// Which k8s.Models class a protobuf envelope's apiVersion and kind name. Served resources come
/// from <see cref="ResourceCatalog"/>, so a kind added there decodes as soon as it has a field
/// table; the rest are kinds that only travel as request bodies of subresources or reviews.
/// </summary>
internal static class ProtobufKinds
{
    private static readonly FrozenDictionary<(string ApiVersion, string Kind), Type> BodyOnly = new Dictionary<(string, string), Type>
    {
        [("v1", "Binding")] = typeof(V1Binding),
        [("policy/v1", "Eviction")] = typeof(V1Eviction),
        [("autoscaling/v1", "Scale")] = typeof(V1Scale),
        [("authentication.k8s.io/v1", "TokenRequest")] = typeof(Authenticationv1TokenRequest),
        [("authentication.k8s.io/v1", "TokenReview")] = typeof(V1TokenReview),
        [("authentication.k8s.io/v1", "SelfSubjectReview")] = typeof(V1SelfSubjectReview),
        [("authorization.k8s.io/v1", "SubjectAccessReview")] = typeof(V1SubjectAccessReview),
        [("authorization.k8s.io/v1", "SelfSubjectAccessReview")] = typeof(V1SelfSubjectAccessReview),
        [("authorization.k8s.io/v1", "LocalSubjectAccessReview")] = typeof(V1LocalSubjectAccessReview),
        [("authorization.k8s.io/v1", "SelfSubjectRulesReview")] = typeof(V1SelfSubjectRulesReview),
        [("rbac.authorization.k8s.io/v1", "Role")] = typeof(V1Role),
        [("rbac.authorization.k8s.io/v1", "ClusterRole")] = typeof(V1ClusterRole),
        [("rbac.authorization.k8s.io/v1", "RoleBinding")] = typeof(V1RoleBinding),
        [("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")] = typeof(V1ClusterRoleBinding),
        [("scheduling.k8s.io/v1", "PriorityClass")] = typeof(V1PriorityClass),
    }.ToFrozenDictionary();

    /// <summary>The model of (apiVersion, kind), or null when the server does not know it.</summary>
    public static Type? Find(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        if (ResourceCatalog.FindKind(group, version, kind) is { } resource)
        {
            return resource.Model;
        }
        // client-go encodes DeleteOptions in the group-version of the resource being deleted.
        if (kind == "DeleteOptions")
        {
            return typeof(V1DeleteOptions);
        }
        return BodyOnly.GetValueOrDefault((apiVersion, kind));
    }
}
