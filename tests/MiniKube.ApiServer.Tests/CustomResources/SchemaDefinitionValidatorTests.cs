using static MiniKube.ApiServer.Tests.CustomResources.SchemaFixtures;

namespace MiniKube.ApiServer.Tests.CustomResources;

public class SchemaDefinitionValidatorTests
{
    private const string At = "spec.versions[0].schema.openAPIV3Schema";

    private static List<string> SpecErrors(string specSchema) =>
        DefinitionErrors("""{"type":"object","properties":{"spec":""" + specSchema + "}}");

    [Test]
    public void Validate_TypicalSchema_IsAccepted()
    {
        var errors = DefinitionErrors("""
            {"type":"object","properties":{
              "apiVersion":{"type":"string"},"kind":{"type":"string"},"metadata":{"type":"object"},
              "spec":{"type":"object","required":["image"],"properties":{
                "image":{"type":"string","pattern":"^[a-z./:-]+$"},
                "replicas":{"type":"integer","format":"int32","minimum":0,"default":1},
                "port":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]},
                "env":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                       "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"value":{"type":"string"}}}},
                "labels":{"type":"object","additionalProperties":{"type":"string"},"x-kubernetes-map-type":"granular"},
                "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true},
                "config":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}},
              "status":{"type":"object","properties":{"ready":{"type":"boolean"}}}}}
            """);

        Assert.That(errors, Is.Empty);
    }

    [TestCase("""{"type":"object","properties":{"x":{}}}""", At + ".properties[spec].properties[x].type: Required value: must not be empty for specified object fields")]
    [TestCase("""{"type":"array"}""", At + ".properties[spec].items: Required value: must be specified")]
    [TestCase("""{"type":"array","items":{}}""", At + ".properties[spec].items.type: Required value: must not be empty for specified array items")]
    [TestCase("""{"type":"object","x-kubernetes-int-or-string":true,"x-kubernetes-preserve-unknown-fields":true}""", At + ".properties[spec].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true")]
    [TestCase("""{"type":"string","x-kubernetes-embedded-resource":true}""", At + ".properties[spec].type: Invalid value: \"string\": must be object if x-kubernetes-embedded-resource is true")]
    [TestCase("""{"type":"object","x-kubernetes-embedded-resource":true}""", At + ".properties[spec].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields")]
    [TestCase("""{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"kind":{"type":"integer"}}}""", At + ".properties[spec].properties[kind].type: Invalid value: \"integer\": must be string")]
    [TestCase("""{"type":"object","properties":{"metadata":{"type":"object"}},"anyOf":[{"properties":{"metadata":{}}}]}""", At + ".properties[spec].anyOf[0].properties[metadata]: Forbidden: must not be specified in a nested context")]
    [TestCase("""{"type":"string","anyOf":[{"type":"string"}]}""", At + ".properties[spec].anyOf[0].type: Forbidden: must be empty to be structural")]
    [TestCase("""{"type":"string","oneOf":[{"default":"a"}]}""", At + ".properties[spec].oneOf[0].default: Forbidden: must be undefined to be structural")]
    [TestCase("""{"type":"string","not":{"description":"d"}}""", At + ".properties[spec].not.description: Forbidden: must be empty to be structural")]
    [TestCase("""{"type":"string","allOf":[{"nullable":true}]}""", At + ".properties[spec].allOf[0].nullable: Forbidden: must be false to be structural")]
    [TestCase("""{"type":"object","anyOf":[{"additionalProperties":{}}]}""", At + ".properties[spec].anyOf[0].additionalProperties: Forbidden: must be undefined to be structural")]
    [TestCase("""{"type":"object","anyOf":[{"x-kubernetes-validations":[{"rule":"true"}]}]}""", At + ".properties[spec].anyOf[0].x-kubernetes-validations: Forbidden: must be empty to be structural")]
    [TestCase("""{"type":"string","pattern":"(a)\\1"}""", At + ".properties[spec].pattern: Invalid value: \"(a)\\\\1\": must be a valid regular expression, but isn't: ")]
    public void Validate_NotStructural_ReportsUpstreamPathAndMessage(string specSchema, string expected) =>
        Assert.That(SpecErrors(specSchema), Has.Some.StartsWith(expected));

