using System.Text.Json.Nodes;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.Errors;

public class FieldErrorTests
{
    private static readonly FieldPath Replicas = FieldPath.Of("spec", "replicas");

    [Test]
    public void Message_InvalidInteger_PrintsValueBare()
    {
        var error = FieldError.Invalid(Replicas, BadValue.Of(-1), "must be greater than or equal to 0");
        Assert.That(error.Message, Is.EqualTo("spec.replicas: Invalid value: -1: must be greater than or equal to 0"));
        Assert.That(error.Reason, Is.EqualTo("FieldValueInvalid"));
    }

    [Test]
    public void Message_RequiredWithDetail_OmitsValue()
    {
        var error = FieldError.Required(FieldPath.Of("metadata", "name"), "name or generateName is required");
        Assert.That(error.Message, Is.EqualTo("metadata.name: Required value: name or generateName is required"));
    }

    [Test]
    public void Message_RequiredWithoutDetail_EndsAfterType()
    {
        var error = FieldError.Required(FieldPath.Of("spec", "containers").Index(0).Child("image"));
        Assert.That(error.Message, Is.EqualTo("spec.containers[0].image: Required value"));
    }

    [Test]
    public void Message_NotSupported_ListsQuotedValues()
    {
        var error = FieldError.NotSupported(FieldPath.Of("spec", "template", "spec", "restartPolicy"), BadValue.Of("Always"), ["OnFailure", "Never"]);
        Assert.That(error.Message, Is.EqualTo("spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""));
    }

    [Test]
    public void Message_TooLong_ShowsLimitOnly()
    {
        var error = FieldError.TooLong(FieldPath.Of("metadata", "annotations"), 262144);
        Assert.That(error.Message, Is.EqualTo("metadata.annotations: Too long: may not be more than 262144 bytes"));
    }

    [Test]
    public void Message_DuplicateAndNotFound_ShowQuotedValue()
    {
        Assert.That(FieldError.Duplicate(FieldPath.Of("spec", "ports").Index(1).Child("name"), BadValue.Of("https")).Message,
            Is.EqualTo("spec.ports[1].name: Duplicate value: \"https\""));
        Assert.That(FieldError.NotFound(FieldPath.Of("x").Key("k"), BadValue.Of("data")).Message, Is.EqualTo("x[k]: Not found: \"data\""));
    }

    [Test]
    public void Message_Forbidden_ShowsDetailOnly()
    {
        Assert.That(FieldError.Forbidden(FieldPath.Of("metadata", "namespace"), "not allowed on this type").Message,
            Is.EqualTo("metadata.namespace: Forbidden: not allowed on this type"));
    }

    [Test]
    public void Quote_EscapesLikeGo()
    {
        Assert.That(GoSyntax.Quote("a\"b\\c\nd\te\u0001"), Is.EqualTo("\"a\\\"b\\\\c\\nd\\te\\x01\""));
        Assert.That(GoSyntax.Quote("héllo 世界"), Is.EqualTo("\"héllo 世界\""));
        Assert.That(GoSyntax.Quote("\u200b"), Is.EqualTo("\"\\u200b\""));
    }

    [Test]
    public void StringMap_SortsKeysLikeGoPercentHashV()
    {
        var map = new JsonObject { ["tier"] = "frontend", ["app"] = "freight-portal" };
        Assert.That(GoSyntax.StringMap(map), Is.EqualTo("map[string]string{\"app\":\"freight-portal\", \"tier\":\"frontend\"}"));
        Assert.That(GoSyntax.StringMap(null), Is.EqualTo("map[string]string(nil)"));
    }

    [Test]
    public void LabelSelector_RendersAsGoStruct()
    {
        var selector = JsonNode.Parse("""{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]}]}""")!.AsObject();
        Assert.That(GoSyntax.LabelSelector(selector), Is.EqualTo(
            "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"tier\", Operator:\"In\", Values:[]string{\"a\", \"b\"}}}}"));
    }

    [Test]
    public void InvalidErrorMessage_OneError_HasNoBrackets()
    {
        var type = ResourceCatalog.FindKind("apps", "Deployment")!;
        var errors = new[] { FieldError.Invalid(Replicas, BadValue.Of(-1), "must be greater than or equal to 0") };
        Assert.That(InvalidError.Message(type, "demo", errors),
            Is.EqualTo("Deployment.apps \"demo\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"));
    }

    [Test]
    public void InvalidErrorMessage_SeveralErrors_BracketsAndDropsRepeats()
    {
        var type = ResourceCatalog.FindKind("", "Pod")!;
        var image = FieldError.Required(FieldPath.Of("spec", "containers").Index(0).Child("image"));
        var name = FieldError.Required(FieldPath.Of("spec", "containers").Index(0).Child("name"));
        Assert.That(InvalidError.Message(type, "p", [image, name, image]),
            Is.EqualTo("Pod \"p\" is invalid: [spec.containers[0].image: Required value, spec.containers[0].name: Required value]"));
    }

    [Test]
    public void Status_CarriesKindGroupAndOneCausePerError()
    {
        var type = ResourceCatalog.FindKind("apps", "Deployment")!;
        var errors = new[] { FieldError.Invalid(Replicas, BadValue.Of(-1), "must be greater than or equal to 0") };
        var status = InvalidError.Status(type, "demo", errors);

        Assert.That(status["code"]!.GetValue<int>(), Is.EqualTo(422));
        Assert.That(status["reason"]!.GetValue<string>(), Is.EqualTo("Invalid"));
        Assert.That(status["details"]!["kind"]!.GetValue<string>(), Is.EqualTo("Deployment"));
        Assert.That(status["details"]!["group"]!.GetValue<string>(), Is.EqualTo("apps"));
        var cause = status["details"]!["causes"]![0]!;
        Assert.That(cause["reason"]!.GetValue<string>(), Is.EqualTo("FieldValueInvalid"));
        Assert.That(cause["message"]!.GetValue<string>(), Is.EqualTo("Invalid value: -1: must be greater than or equal to 0"));
        Assert.That(cause["field"]!.GetValue<string>(), Is.EqualTo("spec.replicas"));
    }

    [Test]
    public void Status_CoreKind_HasNoGroup()
    {
        var status = InvalidError.Status(ResourceCatalog.FindKind("", "Pod")!, "p", []);
        Assert.That(status["details"]!.AsObject().ContainsKey("group"), Is.False);
        Assert.That(status["message"]!.GetValue<string>(), Is.EqualTo("Pod \"p\" is invalid"));
    }
}
