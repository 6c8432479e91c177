using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// CRD-time checks of every <c>default</c> (apiextensions-apiserver
/// pkg/apiserver/schema/defaulting/validation.go ValidateDefaults): a default must not hold fields
/// pruning would drop (<c>must not have unknown fields</c>), an embedded resource's default needs
/// its type meta, and the default must pass value validation against its own node, with errors
/// below <c>….default</c>. Walks properties and items, as upstream does (additionalProperties'
/// defaults are checked only through the parent's value validation). Defaults inside an embedded
/// resource's metadata are only value-validated.
/// </summary>
internal static class DefaultChecks
{
    public static List<FieldError> Validate(StructuralSchema root, FieldPath at)
    {
        var errors = new List<FieldError>();
        if (root.HasDefaultsBelow)
        {
            Walk(root, at, insideMeta: false, isResourceRoot: true, errors);
        }
        return errors;
    }

    private static void Walk(StructuralSchema s, FieldPath at, bool insideMeta, bool isResourceRoot, List<FieldError> errors)
    {
        if (s.XEmbeddedResource)
        {
            insideMeta = false;
        }
        if (s.Default is { } value)
        {
            var path = at.Child("default");
            if (insideMeta)
            {
                errors.AddRange(ValueValidator.Validate(value, s, path));
            }
            else
            {
                var pruned = value.DeepClone();
                SchemaPruner.Prune(pruned, s, isResourceRoot: s.XEmbeddedResource);
                if (!JsonValues.Equal(pruned, value))
                {
                    errors.Add(FieldError.Invalid(path, BadValue.Go(GoSyntax.ErrorValue(value)), "must not have unknown fields"));
                }
                var meta = EmbeddedResourceValidator.Validate(value, s, path, isResourceRoot: false);
                errors.AddRange(meta.Count > 0 ? meta : ValueValidator.Validate(value, s, path));
            }
        }
        if (s.Items is { HasDefaultsBelow: true } items)
        {
            Walk(items, at.Child("items"), insideMeta, false, errors);
        }
        foreach (var (name, property) in s.Properties)
        {
            if (!property.HasDefaultsBelow)
            {
                continue;
            }
            var subInsideMeta = insideMeta || ((s.XEmbeddedResource || isResourceRoot) && name is "metadata" or "apiVersion" or "kind");
            Walk(property, at.Child("properties").Key(name), subInsideMeta, false, errors);
        }
    }
}