    [Test]
    public void Validate_RootRules_AreEnforced()
    {
        Assert.That(DefinitionErrors("""{"properties":{}}"""), Does.Contain(At + ".type: Required value: must not be empty at the root"));
        Assert.That(DefinitionErrors("""{"type":"string"}"""), Does.Contain(At + ".type: Invalid value: \"string\": must be object at the root"));
        Assert.That(DefinitionErrors("""{"type":"object","additionalProperties":{"type":"string"}}"""), Does.Contain(At + ".additionalProperties: Forbidden: must not be used at the root"));
        Assert.That(DefinitionErrors("""{"type":"object","nullable":true}"""), Does.Contain(At + ".nullable: Forbidden: nullable cannot be true at the root"));
    }

    [Test]
    public void Validate_RootMetadata_MaySpecifyNameAndGenerateNameOnly()
    {
        Assert.That(DefinitionErrors("""{"type":"object","properties":{"metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":20}}}}}"""), Is.Empty);
        Assert.That(DefinitionErrors("""{"type":"object","properties":{"metadata":{"type":"object","properties":{"labels":{"type":"object"}}}}}"""),
            Does.Contain(At + ".properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"));
        Assert.That(DefinitionErrors("""{"type":"object","properties":{"metadata":{"type":"string"}}}"""),
            Does.Contain(At + ".properties[metadata].type: Invalid value: \"string\": must be object"));
    }

    [Test]
    public void Validate_JunctorPropertyNotSpecified_IsIncomplete() =>
        Assert.That(DefinitionErrors("""{"type":"object","properties":{"spec":{"type":"object"}},"anyOf":[{"properties":{"status":{}}}]}"""),
            Does.Contain(At + ".properties[status]: Required value: because it is defined in " + At + ".anyOf[0].properties[status]"));

    [Test]
    public void Validate_IntOrStringAnyOfPattern_IsAllowed()
    {
        Assert.That(SpecErrors("""{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]}"""), Is.Empty);
        Assert.That(SpecErrors("""{"x-kubernetes-int-or-string":true,"allOf":[{"anyOf":[{"type":"integer"},{"type":"string"}]},{"pattern":"^[0-9]+%?$"}]}"""), Is.Empty);
    }

    [TestCase("""{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"string"}}""", At + ".properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive")]
    [TestCase("""{"type":"array","items":{"type":"string"},"uniqueItems":true}""", At + ".properties[spec].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic")]
    [TestCase("""{"type":"object","x-kubernetes-preserve-unknown-fields":false}""", At + ".properties[spec].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined")]
    [TestCase("""{"type":"object","$ref":"#/x"}""", At + ".properties[spec].$ref: Forbidden: $ref is not supported")]
    [TestCase("""{"type":"object","patternProperties":{"a":{}}}""", At + ".properties[spec].patternProperties: Forbidden: patternProperties is not supported")]
    [TestCase("""{"type":"array","items":[{"type":"string"}]}""", At + ".properties[spec].items: Forbidden: items must be a schema object and not an array")]
    [TestCase("""{"type":"null"}""", At + ".properties[spec].type: Forbidden: type cannot be set to null, use nullable as an alternative")]
    [TestCase("""{"type":"date"}""", At + ".properties[spec].type: Unsupported value: \"date\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\"")]
    [TestCase("""{"type":"string","x-kubernetes-map-type":"atomic"}""", At + ".properties[spec].type: Invalid value: \"string\": must be object if x-kubernetes-map-type is specified")]
    [TestCase("""{"type":"object","x-kubernetes-map-type":"sometimes"}""", At + ".properties[spec].x-kubernetes-map-type: Unsupported value: \"sometimes\": supported values: \"atomic\", \"granular\"")]
    [TestCase("""{"type":"object","x-kubernetes-list-type":"set"}""", At + ".properties[spec].type: Invalid value: \"object\": must be array if x-kubernetes-list-type is specified")]
    [TestCase("""{"type":"array","items":{"type":"string"},"x-kubernetes-list-type":"bag"}""", At + ".properties[spec].x-kubernetes-list-type: Unsupported value: \"bag\": supported values: \"atomic\", \"set\", \"map\"")]
    [TestCase("""{"type":"array","items":{"type":"object","properties":{"n":{"type":"string"}}},"x-kubernetes-list-type":"map"}""", At + ".properties[spec].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map")]
    [TestCase("""{"type":"array","items":{"type":"string"},"x-kubernetes-list-type":"atomic","x-kubernetes-list-map-keys":["n"]}""", At + ".properties[spec].x-kubernetes-list-type: Invalid value: \"atomic\": must be map if x-kubernetes-list-map-keys is non-empty")]
    [TestCase("""{"type":"array","items":{"type":"string"},"x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["n"]}""", At + ".properties[spec].items.type: Invalid value: \"string\": must be object if parent array's x-kubernetes-list-type is map")]
    [TestCase("""{"type":"array","items":{"type":"object","required":["n"],"properties":{"n":{"type":"object"}}},"x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["n"]}""", At + ".properties[spec].items.properties[n].type: Invalid value: \"object\": must be a scalar type if parent array's x-kubernetes-list-type is map")]
    [TestCase("""{"type":"array","items":{"type":"object","properties":{"n":{"type":"string"}}},"x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["m"]}""", At + ".properties[spec].x-kubernetes-list-map-keys: Invalid value: []string{\"m\"}: entries must all be names of item properties")]
    [TestCase("""{"type":"array","items":{"type":"object","properties":{"n":{"type":"string"}}},"x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["n"]}""", At + ".properties[spec].items.properties[n].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property")]
    [TestCase("""{"type":"array","items":{"type":"string","nullable":true},"x-kubernetes-list-type":"set"}""", At + ".properties[spec].items.nullable: Forbidden: cannot be nullable when x-kubernetes-list-type is set")]
    [TestCase("""{"type":"array","items":{"type":"object"},"x-kubernetes-list-type":"set"}""", At + ".properties[spec].items.x-kubernetes-map-type: Invalid value: \"null\": must be atomic as item of a list with x-kubernetes-list-type=set")]
    public void Validate_OpenApiRule_ReportsUpstreamPathAndMessage(string specSchema, string expected) =>
        Assert.That(SpecErrors(specSchema), Does.Contain(expected));

