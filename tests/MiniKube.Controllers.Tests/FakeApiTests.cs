using MiniKube.Testing;
using k8s;
using k8s.Models;

namespace MiniKube.Controllers.Tests;

public sealed class FakeApiTests
{
    [Test]
    public async Task Create_IsRecordedWithItsBody()
    {
        using var api = new FakeApi();

        await api.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a" } }, "ns1");

        Assert.That(api.Writes, Has.Count.EqualTo(1));
        Assert.That(api.Writes[0].ToString(), Is.EqualTo("POST /api/v1/namespaces/ns1/configmaps"));
        Assert.That(api.Writes[0].Body, Does.Contain("\"name\":\"a\""));
    }
}
