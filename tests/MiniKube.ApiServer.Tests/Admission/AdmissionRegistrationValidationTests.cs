using System.Text.Json.Nodes;
using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Tests.Admission;

/// <summary>Webhook configuration defaults and v1.32 validation, message by message.</summary>
public sealed class AdmissionRegistrationValidationTests
{
    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject Valid() => Parse("""
        {"metadata":{"name":"c"},"webhooks":[{"name":"a.example.com","clientConfig":{"url":"https://hook.example.com/x"},
        "rules":[{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"]}],
        "sideEffects":"None","admissionReviewVersions":["v1"]}]}
        """);

    private static List<string> Errors(JsonObject obj, JsonObject? old = null, bool mutating = false)
    {
        var errors = new List<FieldError>();
        switch ((mutating, old))
        {
            case (true, null):
                AdmissionRegistrationValidation.MutatingWebhookConfiguration(obj, errors);
                break;
            case (true, { } stored):
                AdmissionRegistrationValidation.MutatingWebhookConfigurationUpdate(obj, stored, errors);
                break;
            case (false, null):
                AdmissionRegistrationValidation.ValidatingWebhookConfiguration(obj, errors);
                break;
            case (false, { } stored):
                AdmissionRegistrationValidation.ValidatingWebhookConfigurationUpdate(obj, stored, errors);
                break;
        }
        return errors.Select(e => e.ToString()).ToList();
    }

    [Test]
    public void Defaults_Mutating_FillEveryPointerField()
    {
        var obj = Parse("""{"webhooks":[{"name":"a.b.c","clientConfig":{"service":{"namespace":"n","name":"s"}},"rules":[{"operations":["*"]}]}]}""");

        AdmissionRegistrationDefaults.MutatingWebhookConfiguration(obj);

        Assert.That(obj["webhooks"]![0]!.ToJsonString(), Is.EqualTo(
            """{"name":"a.b.c","clientConfig":{"service":{"namespace":"n","name":"s","port":443}},"rules":[{"operations":["*"],"scope":"*"}],"failurePolicy":"Fail","matchPolicy":"Equivalent","namespaceSelector":{},"objectSelector":{},"timeoutSeconds":10,"reinvocationPolicy":"Never"}"""));
    }

