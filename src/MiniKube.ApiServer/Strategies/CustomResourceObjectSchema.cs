using MiniKube.ApiServer.CustomResources;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// A CRD version's <see cref="CustomResourceSchema"/> (with its CEL rules, see
/// <see cref="CelSchemaRules"/>) as the <see cref="IObjectSchema"/> a <see cref="SchemaStrategy"/>
/// takes: the adapter that lets the schema engine stay in the rules layer while strategies call it.
/// </summary>
public sealed class CustomResourceObjectSchema(CustomResourceSchema schema) : IObjectSchema
{
    private readonly CustomResourceSchema schema = schema ?? throw new ArgumentNullException(nameof(schema));

    public bool HasStatusSubresource => schema.HasStatusSubresource;

    public void ApplyDefaults(JsonObject obj) => schema.ApplyDefaults(obj);

    public void Validate(JsonObject obj, List<FieldError> errors) => schema.Validate(obj, errors);

    public void ValidateUpdate(JsonObject obj, JsonObject old, List<FieldError> errors) => schema.ValidateUpdate(obj, old, errors);

    public IReadOnlyList<string> Prune(JsonObject obj) => schema.Prune(obj);
}
