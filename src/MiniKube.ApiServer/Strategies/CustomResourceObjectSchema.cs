using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.CustomResources;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// A CRD version's <see cref="CustomResourceSchema"/> and its compiled CEL rules as the
/// <see cref="IObjectSchema"/> a <see cref="SchemaStrategy"/> takes: the adapter that lets the
/// schema engine and CEL stay in the rules layer while strategies call them. The rules run after
/// the schema's checks unless one of those found a value of the wrong type (upstream's hasBlockingErr).
/// </summary>
public sealed class CustomResourceObjectSchema(CustomResourceSchema schema, CustomResourceRules? rules = null) : IObjectSchema
{
    private const string RulesNotChecked =
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

    private readonly CustomResourceSchema schema = schema ?? throw new ArgumentNullException(nameof(schema));

    public bool HasStatusSubresource => schema.HasStatusSubresource;

    public void ApplyDefaults(JsonObject obj) => schema.ApplyDefaults(obj);

    public void Validate(JsonObject obj, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        schema.Validate(obj, errors);
        CheckRules(obj, null, errors);
    }

    public void ValidateUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        schema.ValidateUpdate(obj, old, errors);
        CheckRules(obj, old, errors);
    }

    public IReadOnlyList<string> Prune(JsonObject obj) => schema.Prune(obj);

    private void CheckRules(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        if (rules is null || rules.IsEmpty)
        {
            return;
        }
        if (errors.Any(e => e.Type == FieldErrorType.FieldValueTypeInvalid))
        {
            errors.Add(FieldError.Invalid(FieldPath.Of("<nil>"), BadValue.Go("\"null\""), RulesNotChecked));
            return;
        }
        rules.Validate(obj, old, errors);
    }
}
