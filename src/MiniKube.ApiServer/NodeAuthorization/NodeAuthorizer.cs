using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Rbac;

namespace MiniKube.ApiServer.NodeAuthorization;

/// <summary>
/// The Node authorizer (plugin/pkg/auth/authorizer/node/node_authorizer.go of v1.32, with
/// AuthorizeNodeWithSelectors on as by default there), for users that are nodes
/// (<see cref="NodeIdentity"/>); anyone else gets no opinion. A kubelet may read the Secrets,
/// ConfigMaps, PVCs, PVs and VolumeAttachments its pods reach in the <see cref="NodeGraph"/> (by name:
/// a list or watch only with a <c>metadata.name</c> field selector), create tokens for its pods'
/// service accounts, read its own Node and list or watch only its own pods
/// (<c>spec.nodeName=&lt;node&gt;</c>), write its own Lease and CSINode; everything else is decided
/// by upstream's NodeRules (the <c>system:node</c> ClusterRole of the bootstrap policy) with RBAC's
/// rule matching. Writes the authorizer cannot judge without the object (creating a Node, a mirror
/// pod, a Lease, pod status, evictions) are allowed here and restricted by the NodeRestriction
/// admission plugin. A refusal is no opinion with upstream's reason, so the chain's 403 reads as
/// kube-apiserver's. As a rule resolver it answers, as upstream, that a node's rules cannot be listed.
/// </summary>
internal sealed class NodeAuthorizer(NodeGraph graph) : IAuthorizer, IRuleResolver
{
    private const string NodeLeaseNamespace = "kube-node-lease";

    private static readonly PolicyRule[] NodeRules = BootstrapPolicy.ClusterRoles.Single(r => r.Name == "system:node").Rules;

    public AuthorizationResult Authorize(RequestAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (!NodeIdentity.IsNode(attributes.User.Name, attributes.User.Groups, out var node))
        {
            return AuthorizationResult.NoOpinion();
        }
        if (node.Length == 0)
        {
            return AuthorizationResult.NoOpinion($"unknown node for user \"{attributes.User.Name}\"");
        }
        if (attributes.IsResourceRequest)
        {
            switch (attributes.ApiGroup, attributes.Resource)
            {
                case ("", "secrets"):
                    return ReadNamespacedObject(node, GraphKind.Secret, attributes);
                case ("", "configmaps"):
                    return ReadNamespacedObject(node, GraphKind.ConfigMap, attributes);
                case ("", "persistentvolumeclaims"):
                    return attributes.Subresource == "status"
                        ? StatusUpdate(node, GraphKind.PersistentVolumeClaim, attributes)
                        : Get(node, GraphKind.PersistentVolumeClaim, attributes);
                case ("", "persistentvolumes"):
                    return Get(node, GraphKind.PersistentVolume, attributes);
                case ("storage.k8s.io", "volumeattachments"):
                    return Get(node, GraphKind.VolumeAttachment, attributes);
                case ("", "serviceaccounts"):
                    return CreateToken(node, attributes);
                case ("coordination.k8s.io", "leases"):
                    return Lease(node, attributes);
                case ("storage.k8s.io", "csinodes"):
                    return CsiNode(node, attributes);
                case ("", "nodes"):
                    return Node(node, attributes);
                case ("", "pods"):
                    return Pod(node, attributes);
            }
        }
        // Not subdivided by object: the static node rules.
        foreach (var rule in NodeRules)
        {
            if (rule.Allows(attributes))
            {
                return AuthorizationResult.Allowed();
            }
        }
        return AuthorizationResult.NoOpinion();
    }

    public RuleSet RulesFor(UserInfo user, string @namespace)
    {
        ArgumentNullException.ThrowIfNull(user);
        return NodeIdentity.IsNode(user.Name, user.Groups, out _)
            ? new RuleSet([], Incomplete: true, "node authorizer does not support user rule resolution")
            : new RuleSet([]);
    }

    // authorizeStatusUpdate: update or patch of the status of an object the node reaches.
    private AuthorizationResult StatusUpdate(string node, GraphKind kind, RequestAttributes attributes) =>
        attributes.Verb is not ("update" or "patch") ? AuthorizationResult.NoOpinion("can only get/update/patch this type")
        : attributes.Subresource != "status" ? AuthorizationResult.NoOpinion("can only update status subresource")
        : Related(node, kind, attributes);

    // authorizeGet: get of one object the node reaches, no subresource.
    private AuthorizationResult Get(string node, GraphKind kind, RequestAttributes attributes) =>
        attributes.Verb != "get" ? AuthorizationResult.NoOpinion("can only get individual resources of this type")
        : attributes.Subresource.Length > 0 ? AuthorizationResult.NoOpinion("cannot get subresource")
        : Related(node, kind, attributes);

