using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Rbac;

namespace MiniKube.ApiServer.NodeAuthorization;

/// <summary>
/// What a node's ingress data plane (<see cref="IngressNodeIdentity"/>: <c>system:mkube:ingress:&lt;node&gt;</c>
/// in <c>system:mkube:ingress-nodes</c>) may write, decided per node as the Node authorizer does for
/// kubelets: create EndpointSlices in kube-system (the name is not known to an authorizer on create:
/// <c>AdmissionPlugins/IngressNodeRestriction</c> keeps a create to its own slice) and get, update and
/// delete its own <c>mkube-ingress-&lt;node&gt;</c>, nothing of another node's. Its reads come from
/// RBAC (ClusterRole <c>system:mkube:ingress</c>, bound to the group); anyone else gets no opinion.
/// As a rule resolver it lists these rules, so <c>kubectl auth can-i --list</c> shows them.
/// </summary>
internal sealed class IngressNodeAuthorizer : IAuthorizer, IRuleResolver
{
    public AuthorizationResult Authorize(RequestAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        // A user that names no node (system:mkube:ingress: alone) is given nothing, as the Node authorizer's.
        var mine = IngressNodeIdentity.IsIngressNode(attributes.User.Name, attributes.User.Groups, out var node) && node.Length > 0
            && attributes.IsResourceRequest && attributes.Namespace == IngressNodeIdentity.SliceNamespace;
        return mine && Rules(node).Any(rule => rule.Allows(attributes)) ? AuthorizationResult.Allowed() : AuthorizationResult.NoOpinion();
    }

    public RuleSet RulesFor(UserInfo user, string @namespace)
    {
        ArgumentNullException.ThrowIfNull(user);
        return IngressNodeIdentity.IsIngressNode(user.Name, user.Groups, out var node) && node.Length > 0 && @namespace == IngressNodeIdentity.SliceNamespace
            ? new RuleSet([.. Rules(node).Select(r => r.ToV1())])
            : new RuleSet([]);
    }

    private static PolicyRule[] Rules(string node) =>
    [
        new(["create"], ["discovery.k8s.io"], ["endpointslices"], [], []),
        new(["get", "update", "delete"], ["discovery.k8s.io"], ["endpointslices"], [IngressNodeIdentity.SliceName(node)], []),
    ];
}
