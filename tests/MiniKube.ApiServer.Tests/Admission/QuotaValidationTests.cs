using System.Text.Json.Nodes;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.Admission;

/// <summary>ResourceQuota and LimitRange validation as ValidateResourceQuota and ValidateLimitRange.</summary>
public sealed class QuotaValidationTests
{
    private static readonly ResourceType Quotas = ResourceCatalog.Find("", "v1", "resourcequotas")!;
    private static readonly ResourceType LimitRanges = ResourceCatalog.Find("", "v1", "limitranges")!;

    private static List<string> Errors(ResourceType type, string spec)
    {
        var obj = JsonNode.Parse($$"""{"metadata":{"name":"x","namespace":"d"},"spec":{{spec}}}""")!.AsObject();
        type.Strategy.ApplyDefaults(obj);
        return [.. type.Strategy.Validate(obj, type.Namespaced).Select(e => e.ToString())];
    }

    [Test]
    public void Quota_StandardAndCountedNames_AreValid() =>
        Assert.That(Errors(Quotas, """{"hard":{"pods":"10","requests.cpu":"1.5","count/deployments.apps":"3","gold.storageclass.storage.k8s.io/requests.storage":"10Gi","requests.nvidia.com/gpu":"2"}}"""), Is.Empty);

    [Test]
    public void Quota_BadNamesAndAmounts_AreInvalid()
    {
        var errors = Errors(Quotas, """{"hard":{"foo":"1","storage":"1Gi","pods":"-1","services":"0.5"}}""");

        Assert.That(errors, Is.EquivalentTo(new[]
        {
            "spec.hard[foo]: Invalid value: \"foo\": must be a standard resource type or fully qualified",
            "spec.hard[storage]: Invalid value: \"storage\": must be a standard resource for quota",
            "spec.hard[pods]: Invalid value: -1: must be greater than or equal to 0",
            "spec.hard[services]: Invalid value: 500m: must be an integer",
        }));
    }

    [Test]
    public void Quota_Scopes_MustFitTheResourcesAndNotConflict()
    {
        var errors = Errors(Quotas, """{"hard":{"services":"1","pods":"1"},"scopes":["BestEffort","NotBestEffort","Fancy"]}""");

        Assert.That(errors, Has.Member("spec.scopes: Invalid value: []core.ResourceQuotaScope{\"BestEffort\", \"NotBestEffort\", \"Fancy\"}: unsupported scope applied to resource"));
        Assert.That(errors, Has.Member("spec.scopes: Invalid value: []core.ResourceQuotaScope{\"BestEffort\", \"NotBestEffort\", \"Fancy\"}: unsupported scope"));
        Assert.That(errors, Has.Member("spec.scopes: Invalid value: []core.ResourceQuotaScope{\"BestEffort\", \"NotBestEffort\", \"Fancy\"}: conflicting scopes"));
    }

    [Test]
    public void Quota_ScopeSelector_OperatorsAndValues()
    {
        var errors = Errors(Quotas, """{"hard":{"pods":"1"},"scopeSelector":{"matchExpressions":[{"scopeName":"PriorityClass","operator":"In"},{"scopeName":"Terminating","operator":"In","values":["x"]}]}}""");

        Assert.That(errors, Has.Member("spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
        Assert.That(errors, Has.Some.StartWith("spec.scopeSelector.matchExpressions.operator: Invalid value: \"In\": must be 'Exist' when scope is any of"));
    }

    [Test]
    public void LimitRange_OrderOfMinDefaultsAndMax_IsChecked()
    {
        var errors = Errors(LimitRanges, """
            {"limits":[{"type":"Container","min":{"cpu":"500m"},"max":{"cpu":"1"},"default":{"cpu":"2"},"defaultRequest":{"cpu":"100m"},"maxLimitRequestRatio":{"cpu":"0.5"}}]}
            """);

        Assert.That(errors, Is.EquivalentTo(new[]
        {
            "spec.limits[0].defaultRequest[cpu]: Invalid value: 100m: min value 500m is greater than default request value 100m",
            "spec.limits[0].default[cpu]: Invalid value: 1: default value 2 is greater than max value 1",
            "spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: 500m: ratio 500m is less than 1",
        }));
    }

    [Test]
    public void LimitRange_TypesNamesAndPodDefaults()
    {
        var errors = Errors(LimitRanges, """
            {"limits":[{"type":"Pod","default":{"cpu":"1"},"max":{"requests.cpu":"1"}},{"type":"Pod"},{"type":"Thing"},{"type":"PersistentVolumeClaim","max":{"cpu":"1"}}]}
            """);

        Assert.That(errors, Is.EquivalentTo(new[]
        {
            "spec.limits[0].max[requests.cpu]: Invalid value: \"requests.cpu\": must be a standard resource for containers",
            "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'",
            "spec.limits[1].type: Duplicate value: \"Pod\"",
            "spec.limits[2].type: Invalid value: \"Thing\": must be a standard limit type or fully qualified",
            "spec.limits[3].limits: Required value: either minimum or maximum storage value is required, but neither was provided",
        }));
    }
}