    // authorizeReadNamespacedObject: get, or list and watch narrowed to one name, of an object the node reaches.
    private AuthorizationResult ReadNamespacedObject(string node, GraphKind kind, RequestAttributes attributes) =>
        attributes.Verb is not ("get" or "list" or "watch") ? AuthorizationResult.NoOpinion("can only read resources of this type")
        : attributes.Subresource.Length > 0 ? AuthorizationResult.NoOpinion("cannot read subresource")
        : attributes.Namespace.Length == 0 ? AuthorizationResult.NoOpinion("can only read namespaced object of this type")
        : Related(node, kind, attributes);

    // authorize: the named object must reach the node in the graph.
    private AuthorizationResult Related(string node, GraphKind kind, RequestAttributes attributes)
    {
        if (attributes.Name.Length == 0)
        {
            return AuthorizationResult.NoOpinion("No Object name found");
        }
        return graph.Reaches(node, kind, attributes.Namespace, attributes.Name)
            ? AuthorizationResult.Allowed()
            : NoRelationship(node);
    }

    // authorizeCreateToken: a token for a service account a pod on the node runs as.
    private AuthorizationResult CreateToken(string node, RequestAttributes attributes)
    {
        if (attributes.Verb != "create" || attributes.Name.Length == 0)
        {
            return AuthorizationResult.NoOpinion("can only create tokens for individual service accounts");
        }
        if (attributes.Subresource != "token")
        {
            return AuthorizationResult.NoOpinion("can only create token subresource of serviceaccount");
        }
        return graph.Reaches(node, GraphKind.ServiceAccount, attributes.Namespace, attributes.Name) ? AuthorizationResult.Allowed() : NoRelationship(node);
    }

    // authorizeLease: the node's own Lease in kube-node-lease (a create is checked by NodeRestriction, which sees the name).
    private static AuthorizationResult Lease(string node, RequestAttributes attributes)
    {
        if (attributes.Verb is not ("get" or "create" or "update" or "patch" or "delete"))
        {
            return AuthorizationResult.NoOpinion("can only get, create, update, patch, or delete a node lease");
        }
        if (attributes.Namespace != NodeLeaseNamespace)
        {
            return AuthorizationResult.NoOpinion($"can only access leases in the \"{NodeLeaseNamespace}\" system namespace");
        }
        return attributes.Verb != "create" && attributes.Name != node
            ? AuthorizationResult.NoOpinion("can only access node lease with the same name as the requesting node")
            : AuthorizationResult.Allowed();
    }

    // authorizeCSINode: the node's own CSINode.
    private static AuthorizationResult CsiNode(string node, RequestAttributes attributes)
    {
        if (attributes.Verb is not ("get" or "create" or "update" or "patch" or "delete"))
        {
            return AuthorizationResult.NoOpinion("can only get, create, update, patch, or delete a CSINode");
        }
        if (attributes.Subresource.Length > 0)
        {
            return AuthorizationResult.NoOpinion("cannot authorize CSINode subresources");
        }
        return attributes.Verb != "create" && attributes.Name != node
            ? AuthorizationResult.NoOpinion("can only access CSINode with the same name as the requesting node")
            : AuthorizationResult.Allowed();
    }

    // authorizeNode: writes of any Node (NodeRestriction keeps them to its own), reads of its own only.
    private static AuthorizationResult Node(string node, RequestAttributes attributes)
    {
        switch (attributes.Subresource, attributes.Verb)
        {
            case ("", "create" or "update" or "patch"):
            case ("status", "update" or "patch"):
                return AuthorizationResult.Allowed();
            case ("", "get" or "list" or "watch"):
                // By name rather than the graph, so a kubelet can look for its Node before creating it.
                return attributes.Name == node ? AuthorizationResult.Allowed()
                    : attributes.Name.Length == 0 ? AuthorizationResult.NoOpinion($"node '{node}' cannot read all nodes, only its own Node object")
                    : AuthorizationResult.NoOpinion($"node '{node}' cannot read '{attributes.Name}', only its own Node object");
            default:
                return AuthorizationResult.NoOpinion();
        }
    }

    // authorizePod: its own pods to read (list and watch with its spec.nodeName selector); create and
    // delete of mirror pods, status and eviction, all restricted by NodeRestriction.
    private AuthorizationResult Pod(string node, RequestAttributes attributes)
    {
        switch (attributes.Subresource, attributes.Verb)
        {
            case ("", "get"):
                return Get(node, GraphKind.Pod, attributes);
            case ("", "list" or "watch"):
                foreach (var term in attributes.FieldSelector)
                {
                    if (term is { Field: "spec.nodeName", Negated: false } && term.Value == node)
                    {
                        return AuthorizationResult.Allowed();
                    }
                }
                return attributes.Name.Length > 0 ? Related(node, GraphKind.Pod, attributes)
                    : AuthorizationResult.NoOpinion("can only list/watch pods with spec.nodeName field selector");
            case ("", "create" or "delete"):
            case ("status", "update" or "patch"):
            case ("eviction", "create"):
                return AuthorizationResult.Allowed();
            default:
                return AuthorizationResult.NoOpinion();
        }
    }

    private static AuthorizationResult NoRelationship(string node) => AuthorizationResult.NoOpinion($"no relationship found between node '{node}' and this object");
}
