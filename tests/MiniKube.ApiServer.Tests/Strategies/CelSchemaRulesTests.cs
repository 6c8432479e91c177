using System.Text.Json.Nodes;
using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.CustomResources;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.Tests.Strategies;

/// <summary>
/// CRD x-kubernetes-validations through the one schema walker: CustomResourceSchema walks the
/// object and CelSchemaRules evaluates each node's compiled rules.
/// </summary>
public class CelSchemaRulesTests
{
    // In the style of public CRDs: a root rule, spec rules with messages, a transition rule, a map
    // with a key rule, a map-list with an item rule, quantity/url/ip checks.
    private const string Schema = """
        {
          "type": "object",
          "x-kubernetes-validations": [{"rule": "self.metadata.name.startsWith('app-')", "message": "name must start with app-"}],
          "properties": {
            "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
            "spec": {
              "type": "object",
              "x-kubernetes-validations": [
                {"rule": "self.minReplicas <= self.maxReplicas", "message": "minReplicas must not exceed maxReplicas"},
                {"rule": "has(self.image) || has(self.imageRef)"},
                {"rule": "!has(self.memory) || quantity(self.memory).isLessThan(quantity('64Gi'))", "messageExpression": "'memory ' + self.memory + ' is too large'", "fieldPath": ".memory"},
                {"rule": "!has(self.endpoint) || url(self.endpoint).getScheme() == 'https'", "reason": "FieldValueForbidden", "message": "endpoint must use https"},
                {"rule": "!has(self.podCIDR) || cidr(self.podCIDR).containsIP(self.nodeIP)", "message": "nodeIP must be inside podCIDR"}
              ],
              "properties": {
                "minReplicas": {"type": "integer"}, "maxReplicas": {"type": "integer"},
                "image": {"type": "string"}, "imageRef": {"type": "string"},
                "memory": {"x-kubernetes-int-or-string": true},
                "endpoint": {"type": "string"}, "podCIDR": {"type": "string"}, "nodeIP": {"type": "string"},
                "storageClass": {"type": "string", "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "storageClass is immutable"}]},
                "labels": {"type": "object", "additionalProperties": {"type": "string"},
                  "x-kubernetes-validations": [{"rule": "self.all(k, k.startsWith('a'))", "message": "label keys must start with a"}]},
                "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                  "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "port": {"type": "integer",
                    "x-kubernetes-validations": [{"rule": "self >= oldSelf", "message": "port may not decrease"}]}},
                    "x-kubernetes-validations": [{"rule": "self.port > 0 && self.port < 65536", "message": "port out of range"}]}}
              }
            }
          }
        }
        """;

    private static readonly JsonObject SchemaObject = JsonNode.Parse(Schema)!.AsObject();

    private static JsonObject Object(string spec, string name = "app-web") =>
        JsonNode.Parse($$"""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"{{name}}","namespace":"default"},"spec":{{spec}}}""")!.AsObject();

    private static (CustomResourceSchema Schema, List<string> Warnings) Compile(JsonObject schema)
    {
        var errors = new List<FieldError>();
        var warnings = new List<string>();
        var created = CustomResourceSchema.Create(schema, FieldPath.Of("openAPIV3Schema"), hasStatusSubresource: false, new CelSchemaRules(), errors, warnings);
        Assert.That(errors.Select(e => e.Message), Is.Empty);
        return (created!, warnings);
    }

    private static List<string> Check(CustomResourceSchema schema, JsonNode? obj, JsonNode? old = null)
    {
        var errors = new List<FieldError>();
        if (old is null)
        {
            schema.Validate(obj!.AsObject(), errors);
        }
        else
        {
            schema.ValidateUpdate(obj!.AsObject(), old.AsObject(), errors);
        }
        return errors.Select(e => e.Message).ToList();
    }

    private static readonly Lazy<CustomResourceSchema> Compiled = new(() =>
    {
        var (schema, warnings) = Compile(SchemaObject);
        Assert.That(warnings, Is.Empty);
        return schema;
    });

    private static List<string> Validate(JsonObject obj, JsonObject? old = null) => Check(Compiled.Value, obj, old);

    private const string Valid = """{"minReplicas":1,"maxReplicas":3,"image":"nginx","memory":"1Gi","endpoint":"https://x","podCIDR":"10.0.0.0/24","nodeIP":"10.0.0.4","labels":{"app":"x"},"ports":[{"name":"http","port":80}],"storageClass":"fast"}""";

