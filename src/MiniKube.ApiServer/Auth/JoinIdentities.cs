namespace MiniKube.ApiServer.Auth;

/// <summary>
/// Whom the join tokens authenticate as. As in k3s, neither token is an administrator: the
/// server token (<c>--token</c>) lets servers and their operators call the server endpoints
/// (secrets-encrypt, and joining agents when no agent token is set), and the agent token
/// (<c>--agent-token</c>) only asks for a node's own credentials. What each may call is granted
/// by the bootstrap policy's <c>system:mkube:*</c> roles, so RBAC decides as for anyone else.
/// </summary>
public static class JoinIdentities
{
    /// <summary>The group of the server token's holder; bound to the secrets-encrypt and node-join paths.</summary>
    public const string ServersGroup = "system:mkube:servers";

    /// <summary>The group of the agent token's holder (kubeadm's bootstrap-token group); bound to the node-join paths only.</summary>
    public const string BootstrappersGroup = "system:bootstrappers";

    /// <summary>The server token's identity.</summary>
    public static UserInfo Server { get; } = new("system:mkube:server", [ServersGroup, UserInfo.AuthenticatedGroup]);

    /// <summary>The agent token's identity (a bootstrap token's name, as upstream's system:bootstrap:&lt;id&gt;).</summary>
    public static UserInfo Agent { get; } = new("system:bootstrap:mkube-agent", [BootstrappersGroup, UserInfo.AuthenticatedGroup]);

    /// <summary>
    /// The static token table for the two secrets. When they are equal (no agent token set, or
    /// the same secret given to both) the server identity wins: it holds every right the agent one does.
    /// </summary>
    public static IReadOnlyDictionary<string, UserInfo> Tokens(string serverSecret, string? agentSecret)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverSecret);
        var tokens = new Dictionary<string, UserInfo>(StringComparer.Ordinal);
        if (agentSecret is { Length: > 0 })
        {
            tokens[agentSecret] = Agent;
        }
        tokens[serverSecret] = Server;
        return tokens;
    }
}
