using System.Text.Json.Nodes;
using MiniKube.ApiServer.CustomResources;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Tests.CustomResources;

/// <summary>Shared helpers: JSON literals to schemas and objects, errors to their messages.</summary>
internal static class SchemaFixtures
{
    public static readonly FieldPath SchemaPath = FieldPath.Of("spec").Child("versions").Index(0).Child("schema").Child("openAPIV3Schema");

    public static JsonObject Json(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>Reads a schema that must read without errors.</summary>
    public static StructuralSchema ReadSchema(string json)
    {
        var errors = new List<FieldError>();
        var schema = SchemaReader.Read(Json(json), SchemaPath, errors);
        Assert.That(errors, Is.Empty, "schema reads");
        return schema;
    }

    /// <summary>A root object schema with the given spec properties JSON.</summary>
    public static StructuralSchema Spec(string specProperties) =>
        ReadSchema("""{"type":"object","properties":{"spec":{"type":"object","properties":""" + specProperties + "}}}");

    public static List<string> Messages(IEnumerable<FieldError> errors) => errors.Select(e => e.Message).ToList();

    /// <summary>The CRD-time errors of a schema, as messages.</summary>
    public static List<string> DefinitionErrors(string json) =>
        Messages(SchemaDefinitionValidator.Validate(Json(json), SchemaPath, out _));
}
