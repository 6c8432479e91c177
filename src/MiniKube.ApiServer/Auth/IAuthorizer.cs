namespace MiniKube.ApiServer.Auth;

/// <summary>
/// Decides whether a request may proceed: upstream's authorizer.Authorizer. An authorizer that
/// has nothing to say about a request answers <see cref="AuthorizationDecision.NoOpinion"/> and
/// the next one in the <see cref="AuthorizerChain"/> is asked. Decisions are synchronous and
/// read only in-memory state, because every request waits on them.
/// </summary>
public interface IAuthorizer
{
    AuthorizationResult Authorize(RequestAttributes attributes);
}

public enum AuthorizationDecision
{
    NoOpinion,
    Allow,
    Deny,
}

/// <summary>A decision and why (the reason is shown in a 403 and in access reviews).</summary>
public readonly record struct AuthorizationResult(AuthorizationDecision Decision, string Reason = "")
{
    public static AuthorizationResult Allowed(string reason = "") => new(AuthorizationDecision.Allow, reason);

    public static AuthorizationResult NoOpinion(string reason = "") => new(AuthorizationDecision.NoOpinion, reason);

    public static AuthorizationResult Denied(string reason) => new(AuthorizationDecision.Deny, reason);

    public bool IsAllowed => Decision == AuthorizationDecision.Allow;
}