    [Test]
    public void Validate_ValidObject_NoErrors()
    {
        Assert.That(Validate(Object(Valid)), Is.Empty);
    }

    [Test]
    public void Validate_FalseRuleWithMessage_InvalidWithSchemaType()
    {
        var errors = Validate(Object("""{"minReplicas":5,"maxReplicas":3,"image":"x"}"""));

        Assert.That(errors, Is.EqualTo(new[] { "spec: Invalid value: \"object\": minReplicas must not exceed maxReplicas" }));
    }

    [Test]
    public void Validate_FalseRuleWithoutMessage_NamesTheRule()
    {
        var errors = Validate(Object("""{"minReplicas":1,"maxReplicas":3}"""));

        Assert.That(errors, Is.EqualTo(new[] { "spec: Invalid value: \"object\": failed rule: has(self.image) || has(self.imageRef)" }));
    }

    [Test]
    public void Validate_RootRule_SeesMetadataName()
    {
        var errors = Validate(Object("""{"minReplicas":1,"maxReplicas":3,"image":"x"}""", name: "web"));

        Assert.That(errors, Is.EqualTo(new[] { ": Invalid value: \"object\": name must start with app-" }));
    }

    [Test]
    public void Validate_MessageExpressionAndFieldPath_UsedForTheError()
    {
        var errors = Validate(Object("""{"minReplicas":1,"maxReplicas":3,"image":"x","memory":"128Gi"}"""));

        Assert.That(errors, Is.EqualTo(new[] { "spec.memory: Invalid value: \"object\": memory 128Gi is too large" }));
    }

    [Test]
    public void Validate_ReasonForbidden_ForbiddenError()
    {
        var errors = Validate(Object("""{"minReplicas":1,"maxReplicas":3,"image":"x","endpoint":"http://x"}"""));

        Assert.That(errors, Is.EqualTo(new[] { "spec: Forbidden: endpoint must use https" }));
    }

    [Test]
    public void Validate_CidrRule_Evaluated()
    {
        var errors = Validate(Object("""{"minReplicas":1,"maxReplicas":3,"image":"x","podCIDR":"10.0.0.0/24","nodeIP":"10.1.0.4"}"""));

        Assert.That(errors, Is.EqualTo(new[] { "spec: Invalid value: \"object\": nodeIP must be inside podCIDR" }));
    }

    [Test]
    public void Validate_RuleOnMap_IteratesKeys()
    {
        var errors = Validate(Object("""{"minReplicas":1,"maxReplicas":3,"image":"x","labels":{"app":"x","tier":"y"}}"""));

        Assert.That(errors, Is.EqualTo(new[] { "spec.labels: Invalid value: \"object\": label keys must start with a" }));
    }

    [Test]
    public void Validate_ListItemRule_PathHasIndex()
    {
        var errors = Validate(Object("""{"minReplicas":1,"maxReplicas":3,"image":"x","ports":[{"name":"a","port":80},{"name":"b","port":70000}]}"""));

        Assert.That(errors, Is.EqualTo(new[] { "spec.ports[1]: Invalid value: \"object\": port out of range" }));
    }

    [Test]
    public void Validate_TransitionRule_SkippedOnCreate_CheckedOnUpdate()
    {
        var created = Object(Valid);
        var changed = Object(Valid.Replace("\"fast\"", "\"slow\"", StringComparison.Ordinal));

        Assert.That(Validate(changed), Is.Empty);
        Assert.That(Validate(changed, created), Is.EqualTo(new[] { "spec.storageClass: Invalid value: \"string\": storageClass is immutable" }));
    }

    [Test]
    public void Validate_MapListItems_CorrelatedByKey()
    {
        var old = Object(Valid.Replace("""[{"name":"http","port":80}]""", """[{"name":"http","port":80},{"name":"https","port":443}]""", StringComparison.Ordinal));
        // Reordered and one port lowered: only the item with the same key is compared.
        var updated = Object(Valid.Replace("""[{"name":"http","port":80}]""", """[{"name":"https","port":8443},{"name":"http","port":79}]""", StringComparison.Ordinal));

        var errors = Validate(updated, old);

        Assert.That(errors, Is.EqualTo(new[] { "spec.ports[1].port: Invalid value: \"integer\": port may not decrease" }));
    }

