using k8s;
using k8s.Models;
using MiniKube.Controllers.Certificates;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.Certificates;

[Category("Integration")]
public sealed class RootCaCertPublisherTests
{
    [Test]
    public async Task NewNamespace_GetsTheClusterCa_EditsAndDeletesArePutBack()
    {
        await using var harness = await ClusterHarness.StartControllersAsync(["root-ca-cert-publisher"]);
        var client = harness.Client;
        var ca = File.ReadAllText(Path.Combine(Path.GetDirectoryName(harness.KubeconfigPath)!, "tls", "server-ca.crt"));
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team" } });
        Task<V1ConfigMap> Read() => client.CoreV1.ReadNamespacedConfigMapAsync(RootCaCertPublisher.ConfigMapName, "team");

        var published = await harness.EventuallyAsync(Read, cm => cm is not null, "kube-root-ca.crt in team");
        Assert.That(published.Data, Is.EqualTo(new Dictionary<string, string> { ["ca.crt"] = ca }));
        Assert.That(published.Metadata.Annotations, Contains.Key("kubernetes.io/description"));

        published.Data["ca.crt"] = "tampered";
        published.Data["extra"] = "x";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(published, RootCaCertPublisher.ConfigMapName, "team");
        await harness.EventuallyAsync(Read, cm => cm?.Data is { Count: 1 } data && data["ca.crt"] == ca, "the CA put back");

        await client.CoreV1.DeleteNamespacedConfigMapAsync(RootCaCertPublisher.ConfigMapName, "team");
        await harness.EventuallyAsync(Read, cm => cm is not null, "kube-root-ca.crt recreated");
    }
}
