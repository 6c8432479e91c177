using System.Text.Json.Nodes;
using MiniKube.ApiServer.Strategies;
using MiniKube.ApiServer.Tests.Integration;

namespace MiniKube.ApiServer.Tests.Strategies;

/// <summary>CRD checks with upstream's field paths and messages (apiextensions validation.go).</summary>
public sealed class CustomResourceDefinitionValidationTests
{
    private static readonly CustomResourceDefinitionStrategy Strategy = new();

    private static JsonObject Crd(Action<JsonObject>? change = null)
    {
        var crd = JsonNode.Parse(CustomResourceTests.Crd)!.AsObject();
        change?.Invoke(crd);
        Strategy.ApplyDefaults(crd);
        Strategy.PrepareForCreate(crd);
        return crd;
    }

    private static List<string> Errors(JsonObject crd, List<string>? warnings = null) =>
        CustomResourceDefinitionValidation.Validate(crd, warnings ?? []).Select(e => e.Message).ToList();

    [Test]
    public void Validate_ValidCrd_NoErrors()
    {
        Assert.That(Errors(Crd()), Is.Empty);
    }

    [Test]
    public void ApplyDefaults_Names_ListKindSingularAndConversion()
    {
        var crd = Crd(c =>
        {
            c["spec"]!["names"]!.AsObject().Remove("singular");
            c["spec"]!["names"]!.AsObject().Remove("listKind");
        });

        Assert.That(crd["spec"]!["names"]!["singular"]!.GetValue<string>(), Is.EqualTo("widget"));
        Assert.That(crd["spec"]!["names"]!["listKind"]!.GetValue<string>(), Is.EqualTo("WidgetList"));
        Assert.That(crd["spec"]!["conversion"]!.ToJsonString(), Is.EqualTo("""{"strategy":"None"}"""));
        Assert.That(crd["status"]!["storedVersions"]!.ToJsonString(), Is.EqualTo("""["v1"]"""));
    }

    [Test]
    public void Validate_NameNotPluralDotGroup_Invalid()
    {
        var errors = Errors(Crd(c => c["metadata"]!["name"] = "gadgets.example.com"));

        Assert.That(errors, Is.EqualTo(new[] { "metadata.name: Invalid value: \"gadgets.example.com\": must be spec.names.plural+\".\"+spec.group" }));
    }

    [Test]
    public void Validate_GroupWithoutDot_Invalid()
    {
        var errors = Errors(Crd(c =>
        {
            c["spec"]!["group"] = "example";
            c["metadata"]!["name"] = "widgets.example";
        }));

        Assert.That(errors, Is.EqualTo(new[] { "spec.group: Invalid value: \"example\": should be a domain with at least one dot" }));
    }

    [Test]
    public void Validate_ProtectedGroupWithoutApproval_Required()
    {
        var errors = Errors(Crd(c =>
        {
            c["spec"]!["group"] = "widgets.k8s.io";
            c["metadata"]!["name"] = "widgets.widgets.k8s.io";
        }));

        Assert.That(errors, Has.Exactly(1).StartsWith("metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation"));
    }

    [Test]
    public void Validate_ScopeAndNames_UpstreamMessages()
    {
        var errors = Errors(Crd(c =>
        {
            c["spec"]!["scope"] = "Global";
            c["spec"]!["names"]!["kind"] = "Wid_get";
            c["spec"]!["names"]!["listKind"] = "Wid_get";
            c["spec"]!["names"]!["shortNames"] = new JsonArray("W D");
        }));

        Assert.That(errors, Does.Contain("spec.scope: Unsupported value: \"Global\": supported values: \"Cluster\", \"Namespaced\""));
        Assert.That(errors, Has.Some.StartsWith("spec.names.kind: Invalid value: \"Wid_get\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of"));
        Assert.That(errors, Has.Some.StartsWith("spec.names.shortNames[0]: Invalid value: \"W D\": a DNS-1035 label must consist of"));
        Assert.That(errors, Does.Contain("spec.names.listKind: Invalid value: \"Wid_get\": kind and listKind may not be the same"));
    }

