namespace MiniKube.Api.Tests;

[TestFixture]
public sealed class PortForwardPortsTests
{
    [Test]
    public void Parse_RepeatedAndCommaSeparated_KeepsTheOrder() =>
        Assert.That(PortForwardPorts.Parse(["80", "8080,443"], "port"), Is.EqualTo(new[] { 80, 8080, 443 }));

    [TestCase("0", "port \"0\" must be > 0")]
    [TestCase("65536", "unable to parse \"65536\" as a port")]
    [TestCase("http", "unable to parse \"http\" as a port")]
    [TestCase("-1", "unable to parse \"-1\" as a port")]
    public void Parse_BadPort_SaysWhyAsUpstream(string value, string message) =>
        Assert.That(() => PortForwardPorts.Parse([value], "port"), Throws.TypeOf<FormatException>().With.Message.EqualTo(message));

    [Test]
    public void Parse_NoneOrEmpty_IsRefused()
    {
        Assert.That(() => PortForwardPorts.Parse([], "ports"), Throws.TypeOf<FormatException>().With.Message.EqualTo("query parameter \"ports\" is required"));
        Assert.That(() => PortForwardPorts.Parse([""], "port"), Throws.TypeOf<FormatException>().With.Message.EqualTo("query parameter \"port\" cannot be empty"));
    }
}