    [Test]
    public void Validate_UnchangedInvalidValue_Ratcheted()
    {
        var invalid = Object("""{"minReplicas":5,"maxReplicas":3,"image":"x"}""");

        var errors = Validate(invalid, invalid.DeepClone().AsObject());

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Validate_RuntimeError_ReportedWithRule()
    {
        var errors = Validate(Object("""{"minReplicas":1,"maxReplicas":3,"image":"x","memory":"lots"}"""));

        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Does.StartWith("spec: Invalid value: \"object\": quantities must match the regular expression")
            .And.EndWith("evaluating rule: !has(self.memory) || quantity(self.memory).isLessThan(quantity('64Gi'))"));
    }

    [Test]
    public void Compile_BadRule_WarningAndRuleSkipped()
    {
        var schema = JsonNode.Parse("""
            {"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},
              "x-kubernetes-validations":[{"rule":"self.a.frob()"},{"rule":"self.a >"},{"rule":"self.a > 0","message":"a must be positive"}]}}}
            """)!.AsObject();

        var (rules, warnings) = Compile(schema);
        var errors = Check(rules, JsonNode.Parse("""{"spec":{"a":0}}"""));

        Assert.That(warnings, Has.Count.EqualTo(2));
        Assert.That(warnings[0], Does.StartWith("openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: compilation failed: ERROR: <input>:1:8: undeclared reference to 'frob'"));
        Assert.That(warnings[1], Does.StartWith("openAPIV3Schema.properties[spec].x-kubernetes-validations[1].rule: compilation failed: ERROR: <input>:1:"));
        Assert.That(errors, Is.EqualTo(new[] { "spec: Invalid value: \"object\": a must be positive" }));
    }

    [Test]
    public void Validate_ReasonDuplicateAndRequired_AsUpstream()
    {
        var schema = JsonNode.Parse("""
            {"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"array","items":{"type":"string"}}},
              "x-kubernetes-validations":[
                {"rule":"self.a.all(x, self.a.exists_one(y, x == y))","reason":"FieldValueDuplicate","fieldPath":".a"},
                {"rule":"has(self.b)","reason":"FieldValueRequired","message":"b is required"}]}}}
            """)!.AsObject();
        var (rules, _) = Compile(schema);

        var errors = Check(rules, JsonNode.Parse("""{"spec":{"a":["x","x"]}}"""));

        Assert.That(errors, Is.EqualTo(new[]
        {
            "spec.a: Duplicate value: \"object\"",
            "spec: Required value: b is required",
        }));
    }

