using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MiniKube.Testing;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// Every authenticated request is authorized before it is routed: system:masters may do
/// anything, and a user nothing grants anything to is refused with upstream's 403 Status.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class AuthorizationTests : ApiServerFixture
{
    [Test]
    public void List_UserWithoutGrants_Gets403WithUpstreamsMessage()
    {
        using var jane = TestIdentities.Client(Server, "jane", "dev");

        var error = Assert.ThrowsAsync<HttpOperationException>(() => jane.CoreV1.ListNamespacedPodAsync("default"));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(error.Response.Content, Does.Contain("\"reason\":\"Forbidden\""));
        Assert.That(error.Response.Content, Does.Contain("pods is forbidden: User \\\"jane\\\" cannot list resource \\\"pods\\\" in API group \\\"\\\" in the namespace \\\"default\\\""));
    }

    [Test]
    public async Task Create_UserWithoutGrants_StoresNothing()
    {
        using var jane = TestIdentities.Client(Server, "jane");

        Assert.ThrowsAsync<HttpOperationException>(() => jane.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "janes" } }));

        var names = (await Client.CoreV1.ListNamespaceAsync()).Items.Select(n => n.Metadata.Name);
        Assert.That(names, Does.Not.Contain("janes"));
    }

    [Test]
    public async Task List_CertificateInSystemMasters_Allowed()
    {
        using var root = TestIdentities.Client(Server, "root", "system:masters");

        var pods = await root.CoreV1.ListNamespacedPodAsync("default");

        Assert.That(pods.Items, Is.Empty);
    }
}
