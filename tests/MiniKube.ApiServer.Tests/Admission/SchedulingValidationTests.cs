using System.Text.Json.Nodes;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.Admission;

/// <summary>PriorityClass defaults and validation, as pkg/apis/scheduling/v1 and pkg/apis/scheduling/validation of v1.32.</summary>
public sealed class SchedulingValidationTests
{
    private static readonly ResourceType PriorityClasses = ResourceCatalog.Find("scheduling.k8s.io", "v1", "priorityclasses")!;

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private static List<string> Errors(string json, string? old = null)
    {
        var obj = Parse(json);
        PriorityClasses.Strategy.ApplyDefaults(obj);
        IReadOnlyList<FieldError> errors;
        if (old is null)
        {
            errors = PriorityClasses.Strategy.Validate(obj, namespaced: false);
        }
        else
        {
            var stored = Parse(old);
            PriorityClasses.Strategy.ApplyDefaults(stored);
            errors = PriorityClasses.Strategy.ValidateUpdate(obj, stored);
        }
        return errors.Select(e => e.ToString()).ToList();
    }

    [Test]
    public void Catalog_PriorityClass_IsClusterScopedWithShortNamePc()
    {
        Assert.That(PriorityClasses.Namespaced, Is.False);
        Assert.That(PriorityClasses.ShortNames, Is.EqualTo(new[] { "pc" }));
        Assert.That(PriorityClasses.Strategy.TracksGeneration, Is.True, "PrepareForCreate sets generation 1");
    }

    [Test]
    public void ApplyDefaults_NoPolicyOrValue_PreemptLowerPriorityAndZero()
    {
        var pc = Parse("""{"metadata":{"name":"low"}}""");

        PriorityClasses.Strategy.ApplyDefaults(pc);

        Assert.That(pc["preemptionPolicy"]!.GetValue<string>(), Is.EqualTo("PreemptLowerPriority"));
        Assert.That(pc["value"]!.GetValue<int>(), Is.Zero);
    }

    [Test]
    public void Validate_UserClassAtTheLimit_IsValid()
    {
        Assert.That(Errors("""{"metadata":{"name":"high"},"value":1000000000,"globalDefault":true,"preemptionPolicy":"Never"}"""), Is.Empty);
    }

    [Test]
    public void Validate_UserClassAboveTheLimit_IsForbidden()
    {
        Assert.That(Errors("""{"metadata":{"name":"too-high"},"value":1000000001}"""),
            Is.EqualTo(new[] { "value: Forbidden: maximum allowed value of a user defined priority is 1000000000" }));
    }

    [TestCase("system-mine", 5, false, "system-mine is not a known system priority class")]
    [TestCase("system-node-critical", 5, false, "value of system-node-critical PriorityClass must be 2000001000")]
    [TestCase("system-cluster-critical", 2000000000, true, "globalDefault of system-cluster-critical PriorityClass must be false")]
    public void Validate_SystemPrefixNotABuiltIn_IsForbidden(string name, int value, bool globalDefault, string error)
    {
        var errors = Errors($$"""{"metadata":{"name":"{{name}}"},"value":{{value}},"globalDefault":{{(globalDefault ? "true" : "false")}}}""");

        Assert.That(errors, Is.EqualTo(new[] { $"metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: {error}" }));
    }

    [Test]
    public void Validate_BuiltInClass_IsValid()
    {
        Assert.That(Errors("""{"metadata":{"name":"system-node-critical"},"value":2000001000}"""), Is.Empty);
    }

    [Test]
    public void Validate_UnknownPreemptionPolicy_IsNotSupported()
    {
        Assert.That(Errors("""{"metadata":{"name":"p"},"value":1,"preemptionPolicy":"Sometimes"}"""),
            Is.EqualTo(new[] { "preemptionPolicy: Unsupported value: \"Sometimes\": supported values: \"PreemptLowerPriority\", \"Never\"" }));
    }

    [Test]
    public void ValidateUpdate_ValueAndPolicyChanged_BothRefused()
    {
        var errors = Errors(
            """{"metadata":{"name":"p","resourceVersion":"2"},"value":2,"preemptionPolicy":"Never"}""",
            """{"metadata":{"name":"p","resourceVersion":"2"},"value":1}""");

        Assert.That(errors, Is.EqualTo(new[]
        {
            "value: Forbidden: may not be changed in an update.",
            "preemptionPolicy: Invalid value: \"Never\": field is immutable",
        }));
    }

    [Test]
    public void ValidateUpdate_DescriptionAndGlobalDefault_MayChange()
    {
        var errors = Errors(
            """{"metadata":{"name":"p","resourceVersion":"2"},"value":1,"description":"now","globalDefault":true}""",
            """{"metadata":{"name":"p","resourceVersion":"2"},"value":1}""");

        Assert.That(errors, Is.Empty);
    }
}
