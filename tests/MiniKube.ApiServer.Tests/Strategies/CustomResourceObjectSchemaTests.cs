using System.Text.Json.Nodes;
using MiniKube.ApiServer.CustomResources;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.Tests.Strategies;

public class CustomResourceObjectSchemaTests
{
    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    [Test]
    public void SchemaStrategy_CustomResourceSchema_DefaultsPrunesAndValidatesCreateAndUpdate()
    {
        var errors = new List<FieldError>();
        var engine = CustomResourceSchema.Create(
            Parse("""{"type":"object","properties":{"spec":{"type":"object","properties":{"size":{"type":"integer","default":1,"maximum":5}}},"status":{"type":"object"}}}"""),
            FieldPath.Of("spec").Child("versions").Index(0).Child("schema").Child("openAPIV3Schema"), hasStatusSubresource: true, rules: null, errors, []);
        Assert.That(errors, Is.Empty);
        var schema = new CustomResourceObjectSchema(engine!);
        var strategy = new SchemaStrategy(schema);
        var obj = Parse("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"default","resourceVersion":"1"},"spec":{"typo":1}}""");

        var unknown = schema.Prune(obj);
        strategy.ApplyDefaults(obj);
        var createErrors = strategy.Validate(obj, namespaced: true);
        var updated = obj.DeepClone().AsObject();
        updated["spec"]!["size"] = 9;
        var updateErrors = strategy.ValidateUpdate(updated, obj);

        Assert.That(unknown, Is.EqualTo(new[] { "spec.typo" }));
        Assert.That(obj["spec"]!.ToJsonString(), Is.EqualTo("""{"size":1}"""));
        Assert.That(createErrors, Is.Empty);
        Assert.That(updateErrors.Select(e => e.Message), Is.EqualTo(new[] { "spec.size: Invalid value: 9: spec.size in body should be less than or equal to 5" }));
        Assert.That(strategy.OwnsStatus, Is.True);
    }

    [TestCase("""{"spec":{"a":1},"extra":2}""", true)]
    [TestCase("""{"spec":{"a":1},"status":{"b":2}}""", false)]
    [TestCase("""{"spec":{"a":1},"metadata":{"labels":{"x":"y"}}}""", false)]
    [TestCase("""{"spec":{"a":2}}""", true)]
    public void SchemaStrategy_ChangesGeneration_EverythingButMetadataAndOwnedStatus(string updated, bool changes)
    {
        var errors = new List<FieldError>();
        var engine = CustomResourceSchema.Create(Parse("""{"type":"object","x-kubernetes-preserve-unknown-fields":true}"""), FieldPath.Of("openAPIV3Schema"), hasStatusSubresource: true, rules: null, errors, []);
        var strategy = new SchemaStrategy(new CustomResourceObjectSchema(engine!));

        Assert.That(strategy.ChangesGeneration(Parse(updated), Parse("""{"spec":{"a":1},"metadata":{}}""")), Is.EqualTo(changes));
    }
}
