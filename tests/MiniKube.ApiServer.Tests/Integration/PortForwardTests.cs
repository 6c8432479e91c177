using k8s;
using k8s.Models;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// pods/portforward's refusals before any kubelet is dialled (pkg/registry/core/pod/rest and
/// UpgradeAwareHandler); the streams themselves are tested with a kubelet in MiniKube.Agent.Tests.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class PortForwardTests : ApiServerFixture
{
    private const string Path = "/api/v1/namespaces/default/pods/web/portforward";

    [Test]
    public async Task Post_PodWithoutANode_IsABadRequest()
    {
        await CreatePodAsync(nodeName: null);

        var (code, body) = await RawHttp.SendAsync(Client, Server.Server.Address, HttpMethod.Post, Path, null, null);

        Assert.That(code, Is.EqualTo(400), body);
        Assert.That(RawHttp.Json(body)["message"]!.GetValue<string>(), Is.EqualTo("pod web does not have a host assigned"));
    }

    [Test]
    public async Task Post_WithoutAnUpgrade_IsUpgradeRequired()
    {
        await CreatePodAsync(nodeName: "node1");

        var (code, body) = await RawHttp.SendAsync(Client, Server.Server.Address, HttpMethod.Post, Path, null, null);

        Assert.That(code, Is.EqualTo(400), body);
        var status = RawHttp.Json(body);
        Assert.That((status["reason"]!.GetValue<string>(), status["message"]!.GetValue<string>()), Is.EqualTo(("BadRequest", "Upgrade request required")));
    }

    private Task<V1Pod> CreatePodAsync(string? nodeName) => Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
    {
        Metadata = new V1ObjectMeta { Name = "web" },
        Spec = new V1PodSpec { NodeName = nodeName, Containers = [new V1Container { Name = "app", Image = "nginx" }] },
    }, "default");
}
