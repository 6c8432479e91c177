using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// Everything one CRD version's schema does to its custom objects, in upstream's order: created
/// once per CRD version after the CRD-time checks (<see cref="Create"/>), then per request
/// <see cref="Prune"/> (unknown fields out, their paths back for fieldValidation=Strict/Warn) →
/// <see cref="ApplyDefaults"/> → <see cref="Validate"/>/<see cref="ValidateUpdate"/> (kube-openapi
/// value validation, embedded resources' type meta, list-type uniqueness, then the CEL seam, which
/// is skipped when an error already shows a value of the wrong type, as upstream's
/// hasBlockingErr). Immutable and safe to share between requests; every walk is linear in the
/// object (and skips subtrees without defaults, list types or rules). The registry reaches it
/// through Strategies' IObjectSchema (<c>CustomResourceObjectSchema</c>), which keeps this folder
/// in the rules layer.
/// </summary>
public sealed class CustomResourceSchema
{
    private const string RulesNotChecked =
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

    private readonly ISchemaRuleValidator? rules;

    private CustomResourceSchema(StructuralSchema root, bool hasStatusSubresource, ISchemaRuleValidator? rules)
    {
        Root = root;
        HasStatusSubresource = hasStatusSubresource;
        this.rules = rules;
    }

    /// <summary>The structural schema of the version.</summary>
    public StructuralSchema Root { get; }

    public bool HasStatusSubresource { get; }

    /// <summary>
    /// Checks a version's <c>openAPIV3Schema</c> as a CRD create/update does and, when it passes,
    /// returns the engine for its objects. <paramref name="at"/> is where the schema sits in the
    /// CRD (<c>spec.versions[0].schema.openAPIV3Schema</c>); errors (a 422 for the CRD) and
    /// warnings (rules the CEL engine cannot compile) are added to the lists.
    /// </summary>
    public static CustomResourceSchema? Create(JsonObject openApiV3Schema, FieldPath at, bool hasStatusSubresource,
        ISchemaRuleValidator? rules, List<FieldError> errors, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(warnings);
        var found = SchemaDefinitionValidator.Validate(openApiV3Schema, at, out var root);
        if (found.Count == 0 && rules is not null && root.HasRulesBelow)
        {
            CheckRules(rules, root, at, found, warnings);
        }
        errors.AddRange(found);
        return found.Count == 0 ? new CustomResourceSchema(root, hasStatusSubresource, rules) : null;
    }

    /// <summary>Removes unknown fields in place; returns their paths (e.g. <c>spec.foo</c>), sorted, for Strict errors and Warn warnings.</summary>
    public IReadOnlyList<string> Prune(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return SchemaPruner.Prune(obj, Root);
    }

    public void ApplyDefaults(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        SchemaDefaulter.Apply(obj, Root);
    }

    public void Validate(JsonObject obj, List<FieldError> errors) => Check(obj, null, errors);

    public void ValidateUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(old);
        Check(obj, old, errors);
    }

    private void Check(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(errors);
        var found = ValueValidator.Validate(obj, Root);
        found.AddRange(EmbeddedResourceValidator.Validate(obj, Root));
        found.AddRange(ListTypeValidator.Validate(obj, Root));
        if (rules is not null && Root.HasRulesBelow)
        {
            if (found.Any(e => e.Type == FieldErrorType.FieldValueTypeInvalid))
            {
                found.Add(FieldError.Invalid(FieldPath.Of("<nil>"), BadValue.Go("\"null\""), RulesNotChecked));
            }
            else
            {
                SchemaRuleWalker.Walk(rules.BeginObject(), Root, obj, old, FieldPath.Root, found);
            }
        }
        errors.AddRange(found);
    }

    private static void CheckRules(ISchemaRuleValidator rules, StructuralSchema node, FieldPath at, List<FieldError> errors, List<string> warnings)
    {
        if (!node.HasRulesBelow)
        {
            return;
        }
        if (node.XValidations is { Count: > 0 } list)
        {
            rules.CheckRules(node, list, at, errors, warnings);
        }
        foreach (var (name, property) in node.Properties)
        {
            CheckRules(rules, property, at.Child("properties").Key(name), errors, warnings);
        }
        if (node.Items is not null)
        {
            CheckRules(rules, node.Items, at.Child("items"), errors, warnings);
        }
        if (node.AdditionalProperties is not null)
        {
            CheckRules(rules, node.AdditionalProperties, at.Child("additionalProperties"), errors, warnings);
        }
    }
}
