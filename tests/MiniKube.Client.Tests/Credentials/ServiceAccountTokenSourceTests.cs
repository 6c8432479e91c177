using Microsoft.Extensions.Time.Testing;
using MiniKube.Client.Credentials;

namespace MiniKube.Client.Tests.Credentials;

/// <summary>The controller manager's per-controller tokens, against a recording fake API and a fake clock.</summary>
[TestFixture]
[TestOf(typeof(ServiceAccountTokenSource))]
public sealed class ServiceAccountTokenSourceTests
{
    private const string AccountPath = "/api/v1/namespaces/kube-system/serviceaccounts/replicaset-controller";

    private FakeTimeProvider _time = null!;
    private MiniKube.Testing.FakeApi _api = null!;
    private ServiceAccountTokenSource _source = null!;
    private int _issued;
    private bool _accountExists;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        _api = new MiniKube.Testing.FakeApi { Respond = Respond };
        _source = new ServiceAccountTokenSource(_api.Client, "kube-system", "replicaset-controller", _time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        _issued = 0;
        _accountExists = false;
    }

    [TearDown]
    public void TearDown()
    {
        _source.Dispose();
        _api.Dispose();
    }

    [Test]
    public async Task TokenAsync_AccountMissing_CreatesItThenRequestsAnHourToken()
    {
        var token = await _source.TokenAsync(CancellationToken.None);

        Assert.That(token, Is.EqualTo("token-1"));
        Assert.That(_api.Calls.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            "GET " + AccountPath,
            "POST /api/v1/namespaces/kube-system/serviceaccounts",
            "POST " + AccountPath + "/token",
        }));
        var request = k8s.KubernetesJson.Deserialize<k8s.Models.Authenticationv1TokenRequest>(_api.Calls[2].Body!);
        Assert.That(request.Spec.ExpirationSeconds, Is.EqualTo(3600));
        Assert.That(request.Spec.BoundObjectRef, Is.Null);
    }

    [Test]
    public async Task TokenAsync_AccountExists_OnlyRequestsTheToken()
    {
        _accountExists = true;

        await _source.TokenAsync(CancellationToken.None);

        Assert.That(_api.Writes.Select(c => c.ToString()), Is.EqualTo(new[] { "POST " + AccountPath + "/token" }));
    }

    [Test]
    public async Task TokenAsync_Across80PercentOfTheLifetime_KeptUntilThenRequestedAgain()
    {
        var first = await _source.TokenAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(47));
        var kept = await _source.TokenAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        var renewed = await _source.TokenAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(47));
        var renewedKept = await _source.TokenAsync(CancellationToken.None);

        Assert.That(new[] { first, kept, renewed, renewedKept }, Is.EqualTo(new[] { "token-1", "token-1", "token-2", "token-2" }),
            "48 minutes into an hour's token a new one is asked for, whose own lifetime counts from its issue");
        Assert.That(_issued, Is.EqualTo(2));
    }

    [Test]
    public async Task Reset_AfterARefusal_NextRequestGetsANewToken()
    {
        await _source.TokenAsync(CancellationToken.None);

        _source.Reset();

        Assert.That(await _source.TokenAsync(CancellationToken.None), Is.EqualTo("token-2"));
    }

    [Test]
    public async Task GetAuthenticationHeaderAsync_ConcurrentRequests_ShareOneTokenRequest()
    {
        _accountExists = true;

        var headers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _source.GetAuthenticationHeaderAsync(CancellationToken.None)));

        Assert.That(headers.Select(h => $"{h.Scheme} {h.Parameter}"), Is.All.EqualTo("Bearer token-1"));
        Assert.That(_issued, Is.EqualTo(1));
    }

    [Test]
    public void UserName_IsTheServiceAccountUser() =>
        Assert.That(_source.UserName, Is.EqualTo("system:serviceaccount:kube-system:replicaset-controller"));

    private (System.Net.HttpStatusCode, string) Respond(MiniKube.Testing.ApiCall call)
    {
        if (call.Method == "GET" && call.Path == AccountPath && _accountExists)
        {
            return (System.Net.HttpStatusCode.OK, """{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"replicaset-controller","namespace":"kube-system"}}""");
        }
        if (call.Method == "POST" && call.Path == AccountPath + "/token")
        {
            var n = Interlocked.Increment(ref _issued);
            var expires = _time.GetUtcNow().AddSeconds(3600).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            return (System.Net.HttpStatusCode.Created, $$$"""{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","spec":{"audiences":["https://kubernetes.default.svc.cluster.local"],"expirationSeconds":3600},"status":{"token":"token-{{{n}}}","expirationTimestamp":"{{{expires}}}"}}""");
        }
        return call.Method switch
        {
            "GET" => (System.Net.HttpStatusCode.NotFound, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"""),
            _ => (System.Net.HttpStatusCode.Created, call.Body ?? "{}"),
        };
    }
}
