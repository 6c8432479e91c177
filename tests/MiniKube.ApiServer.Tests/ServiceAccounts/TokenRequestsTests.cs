using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Tests.ServiceAccounts;

public sealed class TokenRequestsTests : ServiceAccountFixture
{
    [SetUp]
    public Task Start() => StartRegistryAsync();

    [Test]
    public async Task Create_NothingAsked_ApiAudiencesAnHourAndUpstreamsClaims()
    {
        var account = await CreateAccountAsync("robot");

        var reply = await Tokens.CreateAsync("default", "robot", Request(), CancellationToken.None);

        Assert.That(reply["spec"]!["audiences"]!.ToJsonString(), Is.EqualTo("[\"https://kubernetes.default.svc.cluster.local\"]"));
        Assert.That(reply["spec"]!["expirationSeconds"]!.GetValue<long>(), Is.EqualTo(3600));
        Assert.That(reply["status"]!["expirationTimestamp"]!.GetValue<string>(), Is.EqualTo("2026-12-06T11:00:00Z"));
        Assert.That(reply["metadata"]!["name"]!.GetValue<string>(), Is.EqualTo("robot"));
        var claims = Claims(reply);
        Assert.That(claims["iss"]!.GetValue<string>(), Is.EqualTo("https://kubernetes.default.svc.cluster.local"));
        Assert.That(claims["sub"]!.GetValue<string>(), Is.EqualTo("system:serviceaccount:default:robot"));
        Assert.That(claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>(), Is.EqualTo(3600));
        Assert.That(claims["nbf"]!.GetValue<long>(), Is.EqualTo(claims["iat"]!.GetValue<long>()));
        Assert.That(Guid.TryParse(claims["jti"]!.GetValue<string>(), out _), Is.True);
        Assert.That(claims["kubernetes.io"]!.ToJsonString(), Is.EqualTo(
            $"{{\"namespace\":\"default\",\"serviceaccount\":{{\"name\":\"robot\",\"uid\":\"{account["metadata"]!["uid"]}\"}}}}"));
    }

    [Test]
    public async Task Create_ShorterThanTenMinutes_422WithUpstreamsText()
    {
        await CreateAccountAsync("robot");

        var refused = Assert.ThrowsAsync<ApiException>(() => Tokens.CreateAsync("default", "robot", Request(60), CancellationToken.None));

        Assert.That(refused!.Code, Is.EqualTo(422));
        Assert.That(refused.Message, Is.EqualTo(
            "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"));
    }

    [Test]
    public void Create_MissingAccount_404()
    {
        var refused = Assert.ThrowsAsync<ApiException>(() => Tokens.CreateAsync("default", "nobody", Request(), CancellationToken.None));

        Assert.That(refused!.Code, Is.EqualTo(404));
        Assert.That(refused.Message, Is.EqualTo("serviceaccounts \"nobody\" not found"));
    }

    [Test]
    public async Task Create_BoundToAPodOfAnotherAccount_400()
    {
        await CreateAccountAsync("robot");
        await CreatePodAsync("web", "default");

        var refused = Assert.ThrowsAsync<ApiException>(() => Tokens.CreateAsync("default", "robot", Request(boundObjectRef: BoundTo("Pod", "web")), CancellationToken.None));

        Assert.That(refused!.Code, Is.EqualTo(400));
        Assert.That(refused.Message, Is.EqualTo("cannot bind token for serviceaccount \"robot\" to pod running with serviceaccount \"default\""));
    }

    [Test]
    public async Task Create_BoundObjectMissingOrOfAnotherUid_404Or409()
    {
        await CreateAccountAsync("robot");
        await CreatePodAsync("web", "robot");

        var missing = Assert.ThrowsAsync<ApiException>(() => Tokens.CreateAsync("default", "robot", Request(boundObjectRef: BoundTo("Pod", "gone")), CancellationToken.None));
        var otherUid = Assert.ThrowsAsync<ApiException>(() => Tokens.CreateAsync("default", "robot", Request(boundObjectRef: BoundTo("Pod", "web", "1234")), CancellationToken.None));
        var badKind = Assert.ThrowsAsync<ApiException>(() => Tokens.CreateAsync("default", "robot", Request(boundObjectRef: BoundTo("ConfigMap", "x")), CancellationToken.None));

        Assert.That(missing!.Code, Is.EqualTo(404));
        Assert.That(otherUid!.Code, Is.EqualTo(409));
        Assert.That(otherUid.Message, Is.EqualTo(
            "Operation cannot be fulfilled on Pod \"web\": the UID in the bound object reference (1234) does not match the UID in record. The object might have been deleted and then recreated"));
        Assert.That(badKind!.Code, Is.EqualTo(400));
        Assert.That(badKind.Message, Is.EqualTo("cannot bind token to object of type /v1, Kind=ConfigMap"));
    }

    [Test]
    public async Task Create_BoundToItsPod_ClaimsNameThePod()
    {
        await CreateAccountAsync("robot");
        var pod = await CreatePodAsync("web", "robot");

        var reply = await Tokens.CreateAsync("default", "robot", Request(boundObjectRef: BoundTo("Pod", "web")), CancellationToken.None);

        Assert.That(Claims(reply)["kubernetes.io"]!["pod"]!.ToJsonString(), Is.EqualTo($"{{\"name\":\"web\",\"uid\":\"{pod["metadata"]!["uid"]}\"}}"));
        Assert.That(reply["spec"]!["boundObjectRef"]!["name"]!.GetValue<string>(), Is.EqualTo("web"));
    }

    [Test]
    public async Task Create_KubeletsPodBoundRequest_LivesAYearWithAWarnAfter()
    {
        await CreateAccountAsync("robot");
        await CreatePodAsync("web", "robot");

        var reply = await Tokens.CreateAsync("default", "robot", Request(3607, BoundTo("Pod", "web")), CancellationToken.None);

        var claims = Claims(reply);
        Assert.That(claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>(), Is.EqualTo(365L * 24 * 3600));
        Assert.That(claims["kubernetes.io"]!["warnafter"]!.GetValue<long>() - claims["iat"]!.GetValue<long>(), Is.EqualTo(3607));
        Assert.That(reply["status"]!["expirationTimestamp"]!.GetValue<string>(), Is.EqualTo("2026-12-06T11:00:07Z"));
    }

    [Test]
    public async Task Create_NameInTheBodyDiffers_422()
    {
        await CreateAccountAsync("robot");
        var request = Request();
        request["metadata"] = new JsonObject { ["name"] = "other" };

        var refused = Assert.ThrowsAsync<ApiException>(() => Tokens.CreateAsync("default", "robot", request, CancellationToken.None));

        Assert.That(refused!.Code, Is.EqualTo(422));
        Assert.That(refused.Message, Does.EndWith("metadata.name: Invalid value: \"other\": must match the service account name if specified"));
    }

    private static JsonObject Claims(JsonObject reply)
    {
        var token = reply["status"]!["token"]!.GetValue<string>();
        return JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Split('.')[1])))!.AsObject();
    }
}