    [Test]
    public void Validate_Versions_UniqueAndExactlyOneStorage()
    {
        var errors = Errors(Crd(c =>
        {
            c["spec"]!["versions"]![1]!["name"] = "v1";
            c["spec"]!["versions"]![1]!["storage"] = true;
        }));

        Assert.That(errors, Does.Contain("spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must contain unique version names"));
        Assert.That(errors, Does.Contain("spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must have exactly one version marked as storage version"));
    }

    [Test]
    public void Validate_MissingSchema_Required()
    {
        var errors = Errors(Crd(c => c["spec"]!["versions"]![1]!.AsObject().Remove("schema")));

        Assert.That(errors, Is.EqualTo(new[] { "spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required" }));
    }

    [Test]
    public void Validate_SchemaNotStructural_ErrorAtItsPath()
    {
        var errors = Errors(Crd(c => c["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!["size"] = new JsonObject()));

        Assert.That(errors, Has.Some.StartsWith("spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[size].type: Required value"));
    }

    [Test]
    public void Validate_UncompilableRule_AcceptedWithWarning()
    {
        var warnings = new List<string>();
        var crd = Crd(c => c["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["x-kubernetes-validations"]![0]!["rule"] = "self.size.frob()");

        var errors = Errors(crd, warnings);

        Assert.That(errors, Is.Empty);
        Assert.That(warnings, Has.Exactly(1).StartsWith("spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: compilation failed:"));
    }

    [Test]
    public void Validate_SubresourcesColumnsSelectableFields_UpstreamPaths()
    {
        var errors = Errors(Crd(c =>
        {
            var v1 = c["spec"]!["versions"]![0]!;
            v1["subresources"]!["scale"]!["specReplicasPath"] = ".status.replicas";
            v1["subresources"]!["scale"]!.AsObject().Remove("statusReplicasPath");
            v1["additionalPrinterColumns"] = JsonNode.Parse("""[{"name":"X","type":"map","jsonPath":"spec.x"}]""");
            v1["selectableFields"] = JsonNode.Parse("""[{"jsonPath":".spec.color"},{"jsonPath":".spec.color"}]""");
        }));

        Assert.That(errors, Is.EquivalentTo(new[]
        {
            "spec.versions[0].subresources.scale.specReplicasPath: Invalid value: \".status.replicas\": should be a json path under .spec",
            "spec.versions[0].subresources.scale.statusReplicasPath: Required value",
            "spec.versions[0].additionalPrinterColumns[0].type: Invalid value: \"map\": must be one of boolean,date,integer,number,string",
            "spec.versions[0].additionalPrinterColumns[0].jsonPath: Invalid value: \"spec.x\": must be a simple json path starting with .",
            "spec.versions[0].selectableFields[1].jsonPath: Duplicate value: \".spec.color\"",
        }));
    }

    [Test]
    public void Validate_WebhookConversionWithoutConfig_Required()
    {
        var errors = Errors(Crd(c => c["spec"]!["conversion"] = JsonNode.Parse("""{"strategy":"Webhook","webhook":{"conversionReviewVersions":["v1"]}}""")));

        Assert.That(errors, Is.EqualTo(new[] { "spec.conversion.webhook.clientConfig: Required value: required when strategy is set to Webhook" }));
    }

    [Test]
    public void Validate_StoredVersionNotInSpec_Invalid()
    {
        var crd = Crd();
        crd["status"]!["storedVersions"] = new JsonArray("v1", "v0");

        Assert.That(Errors(crd), Is.EqualTo(new[] { "status.storedVersions[1]: Invalid value: \"v0\": must appear in spec.versions" }));
    }

    [Test]
    public void ValidateUpdate_GroupPluralAndEstablishedScope_Immutable()
    {
        var old = Crd();
        CustomResourceDefinitionNames.Accept(old, [], DateTimeOffset.UnixEpoch);
        var updated = old.DeepClone().AsObject();
        updated["spec"]!["scope"] = "Cluster";
        updated["spec"]!["names"]!["plural"] = "widgetz";
        updated["metadata"]!["name"] = "widgetz.example.com";

        var errors = CustomResourceDefinitionValidation.ValidateUpdate(updated, old, []).Select(e => e.Message).ToList();

        Assert.That(errors, Does.Contain("spec.scope: Invalid value: \"Cluster\": field is immutable"));
        Assert.That(errors, Does.Contain("spec.names.plural: Invalid value: \"widgetz\": field is immutable"));
    }
}
