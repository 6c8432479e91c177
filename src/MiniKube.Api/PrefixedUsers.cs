namespace MiniKube.Api;

/// <summary>
/// Users whose name says which node they stand for, as pkg/auth/nodeidentifier reads kubelets
/// (<c>system:node:&lt;name&gt;</c> in <c>system:nodes</c>) and mkube reads its ingress data planes
/// (<see cref="IngressNodeIdentity"/>): the name must carry the prefix and the user must be in the
/// group, or the user is no such thing. One reading for every such identity.
/// </summary>
public static class PrefixedUsers
{
    /// <summary>True when <paramref name="userName"/> starts with <paramref name="prefix"/> and <paramref name="groups"/> hold <paramref name="group"/>; <paramref name="name"/> is then the rest, possibly empty.</summary>
    public static bool TryName(string userName, IReadOnlyList<string> groups, string prefix, string group, out string name)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(prefix);
        var matches = userName.StartsWith(prefix, StringComparison.Ordinal) && groups.Contains(group, StringComparer.Ordinal);
        name = matches ? userName[prefix.Length..] : "";
        return matches;
    }
}
