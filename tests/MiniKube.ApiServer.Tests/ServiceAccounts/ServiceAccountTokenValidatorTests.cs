using System.Text;
using System.Text.Json.Nodes;
using MiniKube.ApiServer.ServiceAccounts;

namespace MiniKube.ApiServer.Tests.ServiceAccounts;

public sealed class ServiceAccountTokenValidatorTests : ServiceAccountFixture
{
    [SetUp]
    public Task Start() => StartRegistryAsync();

    [Test]
    public async Task Validate_FreshToken_TheAccountWithItsUidAndTokenId()
    {
        var account = await CreateAccountAsync("robot");
        var token = await TokenAsync("robot");

        var identity = await Validator.ValidateAsync(token, null, CancellationToken.None);

        Assert.That(identity, Is.Not.Null);
        Assert.That((identity!.Namespace, identity.Name, identity.Uid), Is.EqualTo(("default", "robot", account["metadata"]!["uid"]!.GetValue<string>())));
        Assert.That(identity.CredentialId, Does.StartWith("JTI="));
        Assert.That(identity.Audiences, Is.EqualTo(new[] { "https://kubernetes.default.svc.cluster.local" }));
    }

    [Test]
    public async Task Validate_WrongAudience_Null_RightOne_Accepted()
    {
        await CreateAccountAsync("robot");
        var token = await TokenAsync("robot", Request(audiences: ["vault"]));

        Assert.That(await Validator.ValidateAsync(token, null, CancellationToken.None), Is.Null);
        Assert.That((await Validator.ValidateAsync(token, ["vault", "other"], CancellationToken.None))?.Audiences, Is.EqualTo(new[] { "vault" }));
    }

    [Test]
    public async Task Validate_Expiry_HonoursAMinuteOfLeeway()
    {
        await CreateAccountAsync("robot");
        var token = await TokenAsync("robot", Request(600));

        Time.Advance(TimeSpan.FromSeconds(600 + 59));
        var withinLeeway = await Validator.ValidateAsync(token, null, CancellationToken.None);
        Time.Advance(TimeSpan.FromSeconds(2));
        var expired = await Validator.ValidateAsync(token, null, CancellationToken.None);

        Assert.That(withinLeeway, Is.Not.Null);
        Assert.That(expired, Is.Null);
    }

    [Test]
    public async Task Validate_NotBeforeInTheFuture_RefusedBeyondTheLeeway()
    {
        var account = await CreateAccountAsync("robot");
        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        string Token(long notBefore) => Tokens.Sign(new TokenClaims
        {
            Issuer = Options.Issuer,
            Namespace = "default",
            ServiceAccount = new ObjectRef("robot", account["metadata"]!["uid"]!.GetValue<string>()),
            Audiences = Options.Audiences,
            IssuedAt = now,
            NotBefore = notBefore,
            Expiry = now + 3600,
        });

        Assert.That(await Validator.ValidateAsync(Token(now + 30), null, CancellationToken.None), Is.Not.Null);
        Assert.That(await Validator.ValidateAsync(Token(now + 120), null, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Validate_AnotherIssuerOrTamperedToken_Null()
    {
        await CreateAccountAsync("robot");
        var token = await TokenAsync("robot");
        var other = new ServiceAccountTokenValidator(Keys, new ServiceAccountOptions { Issuer = "https://elsewhere", ApiAudiences = Options.Audiences }, new MiniKube.ApiServer.AdmissionPlugins.CachedReads(Store, null), Time);

        Assert.That(await other.ValidateAsync(token, null, CancellationToken.None), Is.Null);
        var at = token.Length - 10;
        var tampered = token[..at] + (token[at] == 'A' ? 'B' : 'A') + token[(at + 1)..];
        Assert.That(await Validator.ValidateAsync(tampered, null, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Validate_BoundPodDeleted_Null()
    {
        await CreateAccountAsync("robot");
        await CreatePodAsync("web", "robot");
        var token = await TokenAsync("robot", Request(boundObjectRef: BoundTo("Pod", "web")));
        var before = await Validator.ValidateAsync(token, null, CancellationToken.None);

        await DeleteAsync(Pods, "web");

        Assert.That(before?.PodName, Is.EqualTo("web"));
        Assert.That(await Validator.ValidateAsync(token, null, CancellationToken.None), Is.Null);
    }

    // One validator serves every request, and it remembers verified signatures: what a token is
    // bound to, and its expiry, must still be checked on each use.
    [Test]
    public async Task Validate_RememberedToken_FailsOnceItsPodIsGone()
    {
        var validator = Validator;
        await CreateAccountAsync("robot");
        await CreatePodAsync("web", "robot");
        var token = await TokenAsync("robot", Request(boundObjectRef: BoundTo("Pod", "web")));
        var first = await validator.ValidateAsync(token, null, CancellationToken.None);
        var again = await validator.ValidateAsync(token, null, CancellationToken.None);

        await DeleteAsync(Pods, "web");

        Assert.That((first?.PodName, again?.PodName), Is.EqualTo(("web", "web")));
        Assert.That(await validator.ValidateAsync(token, null, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Validate_RememberedToken_ExpiresAndKeepsItsAudiences()
    {
        var validator = Validator;
        await CreateAccountAsync("robot");
        var token = await TokenAsync("robot", Request(600));
        var fresh = await validator.ValidateAsync(token, null, CancellationToken.None);

        var otherAudience = await validator.ValidateAsync(token, ["vault"], CancellationToken.None);
        Time.Advance(TimeSpan.FromSeconds(600 + 61));

        Assert.That(fresh, Is.Not.Null);
        Assert.That(otherAudience, Is.Null);
        Assert.That(await validator.ValidateAsync(token, null, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Validate_TamperedCopyOfARememberedToken_Null()
    {
        var validator = Validator;
        await CreateAccountAsync("robot");
        var token = await TokenAsync("robot");
        Assert.That(await validator.ValidateAsync(token, null, CancellationToken.None), Is.Not.Null);

        var at = token.Length - 10;
        var tampered = token[..at] + (token[at] == 'A' ? 'B' : 'A') + token[(at + 1)..];

        Assert.That(await validator.ValidateAsync(tampered, null, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Validate_AccountRecreatedWithAnotherUid_Null()
    {
        await CreateAccountAsync("robot");
        var token = await TokenAsync("robot");

        await DeleteAsync(ServiceAccounts, "robot");
        await CreateAccountAsync("robot");

        Assert.That(await Validator.ValidateAsync(token, null, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Validate_LegacySecretToken_ValidWhileItsSecretHoldsIt()
    {
        var account = await CreateAccountAsync("robot");
        var token = Tokens.Sign(new TokenClaims
        {
            Issuer = TokenClaims.LegacyIssuer,
            IsLegacy = true,
            Namespace = "default",
            ServiceAccount = new ObjectRef("robot", account["metadata"]!["uid"]!.GetValue<string>()),
            Secret = new ObjectRef("robot-token", ""),
        });
        await Registry.CreateAsync(Secrets, "default", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "robot-token", ["annotations"] = new JsonObject { ["kubernetes.io/service-account.name"] = "robot" } },
            ["type"] = "kubernetes.io/service-account-token",
            ["data"] = new JsonObject { ["token"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(token)) },
        }, dryRun: false, CancellationToken.None);

        var valid = await Validator.ValidateAsync(token, null, CancellationToken.None);
        await DeleteAsync(Secrets, "robot-token");

        Assert.That(valid?.Name, Is.EqualTo("robot"));
        Assert.That(await Validator.ValidateAsync(token, null, CancellationToken.None), Is.Null);
    }
}
