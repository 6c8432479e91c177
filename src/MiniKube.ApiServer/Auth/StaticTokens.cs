using System.Security.Cryptography;
using System.Text;

namespace MiniKube.ApiServer.Auth;

/// <summary>
/// The static token table (kube-apiserver's --token-auth-file; here the join token's secret).
/// Audience-agnostic, as upstream wraps such authenticators: a token is good for the API
/// server's own audiences only, so a TokenReview naming other audiences does not recognise it.
/// </summary>
public sealed class StaticTokens(IReadOnlyDictionary<string, UserInfo> tokens, IReadOnlyList<string> apiAudiences) : ITokenAuthenticator
{
    public ValueTask<TokenAuthentication> AuthenticateTokenAsync(string token, IReadOnlyList<string> audiences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(audiences);
        var meantFor = apiAudiences.Where(audiences.Contains).ToList();
        if (meantFor.Count == 0 || Lookup(token) is not { } user)
        {
            return ValueTask.FromResult(TokenAuthentication.NotRecognised);
        }
        return ValueTask.FromResult(TokenAuthentication.Authenticated(user, meantFor));
    }

    private UserInfo? Lookup(string token)
    {
        // Compare in constant time so response timing does not reveal a token's prefix.
        var presented = Encoding.UTF8.GetBytes(token);
        UserInfo? found = null;
        foreach (var (known, user) in tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(known)))
            {
                found = user;
            }
        }
        return found;
    }
}
