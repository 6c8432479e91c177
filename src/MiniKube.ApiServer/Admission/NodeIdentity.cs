namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Which node a user is, as pkg/auth/nodeidentifier's default identifier decides it for the Node
/// authorizer and NodeRestriction: a user named <c>system:node:&lt;name&gt;</c> in the group
/// <c>system:nodes</c>. Anyone else is no node, and is neither helped nor restricted by them.
/// </summary>
internal static class NodeIdentity
{
    public const string UserPrefix = "system:node:";
    public const string NodesGroup = "system:nodes";

    /// <summary>
    /// True when the user is a node; <paramref name="nodeName"/> is then its name, which may be
    /// empty (<c>system:node:</c> alone: a node that cannot be told apart, refused by both).
    /// </summary>
    public static bool IsNode(string userName, IReadOnlyList<string> groups, out string nodeName) =>
        PrefixedUsers.TryName(userName, groups, UserPrefix, NodesGroup, out nodeName);
}