    [Test]
    public void Validate_Defaults_MustBePrunedAndValid()
    {
        Assert.That(SpecErrors("""{"type":"object","properties":{"n":{"type":"integer","default":"one"}}}"""),
            Does.Contain(At + ".properties[spec].properties[n].default: Invalid value: \"string\":  in body must be of type integer: \"string\""),
            "kube-openapi names the root of a value \"\", so its message starts with a space");
        Assert.That(SpecErrors("""{"type":"object","default":{"a":1,"zz":2},"properties":{"a":{"type":"integer"}}}"""),
            Does.Contain(At + ".properties[spec].default: Invalid value: map[string]interface {}{\"a\":1, \"zz\":2}: must not have unknown fields"));
        Assert.That(SpecErrors("""{"type":"object","default":{"a":{}},"properties":{"a":{"type":"object","required":["b"],"properties":{"b":{"type":"string"}}}}}"""),
            Does.Contain(At + ".properties[spec].default.a.b: Required value"));
        Assert.That(SpecErrors("""{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true,"default":{"kind":"Pod"}}"""),
            Does.Contain(At + ".properties[spec].default.apiVersion: Required value"));
    }

    [Test]
    public void Validate_DefaultInTopLevelMetadata_IsForbidden() =>
        Assert.That(DefinitionErrors("""{"type":"object","properties":{"apiVersion":{"type":"string","default":"v1"}}}"""),
            Does.Contain(At + ".properties[apiVersion].default: Forbidden: must not be set in top-level apiVersion"));

    [Test]
    public void Validate_StructuralErrors_ComeSortedAndSkipTheDefaultChecks()
    {
        var errors = SpecErrors("""{"type":"object","properties":{"b":{},"a":{},"n":{"type":"integer","default":"x"}}}""");

        Assert.That(errors, Is.EqualTo(new[]
        {
            At + ".properties[spec].properties[a].type: Required value: must not be empty for specified object fields",
            At + ".properties[spec].properties[b].type: Required value: must not be empty for specified object fields",
        }));
    }

    [Test]
    public void Validate_KeywordOfWrongJsonType_IsReportedAtItsPath() =>
        Assert.That(SpecErrors("""{"type":"string","maxLength":"ten"}"""),
            Is.EqualTo(new[] { At + ".properties[spec].maxLength: Invalid value: \"ten\": must be an integer" }));
}
