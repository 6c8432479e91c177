namespace MiniKube.ApiServer.Auth;

/// <summary>
/// Recognises a bare bearer token (upstream's authenticator.Token): the static token table today,
/// service-account JWTs next. The <see cref="Authenticator"/> asks each in turn for the bearer
/// token of a request and for TokenReview's spec.token. The audiences given are those
/// the token must be meant for (the API server's own for requests, a TokenReview's when it names
/// some): an audience-aware authenticator checks its token's against them; an audience-agnostic
/// one recognises nothing when they miss the API server's audiences (apiserver's
/// WrapAudienceAgnosticToken).
/// </summary>
public interface ITokenAuthenticator
{
    ValueTask<TokenAuthentication> AuthenticateTokenAsync(string token, IReadOnlyList<string> audiences, CancellationToken cancellationToken);
}

/// <summary>
/// What a token authenticator made of a token: the user and the audiences the token is valid
/// for, or not recognised (no user, no error: the next authenticator is asked), or rejected
/// with an error (an expired or revoked token; TokenReview shows it in status.error).
/// </summary>
public sealed record TokenAuthentication(UserInfo? User, IReadOnlyList<string> Audiences, string Error = "")
{
    public static TokenAuthentication NotRecognised { get; } = new(null, []);

    public static TokenAuthentication Authenticated(UserInfo user, IReadOnlyList<string> audiences) => new(user, audiences);

    public static TokenAuthentication Rejected(string error) => new(null, [], error);

    public bool IsAuthenticated => User is not null;
}
