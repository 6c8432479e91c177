using System.Net;
using MiniKube.Addons.Dashboard;
using MiniKube.ApiServer.Http;
using MiniKube.Testing;

namespace MiniKube.Addons.Tests.Dashboard;

/// <summary>The dashboard's site inside a real API server: public, beside an API that stays authenticated.</summary>
[TestFixture]
[Category("Integration")]
public sealed class DashboardServingTests
{
    private TestApiServer _server = null!;
    private HttpClient _anonymous = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestApiServer.StartAsync(extras: new TestApiServerExtras(Sites: [new PublicSite(DashboardSite.PathPrefix, new DashboardSite().HandleAsync)]));
        _anonymous = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator }) { BaseAddress = _server.Server.Address };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _anonymous.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }

    [Test]
    public async Task Dashboard_WithoutCredentials_IsServed()
    {
        using var page = await _anonymous.GetAsync(new Uri("/dashboard/", UriKind.Relative));
        using var script = await _anonymous.GetAsync(new Uri("/dashboard/api.js", UriKind.Relative));

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Is.EqualTo(DashboardSite.ContentSecurityPolicy));
        Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(script.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/javascript"));
    }

    [TestCase("/api/v1/namespaces/default/secrets")]
    [TestCase("/apis")]
    [TestCase("/dashboards/")]
    [TestCase("/dashboardx")]
    public async Task OtherPaths_WithoutCredentials_StayUnauthorized(string path)
    {
        using var response = await _anonymous.GetAsync(new Uri(path, UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Api_WithCredentials_IsUnchanged()
    {
        using var client = _server.Client();

        var namespaces = await k8s.CoreV1OperationsExtensions.ListNamespaceAsync(client);

        Assert.That(namespaces.Items.Select(n => n.Metadata.Name), Does.Contain("default"));
    }
}
