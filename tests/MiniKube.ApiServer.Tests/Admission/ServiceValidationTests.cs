using System.Text.Json.Nodes;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.Admission;

/// <summary>Service checks of pkg/apis/core/validation ValidateService for the load-balancer fields: source ranges (field and annotation) and the health-check node port.</summary>
[TestFixture]
public sealed class ServiceValidationTests
{
    private static List<string> Create(string metadataExtra, string specExtra, string type = "LoadBalancer")
    {
        var service = ResourceCatalog.FindKind("", "Service")!;
        var obj = (JsonObject)JsonNode.Parse($$$"""{"metadata":{"name":"web","namespace":"default"{{{metadataExtra}}}},"spec":{"type":"{{{type}}}","ports":[{"port":80}]{{{specExtra}}}}}""")!;
        service.Strategy.ApplyDefaults(obj);
        service.Strategy.PrepareForCreate(obj);
        return [.. service.Strategy.Validate(obj, service.Namespaced).Select(e => e.Message)];
    }

    [Test]
    public void Validate_SourceRanges_TrimmedCidrsPass() =>
        Assert.That(Create("", ",\"loadBalancerSourceRanges\":[\" 10.0.0.0/8 \",\"192.0.2.7/24\",\"2001:db8::/64\"]"), Is.Empty);

    [Test]
    public void Validate_SourceRanges_OnClusterIp_AreForbidden() =>
        Assert.That(Create("", ",\"loadBalancerSourceRanges\":[\"10.0.0.0/8\"]", type: "ClusterIP"),
            Is.EqualTo(new[] { "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'" }));

    [Test]
    public void Validate_SourceRanges_BadEntry_IsInvalid() =>
        Assert.That(Create("", ",\"loadBalancerSourceRanges\":[\"10.0.0.0/33\",\"10.0.0.1\"]"), Is.EqualTo(new[]
        {
            "spec.LoadBalancerSourceRanges[0]: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            "spec.LoadBalancerSourceRanges[1]: Invalid value: \"10.0.0.1\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
        }));

    [Test]
    public void Validate_SourceRangesAnnotation_IsCheckedWhenTheFieldIsEmpty() =>
        Assert.That(Create(",\"annotations\":{\"service.beta.kubernetes.io/load-balancer-source-ranges\":\"10.0.0.0/8, foo\"}", ""), Is.EqualTo(new[]
        {
            "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Invalid value: \"foo\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
        }));

    [Test]
    public void Validate_SourceRangesAnnotation_IsIgnoredBesideTheField() =>
        Assert.That(Create(",\"annotations\":{\"service.beta.kubernetes.io/load-balancer-source-ranges\":\"foo\"}", ",\"loadBalancerSourceRanges\":[\"10.0.0.0/8\"]"), Is.Empty);

    [Test]
    public void Validate_SourceRangesAnnotation_OnNodePort_IsForbidden() =>
        Assert.That(Create(",\"annotations\":{\"service.beta.kubernetes.io/load-balancer-source-ranges\":\"10.0.0.0/8\"}", "", type: "NodePort"),
            Is.EqualTo(new[] { "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Forbidden: may only be used when `type` is 'LoadBalancer'" }));

    [Test]
    public void Validate_HealthCheckNodePort_WithClusterPolicy_IsInvalid() =>
        Assert.That(Create("", ",\"healthCheckNodePort\":31000"),
            Is.EqualTo(new[] { "spec.healthCheckNodePort: Invalid value: 31000: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'" }));

    [Test]
    public void Validate_HealthCheckNodePort_OutOfPortRange_IsInvalid() =>
        Assert.That(Create("", ",\"externalTrafficPolicy\":\"Local\",\"healthCheckNodePort\":70000"),
            Is.EqualTo(new[] { "spec.healthCheckNodePort: Invalid value: 70000: must be between 1 and 65535, inclusive" }));
}
