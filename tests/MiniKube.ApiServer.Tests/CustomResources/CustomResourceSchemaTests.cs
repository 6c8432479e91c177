using System.Diagnostics;
using System.Text.Json.Nodes;
using MiniKube.ApiServer.CustomResources;
using MiniKube.ApiServer.Errors;
using static MiniKube.ApiServer.Tests.CustomResources.SchemaFixtures;

namespace MiniKube.ApiServer.Tests.CustomResources;

public class CustomResourceSchemaTests
{
    private const string WidgetSchema = """
        {"type":"object","properties":{
          "spec":{"type":"object","required":["size"],"properties":{
            "size":{"type":"integer","minimum":1,"default":1},
            "color":{"type":"string","enum":["red","blue"],"default":"red"},
            "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                     "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"count":{"type":"integer"}},
                              "x-kubernetes-validations":[{"rule":"self.count >= 0"}]}}},
            "x-kubernetes-validations":[{"rule":"self.size < 10","message":"too big"}]},
          "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}
        """;

    private static CustomResourceSchema Create(string schema, ISchemaRuleValidator? rules = null)
    {
        var errors = new List<FieldError>();
        var result = CustomResourceSchema.Create(Json(schema), SchemaPath, hasStatusSubresource: true, rules, errors, []);
        Assert.That(Messages(errors), Is.Empty);
        return result!;
    }

    [Test]
    public void Create_NotStructural_ReturnsNullWithErrors()
    {
        var errors = new List<FieldError>();

        var result = CustomResourceSchema.Create(Json("""{"type":"object","properties":{"spec":{}}}"""), SchemaPath, false, null, errors, []);

        Assert.That(result, Is.Null);
        Assert.That(Messages(errors), Is.EqualTo(new[] { "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields" }));
    }

    [Test]
    public void Pipeline_PruneDefaultValidate_InUpstreamOrder()
    {
        var schema = Create(WidgetSchema);
        var obj = Json("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"color":"green","extra":1}}""");

        var unknown = schema.Prune(obj);
        schema.ApplyDefaults(obj);
        var errors = new List<FieldError>();
        schema.Validate(obj, errors);

        Assert.That(unknown, Is.EqualTo(new[] { "spec.extra" }));
        Assert.That(obj["spec"]!["size"]!.GetValue<int>(), Is.EqualTo(1), "the default fills the required field before validation");
        Assert.That(Messages(errors), Is.EqualTo(new[] { "spec.color: Unsupported value: \"green\": supported values: \"red\", \"blue\"" }));
    }

