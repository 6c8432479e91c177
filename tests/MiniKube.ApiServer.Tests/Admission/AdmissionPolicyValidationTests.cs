using System.Text.Json.Nodes;
using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Tests.Admission;

/// <summary>ValidatingAdmissionPolicy and binding defaults and v1.32 validation, message by message.</summary>
public sealed class AdmissionPolicyValidationTests
{
    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject Policy(string spec = "") => Parse("""
        {"metadata":{"name":"p"},"spec":{"matchConstraints":{"resourceRules":[{"operations":["CREATE"],"apiGroups":["apps"],"apiVersions":["v1"],"resources":["deployments"]}]},
        "validations":[{"expression":"object.spec.replicas <= 5"}]SPEC}}
        """.Replace("SPEC", spec, StringComparison.Ordinal));

    private static List<string> PolicyErrors(JsonObject obj)
    {
        AdmissionRegistrationDefaults.ValidatingAdmissionPolicy(obj);
        var errors = new List<FieldError>();
        AdmissionPolicyValidation.Policy(obj, errors);
        return errors.Select(e => e.ToString()).ToList();
    }

    private static List<string> BindingErrors(string spec)
    {
        var obj = Parse($$"""{"metadata":{"name":"b"},"spec":{{spec}}}""");
        AdmissionRegistrationDefaults.ValidatingAdmissionPolicyBinding(obj);
        var errors = new List<FieldError>();
        AdmissionPolicyValidation.Binding(obj, errors);
        return errors.Select(e => e.ToString()).ToList();
    }

    [Test]
    public void Defaults_FailurePolicyFail_MatchConstraintsAsWebhooks()
    {
        var obj = Policy();

        AdmissionRegistrationDefaults.ValidatingAdmissionPolicy(obj);

        Assert.That(obj["spec"]!["failurePolicy"]!.GetValue<string>(), Is.EqualTo("Fail"));
        Assert.That(obj["spec"]!["matchConstraints"]!.ToJsonString(), Is.EqualTo(
            """{"resourceRules":[{"operations":["CREATE"],"apiGroups":["apps"],"apiVersions":["v1"],"resources":["deployments"],"scope":"*"}],"matchPolicy":"Equivalent","namespaceSelector":{},"objectSelector":{}}"""));
    }

    [Test]
    public void Validate_ValidPolicy_NoErrors() => Assert.That(PolicyErrors(Policy()), Is.Empty);

    [Test]
    public void Validate_MissingMatchConstraintsAndValidations()
    {
        Assert.That(PolicyErrors(Parse("""{"metadata":{"name":"p"},"spec":{}}""")), Is.EqualTo(new[]
        {
            "spec.matchConstraints: Required value",
            "spec.validations: Required value: validations or auditAnnotations must contain at least one item",
            "spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item",
        }));
    }

    [Test]
    public void Validate_ExpressionsCompiled_ParamsOnlyWithParamKind_ReasonAndMessageChecked()
    {
        var obj = Policy(""","variables":[{"name":"in","expression":"1"}]""");
        obj["spec"]!["validations"] = JsonNode.Parse("""
            [{"expression":"params.max > 1","message":"two\nlines","reason":"Teapot"},{"expression":"object.spec.replicas <= ","messageExpression":" "}]
            """);

        var errors = PolicyErrors(obj);

        Assert.That(errors, Has.Some.StartsWith("spec.variables[0].name: Invalid value: \"in\": name is not a valid CEL identifier"));
        Assert.That(errors, Has.Some.StartsWith("spec.validations[0].expression: Invalid value: \"params.max > 1\": compilation failed: "));
        Assert.That(errors, Has.Some.EqualTo("spec.validations[0].message: Invalid value: \"two\\nlines\": message must not contain line breaks"));
        Assert.That(errors, Has.Some.EqualTo("spec.validations[0].reason: Unsupported value: \"Teapot\": supported values: \"Forbidden\", \"Invalid\", \"RequestEntityTooLarge\", \"Unauthorized\""));
        Assert.That(errors, Has.Some.StartsWith("spec.validations[1].expression: Invalid value: \"object.spec.replicas <= \": compilation failed: "));
        Assert.That(errors, Has.Some.EqualTo("spec.validations[1].messageExpression: Invalid value: \" \": must be non-empty if specified"));

        var withParams = Policy(""","paramKind":{"apiVersion":"v1","kind":"ConfigMap"}""");
        withParams["spec"]!["validations"]![0]!["expression"] = "params.data.max == '1'";
        Assert.That(PolicyErrors(withParams), Is.Empty);
    }

    [Test]
    public void Validate_ParamKindAndRules()
    {
        var obj = Policy(""","paramKind":{"apiVersion":"a/b/c"}""");
        obj["spec"]!["matchConstraints"]!["resourceRules"]![0]!["resourceNames"] = JsonNode.Parse("""["x","x"]""");
        obj["spec"]!["matchConstraints"]!["resourceRules"]![0]!["operations"] = new JsonArray();

        Assert.That(PolicyErrors(obj), Is.EqualTo(new[]
        {
            "spec.paramKind.apiVersion: Invalid value: \"a/b/c\": unexpected GroupVersion string: a/b/c",
            "spec.paramKind.kind: Required value",
            "spec.matchConstraints.resourceRules[0].resourceNames[1]: Duplicate value: \"x\"",
            "spec.matchConstraints.resourceRules[0].operations: Required value",
        }));
    }

    [Test]
    public void Binding_Valid_AndParamRefDefaulted()
    {
        Assert.That(BindingErrors("""{"policyName":"p","validationActions":["Deny"],"paramRef":{"name":"x"}}"""), Is.Empty);
    }

    [Test]
    public void Binding_ActionsPolicyNameAndParamRef()
    {
        Assert.That(BindingErrors("""{"validationActions":["Deny","Warn","Deny","Log"],"paramRef":{"name":"x","selector":{},"parameterNotFoundAction":"Maybe"}}"""), Is.EqualTo(new[]
        {
            "spec.policyName: Required value",
            "spec.paramRef.name: Forbidden: name and selector are mutually exclusive",
            "spec.paramRef.selector: Forbidden: name and selector are mutually exclusive",
            "spec.paramRef.parameterNotFoundAction: Unsupported value: \"Maybe\": supported values: \"Deny\", \"Allow\"",
            "spec.validationActions[2]: Duplicate value: \"Deny\"",
            "spec.validationActions[3]: Unsupported value: \"Log\": supported values: \"Audit\", \"Deny\", \"Warn\"",
            "spec.validationActions: Invalid value: []admissionregistration.ValidationAction{\"Deny\", \"Warn\", \"Deny\", \"Log\"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)",
        }));
        Assert.That(BindingErrors("""{"policyName":"p","paramRef":{}}"""), Is.EqualTo(new[]
        {
            "spec.paramRef: Required value: one of name or selector must be specified",
            "spec.validationActions: Required value: at least one validation action is required",
        }));
    }
}
