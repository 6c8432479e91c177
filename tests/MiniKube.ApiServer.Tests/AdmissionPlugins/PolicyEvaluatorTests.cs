using System.Text.Json.Nodes;
using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.AdmissionPlugins;

/// <summary>One policy through one binding: matching, matchConditions, variables, messages, failurePolicy and params.</summary>
[TestFixture]
public sealed class PolicyEvaluatorTests : EmbeddedStoreFixture
{
    private static readonly ResourceType ConfigMaps = ResourceCatalog.Find("", "v1", "configmaps")!;

    private PolicyEvaluator _evaluator = null!;

    [SetUp]
    public async Task Prepare()
    {
        _evaluator = new PolicyEvaluator(new CachedReads(Store, null), new ApiResources());
    }

    /// <summary>A defaulted policy on configmaps; <paramref name="spec"/> adds or replaces spec fields.</summary>
    private static AdmissionPolicy Policy(string spec)
    {
        var obj = JsonNode.Parse("""
            {"metadata":{"name":"p"},"spec":{"matchConstraints":{"resourceRules":[{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["configmaps"]}]}}}
            """)!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(spec)!.AsObject())
        {
            obj["spec"]![key] = value?.DeepClone();
        }
        AdmissionRegistrationDefaults.ValidatingAdmissionPolicy(obj);
        return new AdmissionPolicy(obj, CelNetEngine.Instance);
    }

    private static AdmissionPolicyBinding Binding(string spec = """{"policyName":"p","validationActions":["Deny"]}""") =>
        new(JsonNode.Parse($$"""{"metadata":{"name":"b"},"spec":{{spec}}}""")!.AsObject());

    private static AdmissionRequest Create(string data = """{"size":"7"}""") => new(
        ConfigMaps, AdmissionOperation.Create, null,
        JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default","labels":{"team":"a"}},"data":DATA}""".Replace("DATA", data, StringComparison.Ordinal))!.AsObject(),
        null, false, null);

    private async Task<List<string>> MessagesAsync(AdmissionPolicy policy, AdmissionPolicyBinding? binding = null, AdmissionRequest? request = null) =>
        (await _evaluator.EvaluateAsync(policy, binding ?? Binding(), request ?? Create(), CancellationToken.None)).Select(d => d.Message).ToList();

    [Test]
    public async Task FalseValidation_DeniesWithMessageOrExpression_TrueAdmits()
    {
        var policy = Policy("""{"validations":[{"expression":"object.data.size == '1'"},{"expression":"object.data.size == '2'","message":"size must be 2"},{"expression":"true"}]}""");

        Assert.That(await MessagesAsync(policy), Is.EqualTo(new[] { "failed expression: object.data.size == '1'", "size must be 2" }));
    }

    [Test]
    public async Task VariablesAndMessageExpression_AreEvaluated()
    {
        var policy = Policy("""
            {"variables":[{"name":"size","expression":"int(object.data.size)"},{"name":"big","expression":"variables.size > 5"}],
            "validations":[{"expression":"!variables.big","messageExpression":"'size ' + string(variables.size) + ' in ' + request.namespace"}]}
            """);

        Assert.That(await MessagesAsync(policy), Is.EqualTo(new[] { "size 7 in default" }));
        Assert.That(await MessagesAsync(policy, request: Create("""{"size":"3"}""")), Is.Empty);
    }

    [Test]
    public async Task MatchConditionFalse_OrNotMatchingResourceOrSelector_Skips()
    {
        Assert.That(await MessagesAsync(Policy("""{"matchConditions":[{"name":"other","expression":"object.metadata.name == 'x'"}],"validations":[{"expression":"false"}]}""")), Is.Empty);
        var selected = Policy("""{"validations":[{"expression":"false"}]}""");
        Assert.That(await MessagesAsync(selected, Binding("""{"policyName":"p","validationActions":["Deny"],"matchResources":{"objectSelector":{"matchLabels":{"team":"b"}}}}""")), Is.Empty);
        Assert.That(await MessagesAsync(selected, Binding("""{"policyName":"p","validationActions":["Deny"],"matchResources":{"excludeResourceRules":[{"operations":["*"],"apiGroups":["*"],"apiVersions":["*"],"resources":["*"],"resourceNames":["c"]}]}}""")), Is.Empty);
        Assert.That(await MessagesAsync(selected), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task EvaluationError_DeniesUnderFail_AdmitsUnderIgnore()
    {
        var failing = await _evaluator.EvaluateAsync(Policy("""{"validations":[{"expression":"object.data.missing == 'x'"}]}"""), Binding(), Create(), CancellationToken.None);
        Assert.That(failing.Single().Failure, Is.True);
        Assert.That(failing.Single().Message, Does.StartWith("expression 'object.data.missing == 'x'' resulted in error: "));

        Assert.That(await MessagesAsync(Policy("""{"failurePolicy":"Ignore","validations":[{"expression":"object.data.missing == 'x'"}]}""")), Is.Empty);
    }

    [Test]
    public async Task Params_BySelector_EachIsEvaluated_NoneFoundFollowsTheAction()
    {
        var policy = Policy("""{"paramKind":{"apiVersion":"v1","kind":"ConfigMap"},"validations":[{"expression":"int(object.data.size) <= int(params.data.max)","messageExpression":"'over ' + params.data.max"}]}""");
        var bySelector = Binding("""{"policyName":"p","validationActions":["Deny"],"paramRef":{"selector":{"matchLabels":{"limit":"yes"}},"parameterNotFoundAction":"Allow"}}""");

        Assert.That(await MessagesAsync(policy, bySelector), Is.Empty);
        Assert.That(await MessagesAsync(policy, Binding("""{"policyName":"p","validationActions":["Deny"],"paramRef":{"name":"none","parameterNotFoundAction":"Deny"}}""")),
            Is.EqualTo(new[] { "failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction" }));

        foreach (var (name, max) in new[] { ("low", "5"), ("high", "10") })
        {
            var param = JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"NAME","namespace":"default","labels":{"limit":"yes"}},"data":{"max":"MAX"}}"""
                .Replace("NAME", name, StringComparison.Ordinal).Replace("MAX", max, StringComparison.Ordinal))!.AsObject();
            await Store.CreateAsync(ResourceRegistry.Key(ConfigMaps, "default", name), ObjectCodec.Encode(param), 0, CancellationToken.None);
        }
        Assert.That(await MessagesAsync(policy, bySelector), Is.EqualTo(new[] { "over 5" }));
    }
}
