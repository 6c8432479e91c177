using System.Text.Json.Nodes;
using MiniKube.ApiServer.Http;

namespace MiniKube.ApiServer.Tests.Http;

public sealed class AgentConfigTests
{
    private static readonly AgentConfig Base = new("10.42.0.0/16", "10.43.0.0/16", "10.43.0.10", "cluster.local");

    [Test]
    public void ToJson_IngressOn_RoundTripsItsPorts()
    {
        var config = Base with { Ingress = new IngressPorts(80, 443) };

        var json = config.ToJson();

        Assert.That(json["ingress"]!["httpPort"]!.GetValue<int>(), Is.EqualTo(80));
        Assert.That(AgentConfig.FromJson(json), Is.EqualTo(config));
    }

    [Test]
    public void ToJson_IngressOff_SendsNoIngress()
    {
        var json = Base.ToJson();

        Assert.That(json.ContainsKey("ingress"), Is.False);
        Assert.That(AgentConfig.FromJson(json)!.Ingress, Is.Null);
    }

    [TestCase("""{"httpPort":80}""")]
    [TestCase("""{"httpPort":80,"httpsPort":70000}""")]
    [TestCase("""{"httpPort":"80","httpsPort":443}""")]
    [TestCase("""true""")]
    public void FromJson_IngressNotTwoPorts_Unreadable(string ingress)
    {
        var json = Base.ToJson();
        json["ingress"] = JsonNode.Parse(ingress);

        Assert.That(AgentConfig.FromJson(json), Is.Null);
    }

    [Test]
    public void FromJson_PortZero_IsAnyFreePort()
    {
        var json = (Base with { Ingress = new IngressPorts(0, 0) }).ToJson();

        Assert.That(AgentConfig.FromJson(json)!.Ingress, Is.EqualTo(new IngressPorts(0, 0)));
    }
}