    [Test]
    public void CompileAndValidate_LargeSchemaAndObject_FastEnoughToServe()
    {
        // 300 properties with a rule each (a deep public CRD has dozens), and a list of 1,000 items with an item rule.
        var properties = new JsonObject();
        for (var i = 0; i < 300; i++)
        {
            properties[$"f{i}"] = JsonNode.Parse($$"""{"type":"integer","x-kubernetes-validations":[{"rule":"self >= {{i}} && self < 100000","message":"f{{i}} out of range"}]}""");
        }
        properties["items"] = JsonNode.Parse("""{"type":"array","items":{"type":"object","properties":{"n":{"type":"integer"},"s":{"type":"string"}},"x-kubernetes-validations":[{"rule":"self.n >= 0 && self.s.matches('^[a-z]+$')"}]}}""");
        var schema = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["spec"] = new JsonObject { ["type"] = "object", ["properties"] = properties } } };
        var spec = new JsonObject();
        for (var i = 0; i < 300; i++)
        {
            spec[$"f{i}"] = i;
        }
        spec["items"] = new JsonArray(Enumerable.Range(0, 1000).Select(i => (JsonNode)new JsonObject { ["n"] = i, ["s"] = "abc" }).ToArray());
        var obj = new JsonObject { ["spec"] = spec };

        // The first compile in a process also pays for JIT and ANTLR's parser warm-up; measure the steady state.
        Compile(schema.DeepClone().AsObject());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (rules, warnings) = Compile(schema);
        var compiled = clock.Elapsed;
        var errors = Check(rules, obj);
        var validated = clock.Elapsed - compiled;

        TestContext.Out.WriteLine($"compile 301 rules: {compiled.TotalMilliseconds:F0} ms; validate 1,300 evaluations: {validated.TotalMilliseconds:F0} ms");
        Assert.That(warnings, Is.Empty);
        Assert.That(errors, Is.Empty);
        // A fraction of a second on an idle machine; the bound leaves room for a loaded one and catches quadratic walks.
        Assert.That(compiled + validated, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void CompiledOnFirstUse_NothingCompiledUntilAnObjectReachesTheRules()
    {
        var engine = new CountingEngine();
        var warnings = new List<string>();

        var schema = CustomResourceSchema.Create(SchemaObject.DeepClone().AsObject(), FieldPath.Of("openAPIV3Schema"), hasStatusSubresource: false,
            CelSchemaRules.CompiledOnFirstUse(engine), [], warnings)!;
        var afterCreate = engine.Compiled;
        var found = Check(schema, Object("""{"minReplicas":5,"maxReplicas":3,"image":"x"}"""));
        var afterFirst = engine.Compiled;
        Check(schema, Object(Valid));

        Assert.That(afterCreate, Is.Zero);
        Assert.That(found, Is.EqualTo(new[] { "spec: Invalid value: \"object\": minReplicas must not exceed maxReplicas" }));
        // The root's and spec's rules (one messageExpression among them); the nested nodes' compile when an object has them.
        Assert.That(afterFirst, Is.EqualTo(7));
        Assert.That(engine.Compiled, Is.EqualTo(afterFirst + 4), "the second object adds the labels, ports and storageClass nodes' rules, and compiles nothing twice");
        Assert.That(warnings, Is.Empty);
    }

    [Test]
    public void CompiledOnFirstUse_SameErrorsAsCompiledAtOnce()
    {
        var deferred = CustomResourceSchema.Create(SchemaObject.DeepClone().AsObject(), FieldPath.Of("openAPIV3Schema"), hasStatusSubresource: false,
            CelSchemaRules.CompiledOnFirstUse(), [], [])!;
        JsonObject[] objects =
        [
            Object(Valid),
            Object("""{"minReplicas":1,"maxReplicas":3,"image":"x","memory":"128Gi","endpoint":"http://x"}"""),
            Object("""{"minReplicas":1,"maxReplicas":3,"image":"x","ports":[{"name":"a","port":80},{"name":"b","port":70000}]}""", name: "web"),
        ];
        var changed = Object(Valid.Replace("\"fast\"", "\"slow\"", StringComparison.Ordinal));

        foreach (var obj in objects)
        {
            Assert.That(Check(deferred, obj), Is.EqualTo(Validate(obj)));
        }
        Assert.That(Check(deferred, changed, Object(Valid)), Is.EqualTo(Validate(changed, Object(Valid))).And.Not.Empty);
    }

    [Test]
    public void CompiledOnFirstUse_BadRule_NoWarningAndSkipped()
    {
        var schema = JsonNode.Parse("""
            {"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},
              "x-kubernetes-validations":[{"rule":"self.a.frob()"},{"rule":"self.a > 0","message":"a must be positive"}]}}}
            """)!.AsObject();
        var warnings = new List<string>();

        var rules = CustomResourceSchema.Create(schema, FieldPath.Of("openAPIV3Schema"), hasStatusSubresource: false, CelSchemaRules.CompiledOnFirstUse(), [], warnings)!;

        Assert.That(Check(rules, JsonNode.Parse("""{"spec":{"a":0}}""")), Is.EqualTo(new[] { "spec: Invalid value: \"object\": a must be positive" }));
        Assert.That(warnings, Is.Empty, "the CRD-time check warns; the served schema has no one to tell");
    }

    // The real engine, counting what it is asked to compile.
    private sealed class CountingEngine : ICelEngine
    {
        private int compiled;

        public int Compiled => Volatile.Read(ref compiled);

        public CelCompilation Compile(string expression, CelDeclarations declarations)
        {
            Interlocked.Increment(ref compiled);
            return CelNetEngine.Instance.Compile(expression, declarations);
        }
    }

    [TestCase("self.items.all(i, i.x > 0)", "no such key: x evaluating rule: self.items.all(i, i.x > 0)")]
    [TestCase("self.items.all(i, i.y > 'a')", "'no such overload': call arguments did not match a supported operator, function or macro signature for rule: self.items.all(i, i.y > 'a')")]
    public void Validate_RuleFailingInsideAll_ReportedAsError(string rule, string expected)
    {
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["type"] = "object",
                    ["x-kubernetes-preserve-unknown-fields"] = true,
                    ["x-kubernetes-validations"] = new JsonArray(new JsonObject { ["rule"] = rule }),
                },
            },
        };
        var (rules, _) = Compile(schema);

        var errors = Check(rules, JsonNode.Parse("""{"spec":{"items":[{"y":1}]}}"""));

        Assert.That(errors, Is.EqualTo(new[] { "spec: Invalid value: \"object\": " + expected }));
    }
}
