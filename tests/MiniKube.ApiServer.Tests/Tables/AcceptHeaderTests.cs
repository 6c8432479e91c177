using MiniKube.ApiServer.Tables;

namespace MiniKube.ApiServer.Tests.Tables;

public class AcceptHeaderTests
{
    private const string KubectlGet = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    private const string KubectlDiscovery = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    [Test]
    public void TableVersion_KubectlGet_IsV1()
    {
        Assert.That(AcceptHeader.TableVersion(KubectlGet), Is.EqualTo("v1"));
        Assert.That(AcceptHeader.AggregatedDiscoveryVersion(KubectlGet), Is.Null);
    }

    [TestCase("application/json;as=Table;v=v1beta1;g=meta.k8s.io", "v1beta1")]
    [TestCase("application/json; as=Table; g=meta.k8s.io; v=v1", "v1")]
    [TestCase("application/json;as=Table;v=v2;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io", "v1beta1")]
    [TestCase("application/json;as=Table;v=v1;g=other.io,application/json", null)]
    [TestCase("application/json,application/json;as=Table;v=v1;g=meta.k8s.io", null)]
    [TestCase("application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io", "v1")]
    [TestCase("application/vnd.kubernetes.protobuf,application/json", null)]
    [TestCase("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json", null)]
    [TestCase("*/*", null)]
    [TestCase("", null)]
    [TestCase(null, null)]
    public void TableVersion_Variants(string? header, string? expected)
    {
        Assert.That(AcceptHeader.TableVersion(header), Is.EqualTo(expected));
    }

    [Test]
    public void AggregatedDiscoveryVersion_KubectlDiscovery_IsV2()
    {
        Assert.That(AcceptHeader.AggregatedDiscoveryVersion(KubectlDiscovery), Is.EqualTo("v2"));
        Assert.That(AcceptHeader.TableVersion(KubectlDiscovery), Is.Null);
        Assert.That(
            AcceptHeader.AggregatedDiscoveryVersion("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"),
            Is.EqualTo("v2beta1"));
        Assert.That(AcceptHeader.AggregatedDiscoveryVersion("application/json, */*"), Is.Null);
    }

    [Test]
    public void Parse_OrdersByQualityAndKeepsParameters()
    {
        var ranges = AcceptHeader.Parse("text/plain;q=0.2, application/json;as=Table;g=meta.k8s.io;v=v1, application/yaml;q=0");

        Assert.That(ranges.Select(r => r.Type + "/" + r.SubType), Is.EqualTo(new[] { "application/json", "text/plain" }));
        Assert.That(ranges[0].Parameter("as"), Is.EqualTo("Table"));
        Assert.That(ranges[1].Quality, Is.EqualTo(0.2));
    }
}
