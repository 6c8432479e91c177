using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MiniKube.Controllers.ServiceAccount;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.ServiceAccount;

[Category("Integration")]
public sealed class TokensControllerTests
{
    [Test]
    public async Task TokenSecret_IsFilled_TokenAuthenticates_AccountDeletedTakesTheSecret()
    {
        await using var harness = await ClusterHarness.StartAsync("serviceaccount-token", "root-ca-cert-publisher");
        var client = harness.Client;
        var ns = TestObjects.Namespace;
        var account = await client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns);
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "robot-token", Annotations = new Dictionary<string, string> { [TokensController.NameAnnotation] = "robot" } },
            Type = TokensController.SecretType,
        }, ns);
        Task<V1Secret> Read() => client.CoreV1.ReadNamespacedSecretAsync("robot-token", ns);

        var filled = await harness.EventuallyAsync(Read, s => s?.Data?.ContainsKey("token") == true, "the token filled in");

        Assert.That(Encoding.UTF8.GetString(filled.Data["namespace"]), Is.EqualTo(ns));
        Assert.That(Encoding.UTF8.GetString(filled.Data["ca.crt"]), Does.StartWith("-----BEGIN CERTIFICATE-----"));
        Assert.That(filled.Metadata.Annotations[TokensController.UidAnnotation], Is.EqualTo(account.Metadata.Uid));
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(harness.KubeconfigPath);
        config.ClientCertificateData = config.ClientCertificateKeyData = config.ClientCertificateFilePath = config.ClientKeyFilePath = null;
        config.AccessToken = Encoding.UTF8.GetString(filled.Data["token"]);
        using var robot = new Kubernetes(config);
        var refused = Assert.ThrowsAsync<HttpOperationException>(() => robot.CoreV1.ListNamespacedPodAsync(ns));
        Assert.That(refused!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(refused.Response.Content, Does.Contain($"system:serviceaccount:{ns}:robot"));

        await client.CoreV1.DeleteNamespacedServiceAccountAsync("robot", ns);
        await harness.EventuallyGoneAsync(async () => await Read(), "the token Secret");
    }
}