    [Test]
    public void Validate_WithoutRuleValidator_SkipsRules()
    {
        var schema = Create(WidgetSchema);
        var errors = new List<FieldError>();

        schema.Validate(Json("""{"spec":{"size":50}}"""), errors);

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void ValidateUpdate_RuleValidator_GetsEachRuleNodeWithItsCorrelatedOldValue()
    {
        var rules = new RecordingRules();
        var schema = Create(WidgetSchema, rules);
        var old = Json("""{"spec":{"size":2,"items":[{"name":"a","count":1},{"name":"b","count":2}]}}""");
        var obj = Json("""{"spec":{"size":3,"items":[{"name":"b","count":5},{"name":"c","count":6}]}}""");

        var errors = new List<FieldError>();
        schema.ValidateUpdate(obj, old, errors);

        Assert.That(rules.Calls, Is.EqualTo(new[]
        {
            "spec: self={\"size\":3,\"items\":[{\"name\":\"b\",\"count\":5},{\"name\":\"c\",\"count\":6}]} old={\"size\":2,\"items\":[{\"name\":\"a\",\"count\":1},{\"name\":\"b\",\"count\":2}]}",
            "spec.items[0]: self={\"name\":\"b\",\"count\":5} old={\"name\":\"b\",\"count\":2}",
            "spec.items[1]: self={\"name\":\"c\",\"count\":6} old=null",
        }));
        Assert.That(Messages(errors), Is.EqualTo(new[] { "spec: Invalid value: \"object\": recorded" }));
    }

    [Test]
    public void Validate_TypeErrors_BlockTheRulesAsUpstream()
    {
        var rules = new RecordingRules();
        var schema = Create(WidgetSchema, rules);
        var errors = new List<FieldError>();

        schema.Validate(Json("""{"spec":{"size":"big"}}"""), errors);

        Assert.That(rules.Calls, Is.Empty);
        Assert.That(Messages(errors), Does.Contain("<nil>: Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"));
    }

    [Test]
    public void Create_RuleValidator_ChecksEveryRuleNodeAtCrdTime()
    {
        var rules = new RecordingRules();
        var warnings = new List<string>();

        CustomResourceSchema.Create(Json(WidgetSchema), SchemaPath, true, rules, [], warnings);

        Assert.That(rules.Checked, Is.EqualTo(new[]
        {
            "spec.versions[0].schema.openAPIV3Schema.properties[spec]",
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[items].items",
        }));
        Assert.That(warnings, Is.EqualTo(new[] { "checked 2 rules" }));
    }

    [Test]
    public void Validate_ListTypeAndEmbeddedErrors_AreIncluded()
    {
        var schema = Create("""
            {"type":"object","properties":{"spec":{"type":"object","properties":{
              "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
              "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}}}}
            """);
        var errors = new List<FieldError>();

        schema.Validate(Json("""{"spec":{"tags":["a","a"],"template":{"kind":"Pod"}}}"""), errors);

        Assert.That(Messages(errors), Is.EqualTo(new[] { "spec.template.apiVersion: Required value", "spec.tags[1]: Duplicate value: \"a\"" }));
    }

    [Test]
    public void LargeSchema_CheckedAndUsedWellUnderASecond()
    {
        // A CRD schema of over 1 MB in the style of the big public operators: deep nesting, many
        // properties with descriptions, patterns, enums, defaults, int-or-string and list maps;
        // and an object using every level of it. Measured in processor time after a warm-up run,
        // because the test machine is shared and wall-clock time says little there.
        var (schemaJson, objectJson) = LargeSchemaAndObject();
        Assert.That(schemaJson.Length, Is.GreaterThan(1_000_000));
        RunPipeline(schemaJson, objectJson);

        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var (errors, unknown) = RunPipeline(schemaJson, objectJson);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - before;

        Assert.That(errors, Is.Empty);
        Assert.That(unknown, Is.EqualTo(new[] { "spec.unknownField" }));
        Assert.That(cpu, Is.LessThan(TimeSpan.FromSeconds(1)), "a 1 MB CRD must become usable, and its object checked, in well under a second");
    }

    private static (List<string> Errors, IReadOnlyList<string> Unknown) RunPipeline(string schemaJson, string objectJson)
    {
        var schema = Create(schemaJson);
        var obj = Json(objectJson);
        var unknown = schema.Prune(obj);
        schema.ApplyDefaults(obj);
        var errors = new List<FieldError>();
        schema.Validate(obj, errors);
        return (Messages(errors), unknown);
    }

    /// <summary>Records rule calls instead of evaluating CEL.</summary>
    private sealed class RecordingRules : ISchemaRuleValidator
    {
        public List<string> Calls { get; } = [];

        public List<string> Checked { get; } = [];

        public void CheckRules(StructuralSchema node, JsonArray rules, FieldPath at, List<FieldError> errors, List<string> warnings)
        {
            Checked.Add(at.ToString());
            if (Checked.Count == 2)
            {
                warnings.Add("checked 2 rules");
            }
        }

        public void Validate(StructuralSchema node, JsonArray rules, JsonNode? value, JsonNode? oldValue, FieldPath at, List<FieldError> errors)
        {
            Calls.Add($"{at}: self={value?.ToJsonString()} old={oldValue?.ToJsonString() ?? "null"}");
            if (at.ToString() == "spec")
            {
                errors.Add(FieldError.Invalid(at, BadValue.Of("object"), "recorded"));
            }
        }
    }

    // Breadth 6, depth 5 (1,555 object levels, 1.6 MB of schema); each level has fields with every kind of keyword.
    private static (string Schema, string Object) LargeSchemaAndObject()
    {
        var counter = 0;
        JsonObject Level(int depth, JsonObject value)
        {
            var properties = new JsonObject
            {
                ["name"] = new JsonObject { ["type"] = "string", ["description"] = new string('d', 200), ["pattern"] = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", ["maxLength"] = 63 },
                ["mode"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("Always", "Never", "IfNotPresent"), ["default"] = "Always" },
                ["port"] = new JsonObject { ["x-kubernetes-int-or-string"] = true, ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" }) },
                ["count"] = new JsonObject { ["type"] = "integer", ["format"] = "int32", ["minimum"] = 0, ["maximum"] = 1000 },
                ["when"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
                ["env"] = new JsonObject
                {
                    ["type"] = "array", ["x-kubernetes-list-type"] = "map", ["x-kubernetes-list-map-keys"] = new JsonArray("name"),
                    ["items"] = new JsonObject { ["type"] = "object", ["required"] = new JsonArray("name"), ["properties"] = new JsonObject { ["name"] = new JsonObject { ["type"] = "string" }, ["value"] = new JsonObject { ["type"] = "string" } } },
                },
                ["labels"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string" } },
            };
            value["name"] = "n" + counter++;
            value["port"] = "http";
            value["count"] = 3;
            value["when"] = "2024-01-02T03:04:05Z";
            value["env"] = new JsonArray(new JsonObject { ["name"] = "A", ["value"] = "1" }, new JsonObject { ["name"] = "B" });
            value["labels"] = new JsonObject { ["app"] = "x" };
            if (depth < 4)
            {
                for (var i = 0; i < 6; i++)
                {
                    var child = new JsonObject();
                    properties["child" + i] = Level(depth + 1, child);
                    value["child" + i] = child;
                }
            }
            return new JsonObject { ["type"] = "object", ["description"] = new string('x', 100), ["properties"] = properties };
        }

        var spec = new JsonObject();
        var specSchema = Level(0, spec);
        spec["unknownField"] = 1;
        var root = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["spec"] = specSchema } };
        var schemaText = root.ToJsonString();
        var obj = new JsonObject { ["apiVersion"] = "example.com/v1", ["kind"] = "Big", ["metadata"] = new JsonObject { ["name"] = "big" }, ["spec"] = spec };
        return (schemaText, obj.ToJsonString());
    }
}
