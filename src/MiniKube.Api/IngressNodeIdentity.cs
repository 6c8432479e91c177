namespace MiniKube.Api;

/// <summary>
/// Who a node's ingress data plane is, and the one object it writes. Each node's data plane (a
/// server's or a joined agent's) is its own user <c>system:mkube:ingress:&lt;node&gt;</c> in the group
/// <c>system:mkube:ingress-nodes</c>, as a kubelet is <c>system:node:&lt;node&gt;</c> in
/// <c>system:nodes</c>: the group holds the read-only ClusterRole <c>system:mkube:ingress</c>, and
/// the API server's ingress-node authorizer and admission keep each one's writes to its own
/// publication, the EndpointSlice <c>kube-system/mkube-ingress-&lt;node&gt;</c>. The server's join
/// endpoint issues the name, the ingress add-on writes the slice, the API server enforces both:
/// the names live here once.
/// </summary>
public static class IngressNodeIdentity
{
    /// <summary>The data plane user of <paramref name="nodeName"/>.</summary>
    public static string UserName(string nodeName) => UserPrefix + nodeName;

    /// <summary>The EndpointSlice in which <paramref name="nodeName"/>'s data plane publishes its address.</summary>
    public static string SliceName(string nodeName) => $"{SliceServiceName}-{nodeName}";

    /// <summary>
    /// True when the user is a node's ingress data plane (its name under <see cref="UserPrefix"/> and
    /// in <see cref="Group"/>); <paramref name="nodeName"/> is then its node, possibly empty (a user
    /// that names no node, which is given nothing).
    /// </summary>
    public static bool IsIngressNode(string userName, IReadOnlyList<string> groups, out string nodeName) =>
        PrefixedUsers.TryName(userName, groups, UserPrefix, Group, out nodeName);

    public const string UserPrefix = "system:mkube:ingress:";

    public const string Group = "system:mkube:ingress-nodes";

    /// <summary>Where the data planes' EndpointSlices live.</summary>
    public const string SliceNamespace = "kube-system";

    /// <summary>The slices' <c>kubernetes.io/service-name</c> label (no Service of that name exists) and their names' prefix.</summary>
    public const string SliceServiceName = "mkube-ingress";

    /// <summary>The slices' <c>endpointslice.kubernetes.io/managed-by</c> label, so the EndpointSlice controller leaves them alone.</summary>
    public const string SliceManagedBy = "ingress.mkube.io";
}