    [Test]
    public void Defaults_Validating_NoReinvocationPolicy_AndGivenValuesKept()
    {
        var obj = Parse("""{"webhooks":[{"name":"a.b.c","failurePolicy":"Ignore","timeoutSeconds":3}]}""");

        AdmissionRegistrationDefaults.ValidatingWebhookConfiguration(obj);

        var hook = obj["webhooks"]![0]!;
        Assert.That(hook["failurePolicy"]!.GetValue<string>(), Is.EqualTo("Ignore"));
        Assert.That(hook["timeoutSeconds"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(hook["reinvocationPolicy"], Is.Null);
    }

    [Test]
    public void Validate_ValidConfiguration_NoErrors()
    {
        Assert.That(Errors(Valid()), Is.Empty);
        Assert.That(Errors(Valid(), mutating: true), Is.Empty);
    }

    [Test]
    public void Validate_NamesNotQualifiedOrRepeated()
    {
        var obj = Valid();
        var hooks = obj["webhooks"]!.AsArray();
        hooks.Add(hooks[0]!.DeepClone());
        hooks.Add(hooks[0]!.DeepClone());
        hooks[2]!["name"] = "short.name";

        Assert.That(Errors(obj), Is.EqualTo(new[]
        {
            "webhooks[1].name: Duplicate value: \"a.example.com\"",
            "webhooks[2].name: Invalid value: \"short.name\": should be a domain with at least three segments separated by dots",
        }));
    }

    [Test]
    public void Validate_ClientConfig_ExactlyOneOfUrlOrService_UrlHttpsWithoutQuery()
    {
        var both = Valid();
        both["webhooks"]![0]!["clientConfig"]!["service"] = new JsonObject { ["namespace"] = "n", ["name"] = "s", ["port"] = 443 };
        var http = Valid();
        http["webhooks"]![0]!["clientConfig"]!["url"] = "http://hook.example.com/x?a=b";
        var service = Valid();
        service["webhooks"]![0]!["clientConfig"] = Parse("""{"service":{"namespace":"","name":"s","port":0,"path":"/a//b"}}""");

        Assert.That(Errors(both), Is.EqualTo(new[] { "webhooks[0].clientConfig: Required value: exactly one of url or service is required" }));
        Assert.That(Errors(http), Is.EqualTo(new[]
        {
            "webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]",
            "webhooks[0].clientConfig.url: Invalid value: \"a=b\": query parameters are not permitted in the URL",
        }));
        Assert.That(Errors(service), Is.EqualTo(new[]
        {
            "webhooks[0].clientConfig.service.namespace: Required value: service namespace is required",
            "webhooks[0].clientConfig.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive",
            "webhooks[0].clientConfig.service.path: Invalid value: \"/a//b\": segment[1] may not be empty",
        }));
    }

    [Test]
    public void Validate_Rules_WildcardsAndEnums()
    {
        var obj = Valid();
        obj["webhooks"]![0]!["rules"] = JsonNode.Parse("""
            [{"operations":["*","CREATE"],"apiGroups":["*","apps"],"apiVersions":[],"resources":["*/*","pods"],"scope":"Everywhere"},
             {"operations":["PATCH"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods/*","pods/status"]}]
            """);

        Assert.That(Errors(obj), Is.EqualTo(new[]
        {
            "webhooks[0].rules[0].operations: Invalid value: []admissionregistration.OperationType{\"*\", \"CREATE\"}: if '*' is present, must not specify other operations",
            "webhooks[0].rules[0].apiGroups: Invalid value: []string{\"*\", \"apps\"}: if '*' is present, must not specify other API groups",
            "webhooks[0].rules[0].apiVersions: Required value",
            "webhooks[0].rules[0].resources: Invalid value: []string{\"*/*\", \"pods\"}: if '*/*' is present, must not specify other resources",
            "webhooks[0].rules[0].scope: Unsupported value: \"Everywhere\": supported values: \"*\", \"Cluster\", \"Namespaced\"",
            "webhooks[0].rules[1].operations[0]: Unsupported value: \"PATCH\": supported values: \"*\", \"CONNECT\", \"CREATE\", \"DELETE\", \"UPDATE\"",
            "webhooks[0].rules[1].resources[1]: Invalid value: \"pods/status\": if 'pods/*' is present, must not specify pods/status",
        }));
    }

    [Test]
    public void Validate_SideEffectsTimeoutAndReviewVersions()
    {
        var obj = Valid();
        var hook = obj["webhooks"]![0]!.AsObject();
        hook.Remove("sideEffects");
        hook["timeoutSeconds"] = 31;
        hook["admissionReviewVersions"] = new JsonArray("v2", "v2");
        hook["failurePolicy"] = "Sometimes";
        hook["reinvocationPolicy"] = "Always";

        Assert.That(Errors(obj, mutating: true), Is.EqualTo(new[]
        {
            "webhooks[0].failurePolicy: Unsupported value: \"Sometimes\": supported values: \"Fail\", \"Ignore\"",
            "webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun",
            "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds",
            "webhooks[0].reinvocationPolicy: Unsupported value: \"Always\": supported values: \"IfNeeded\", \"Never\"",
            "webhooks[0].admissionReviewVersions[1]: Invalid value: \"v2\": duplicate version",
            "webhooks[0].admissionReviewVersions: Invalid value: []string{\"v2\", \"v2\"}: must include at least one of v1, v1beta1",
        }));
    }

    [Test]
    public void Validate_SideEffectsSome_RefusedOnCreate_KeptOnUpdateOfAnObjectThatHadIt()
    {
        var old = Valid();
        old["webhooks"]![0]!["sideEffects"] = "Some";
        var updated = old.DeepClone().AsObject();
        updated["webhooks"]![0]!["timeoutSeconds"] = 5;

        Assert.That(Errors(old), Is.EqualTo(new[] { "webhooks[0].sideEffects: Unsupported value: \"Some\": supported values: \"None\", \"NoneOnDryRun\"" }));
        Assert.That(Errors(updated, old), Is.Empty);
    }

    [Test]
    public void Validate_MatchConditions_CompiledNamedAndUnique()
    {
        var obj = Valid();
        obj["webhooks"]![0]!["matchConditions"] = JsonNode.Parse("""
            [{"name":"ok","expression":"object.metadata.name != 'x' && request.operation == 'CREATE'"},
             {"name":"ok","expression":"params.x == 1"},
             {"name":"","expression":" "}]
            """);

        var errors = Errors(obj);

        Assert.That(errors, Has.Count.EqualTo(4));
        Assert.That(errors[0], Does.StartWith("webhooks[0].matchConditions[1].expression: Invalid value: \"params.x == 1\": compilation failed: ERROR: <input>:1:1: undeclared reference to 'params'"));
        Assert.That(errors.Skip(1), Is.EqualTo(new[]
        {
            "webhooks[0].matchConditions[1].name: Duplicate value: \"ok\"",
            "webhooks[0].matchConditions[2].expression: Required value",
            "webhooks[0].matchConditions[2].name: Required value",
        }));
    }

    [Test]
    public void Validate_Selectors_CheckedAsLabelSelectors()
    {
        var obj = Valid();
        obj["webhooks"]![0]!["namespaceSelector"] = Parse("""{"matchExpressions":[{"key":"a","operator":"In"}]}""");

        Assert.That(Errors(obj), Is.EqualTo(new[] { "webhooks[0].namespaceSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'" }));
    }
}
