using MiniKube.ApiServer.ServiceAccounts;

namespace MiniKube.ApiServer.Auth;

/// <summary>
/// Service-account JWTs as bearer tokens (apiserver's serviceaccount token authenticator): a
/// token the <see cref="ServiceAccountTokenValidator"/> accepts for one of the audiences stands
/// for its account, with upstream's groups, uid and extras (the bound pod and node, the token id).
/// </summary>
public sealed class ServiceAccountTokenAuthenticator(ServiceAccountTokenValidator validator) : ITokenAuthenticator
{
    public async ValueTask<TokenAuthentication> AuthenticateTokenAsync(string token, IReadOnlyList<string> audiences, CancellationToken cancellationToken)
    {
        return await validator.ValidateAsync(token, audiences, cancellationToken) is { } account
            ? TokenAuthentication.Authenticated(UserOf(account), account.Audiences)
            : TokenAuthentication.NotRecognised;
    }

    // apiserver's ServiceAccountInfo.UserInfo.
    private static UserInfo UserOf(ServiceAccountIdentity account)
    {
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (key, value) in new[]
        {
            ("authentication.kubernetes.io/pod-name", account.PodName),
            ("authentication.kubernetes.io/pod-uid", account.PodUid),
            ("authentication.kubernetes.io/node-name", account.NodeName),
            ("authentication.kubernetes.io/node-uid", account.NodeUid),
            ("authentication.kubernetes.io/credential-id", account.CredentialId),
        })
        {
            if (value.Length > 0)
            {
                extra[key] = [value];
            }
        }
        return new UserInfo(
            ServiceAccountUser.Name(account.Namespace, account.Name),
            [ServiceAccountUser.AllGroup, ServiceAccountUser.NamespaceGroup(account.Namespace), UserInfo.AuthenticatedGroup])
        {
            Uid = account.Uid,
            Extra = extra,
        };
    }
}
