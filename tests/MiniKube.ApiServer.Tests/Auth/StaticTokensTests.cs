using MiniKube.ApiServer.Auth;

namespace MiniKube.ApiServer.Tests.Auth;

public class StaticTokensTests
{
    private static readonly string[] ApiAudiences = ["https://kubernetes.default.svc.cluster.local", "mkube"];

    private static readonly StaticTokens Tokens = new(new Dictionary<string, UserInfo> { ["s3cret"] = new("bootstrap", ["system:nodes"]) }, ApiAudiences);

    [Test]
    public async Task AuthenticateToken_KnownTokenForApiAudience_UserAndTheAudiencesAskedThatMatch()
    {
        var result = await Tokens.AuthenticateTokenAsync("s3cret", ["mkube", "other"], CancellationToken.None);

        Assert.That(result.User!.Name, Is.EqualTo("bootstrap"));
        Assert.That(result.Audiences, Is.EqualTo(new[] { "mkube" }));
    }

    [Test]
    public async Task AuthenticateToken_OtherAudiencesOnly_NotRecognised()
    {
        var result = await Tokens.AuthenticateTokenAsync("s3cret", ["vault"], CancellationToken.None);

        Assert.That(result, Is.SameAs(TokenAuthentication.NotRecognised));
    }

    [Test]
    public async Task AuthenticateToken_UnknownToken_NotRecognised()
    {
        var result = await Tokens.AuthenticateTokenAsync("s3cre", ApiAudiences, CancellationToken.None);

        Assert.That(result.IsAuthenticated, Is.False);
    }
}
