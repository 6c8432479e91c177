using MiniKube.ApiServer.Aggregation;

namespace MiniKube.ApiServer.Tests.Aggregation;

/// <summary>The request-header identity the aggregator sends extension servers (client-go SetAuthProxyHeaders).</summary>
public sealed class FrontProxyHeadersTests
{
    [Test]
    public void Set_ReplacesClientIdentityAndCredentials_WithTheCallers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://s.n.svc/apis/x/v1");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer secret");
        request.Headers.TryAddWithoutValidation("X-Remote-User", "mallory");
        request.Headers.TryAddWithoutValidation("x-remote-extra-scopes", "all");
        request.Headers.TryAddWithoutValidation("Impersonate-User", "root");
        request.Headers.TryAddWithoutValidation("Accept", "application/json");

        FrontProxyHeaders.Set(request, "alice", ["devs", "system:authenticated"], new Dictionary<string, IReadOnlyList<string>> { ["scopes"] = ["read", "write"] });

        Assert.That(request.Headers.Contains("Authorization"), Is.False);
        Assert.That(request.Headers.Contains("Impersonate-User"), Is.False);
        Assert.That(request.Headers.GetValues("X-Remote-User"), Is.EqualTo(new[] { "alice" }));
        Assert.That(request.Headers.GetValues("X-Remote-Group"), Is.EqualTo(new[] { "devs", "system:authenticated" }));
        Assert.That(request.Headers.GetValues("X-Remote-Extra-scopes"), Is.EqualTo(new[] { "read", "write" }));
        Assert.That(request.Headers.GetValues("Accept"), Is.EqualTo(new[] { "application/json" }));
    }

    [TestCase("scopes", "scopes")]
    [TestCase("example.org/foo", "example.org%2Ffoo")]
    [TestCase("100%", "100%25")]
    [TestCase("a b", "a%20b")]
    [TestCase("ünï", "%C3%BCn%C3%AF")]
    public void EscapeExtraKey_NonTokenBytesAndPercent_ArePercentEncoded(string key, string expected)
    {
        Assert.That(FrontProxyHeaders.EscapeExtraKey(key), Is.EqualTo(expected));
    }
}
