using System.Text;
using System.Text.Json.Nodes;
using MiniKube.ApiServer.Webhooks;

namespace MiniKube.ApiServer.Tests.Webhooks;

/// <summary>A clientConfig read into where a webhook is called.</summary>
public sealed class WebhookTargetTests
{
    [Test]
    public void FromClientConfig_Service_UrlIsTheServicesDnsName()
    {
        var target = WebhookTarget.FromClientConfig(JsonNode.Parse("""{"service":{"namespace":"ns","name":"hook","port":8443,"path":"/mutate"},"caBundle":"UEVN"}""")!.AsObject());

        Assert.That(target.Url.OriginalString, Is.EqualTo("https://hook.ns.svc:8443/mutate"));
        Assert.That(target.Service, Is.EqualTo(new WebhookService("ns", "hook", 8443)));
        Assert.That(Encoding.ASCII.GetString(target.CaBundle!), Is.EqualTo("PEM"));
    }

    [Test]
    public void FromClientConfig_ServiceWithoutPathOrPort_RootOn443()
    {
        var target = WebhookTarget.FromClientConfig(JsonNode.Parse("""{"service":{"namespace":"ns","name":"hook"}}""")!.AsObject());

        Assert.That(target.Url.OriginalString, Is.EqualTo("https://hook.ns.svc:443/"));
        Assert.That(target.CaBundle, Is.Null);
    }

    [Test]
    public void FromClientConfig_Url_KeptAsWritten()
    {
        var target = WebhookTarget.FromClientConfig(JsonNode.Parse("""{"url":"https://10.0.0.1:9443/validate"}""")!.AsObject());

        Assert.That(target.Url.OriginalString, Is.EqualTo("https://10.0.0.1:9443/validate"));
        Assert.That(target.Service, Is.Null);
    }

    [Test]
    public void FromClientConfig_Neither_FormatException()
    {
        Assert.Throws<FormatException>(() => WebhookTarget.FromClientConfig(new JsonObject()));
    }
}
