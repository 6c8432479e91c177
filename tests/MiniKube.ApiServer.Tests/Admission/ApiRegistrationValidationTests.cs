using System.Text.Json.Nodes;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.Admission;

/// <summary>APIService defaults, validation and create/status rules as kube-aggregator v1.32's.</summary>
public sealed class ApiRegistrationValidationTests
{
    private static readonly ResourceType ApiServices = ResourceCatalog.Find("apiregistration.k8s.io", "v1", "apiservices")!;

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private static List<string> Errors(string json)
    {
        var obj = Parse(json);
        ApiServices.Strategy.ApplyDefaults(obj);
        return ApiServices.Strategy.Validate(obj, namespaced: false).Select(e => e.ToString()).ToList();
    }

    [Test]
    public void ApiService_Valid_HasNoErrors()
    {
        var errors = Errors("""{"metadata":{"name":"v1beta1.metrics.k8s.io"},"spec":{"group":"metrics.k8s.io","version":"v1beta1","groupPriorityMinimum":100,"versionPriority":100,"service":{"namespace":"kube-system","name":"metrics-server"},"insecureSkipTLSVerify":true}}""");

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void ApiService_NameNotVersionDotGroup_IsInvalid()
    {
        var errors = Errors("""{"metadata":{"name":"metrics"},"spec":{"group":"metrics.k8s.io","version":"v1beta1","groupPriorityMinimum":100,"versionPriority":100}}""");

        Assert.That(errors, Is.EqualTo(new[] { "metadata.name: Invalid value: \"metrics\": must be `spec.version+\".\"+spec.group`: \"v1beta1.metrics.k8s.io\"" }));
    }

    [Test]
    public void ApiService_BadGroupVersionAndPriorities_AreEachReported()
    {
        var errors = Errors("""{"metadata":{"name":"V1.Bad_Group"},"spec":{"group":"Bad_Group","version":"V1","groupPriorityMinimum":20001,"versionPriority":0}}""");

        Assert.That(errors, Has.Member("spec.group: Invalid value: \"Bad_Group\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        Assert.That(errors, Has.Some.StartsWith("spec.version: Invalid value: \"V1\": a DNS-1035 label must consist of lower case alphanumeric characters"));
        Assert.That(errors, Has.Member("spec.groupPriorityMinimum: Invalid value: 20001: must be positive and less than 20000"));
        Assert.That(errors, Has.Member("spec.versionPriority: Invalid value: 0: must be positive and less than 1000"));
        Assert.That(errors, Has.Count.EqualTo(4));
    }

    [Test]
    public void ApiService_EmptyGroup_OnlyForV1()
    {
        var core = Errors("""{"metadata":{"name":"v1."},"spec":{"version":"v1","groupPriorityMinimum":18000,"versionPriority":1}}""");
        var other = Errors("""{"metadata":{"name":"v2."},"spec":{"version":"v2","groupPriorityMinimum":18000,"versionPriority":1}}""");

        Assert.That(core, Is.Empty);
        Assert.That(other, Is.EqualTo(new[] { "spec.group: Required value: only v1 may have an empty group and it better be legacy kube" }));
    }

    [Test]
    public void ApiService_LocalWithCaBundleOrInsecure_IsInvalid()
    {
        var errors = Errors("""{"metadata":{"name":"v1.x.io"},"spec":{"group":"x.io","version":"v1","groupPriorityMinimum":1,"versionPriority":1,"caBundle":"AAECAw==","insecureSkipTLSVerify":true}}""");

        Assert.That(errors, Is.EqualTo(new[]
        {
            "spec.caBundle: Invalid value: \"4 bytes\": local APIServices may not have a caBundle",
            "spec.insecureSkipTLSVerify: Invalid value: true: local APIServices may not have insecureSkipTLSVerify",
        }));
    }

    [Test]
    public void ApiService_ServiceWithoutNamesAndWithBothTrusts_IsInvalid()
    {
        var errors = Errors("""{"metadata":{"name":"v1.x.io"},"spec":{"group":"x.io","version":"v1","groupPriorityMinimum":1,"versionPriority":1,"service":{},"caBundle":"AAECAw==","insecureSkipTLSVerify":true}}""");

        Assert.That(errors, Is.EqualTo(new[]
        {
            "spec.service.namespace: Required value",
            "spec.service.name: Required value",
            "spec.insecureSkipTLSVerify: Invalid value: true: may not be true if caBundle is present",
        }));
    }

    [Test]
    public void ApiService_ServiceWithoutPort_DefaultsTo443()
    {
        var obj = Parse("""{"spec":{"service":{"namespace":"n","name":"s"}}}""");

        ApiServices.Strategy.ApplyDefaults(obj);

        Assert.That(obj["spec"]!["service"]!["port"]!.GetValue<int>(), Is.EqualTo(443));
    }

    [Test]
    public void Create_LocalApiService_IsAvailableAtOnce_AndServiceBackedStartsWithoutStatus()
    {
        var local = Parse("""{"spec":{"group":"x.io","version":"v1"},"status":{"conditions":[{"type":"Available","status":"False"}]}}""");
        var remote = Parse("""{"spec":{"group":"x.io","version":"v1","service":{"namespace":"n","name":"s"}},"status":{"conditions":[{"type":"Available","status":"True"}]}}""");

        ApiServices.Strategy.PrepareForCreate(local);
        ApiServices.Strategy.PrepareForCreate(remote);

        var condition = local["status"]!["conditions"]![0]!;
        Assert.That((condition["status"]!.GetValue<string>(), condition["reason"]!.GetValue<string>(), condition["message"]!.GetValue<string>()),
            Is.EqualTo(("True", "Local", "Local APIServices are always available")));
        Assert.That(remote.ContainsKey("status"), Is.False);
    }

    [Test]
    public void StatusUpdate_UnknownConditionStatus_IsUnsupported()
    {
        var old = Parse("""{"metadata":{"name":"v1.x.io","resourceVersion":"3"},"spec":{"group":"x.io","version":"v1"}}""");
        var updated = Parse("""{"metadata":{"name":"v1.x.io","resourceVersion":"3"},"spec":{"group":"x.io","version":"v1"},"status":{"conditions":[{"type":"Available","status":"Maybe"}]}}""");

        var errors = ApiServices.Strategy.ValidateStatusUpdate(updated, old).Select(e => e.ToString());

        Assert.That(errors, Is.EqualTo(new[] { "status.conditions[0].status: Unsupported value: \"Maybe\": supported values: \"True\", \"False\", \"Unknown\"" }));
    }
}
