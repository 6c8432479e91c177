using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// Checks the type meta of embedded resources (x-kubernetes-embedded-resource), as
/// apiextensions-apiserver pkg/apiserver/schema/objectmeta/validation.go does: apiVersion and kind
/// are required strings, apiVersion a group/version, kind a DNS-1035 label in any case. The
/// resource root's own type meta and metadata are checked by the generic ObjectMeta validation,
/// not here. Embedded metadata beyond its shape (names, labels) is not checked yet.
/// </summary>
public static class EmbeddedResourceValidator
{
    public static List<FieldError> Validate(JsonNode? value, StructuralSchema schema, FieldPath? at = null, bool isResourceRoot = true)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var errors = new List<FieldError>();
        if (schema.HasEmbeddedBelow || (!isResourceRoot && schema.XEmbeddedResource))
        {
            Walk(value, schema, ValuePath.Root, at ?? FieldPath.Root, isResourceRoot, errors);
        }
        return errors;
    }

    private static void Walk(JsonNode? value, StructuralSchema schema, ValuePath path, FieldPath root, bool skipSelf, List<FieldError> errors)
    {
        switch (value)
        {
            case JsonObject obj:
                if (schema.XEmbeddedResource && !skipSelf)
                {
                    TypeMeta(obj, path.ToFieldPath(root), errors);
                }
                foreach (var (key, child) in obj)
                {
                    if (schema.Properties.TryGetValue(key, out var property))
                    {
                        if (property.HasEmbeddedBelow)
                        {
                            Walk(child, property, path.Property(key), root, false, errors);
                        }
                    }
                    else if (schema.AdditionalProperties is { HasEmbeddedBelow: true } additional)
                    {
                        Walk(child, additional, path.Key(key), root, false, errors);
                    }
                }
                break;
            case JsonArray array when schema.Items is { HasEmbeddedBelow: true } items:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], items, path.Index(i), root, false, errors);
                }
                break;
        }
    }

    private static void TypeMeta(JsonObject obj, FieldPath at, List<FieldError> errors)
    {
        if (!obj.ContainsKey("apiVersion"))
        {
            errors.Add(FieldError.Required(at.Child("apiVersion")));
        }
        if (!obj.ContainsKey("kind"))
        {
            errors.Add(FieldError.Required(at.Child("kind")));
        }
        if (obj.TryGetPropertyValue("apiVersion", out var apiVersion))
        {
            if (!JsonValues.IsString(apiVersion, out var text))
            {
                errors.Add(FieldError.Invalid(at.Child("apiVersion"), BadValue.Go(GoSyntax.ErrorValue(apiVersion)), "must be a string"));
            }
            else if (text.Length == 0)
            {
                errors.Add(FieldError.Invalid(at.Child("apiVersion"), BadValue.Of(text), "must not be empty"));
            }
            else if (text.Count(c => c == '/') > 1)
            {
                // schema.ParseGroupVersion.
                errors.Add(FieldError.Invalid(at.Child("apiVersion"), BadValue.Of(text), $"unexpected GroupVersion string: {text}"));
            }
        }
        if (obj.TryGetPropertyValue("kind", out var kind))
        {
            if (!JsonValues.IsString(kind, out var text))
            {
                errors.Add(FieldError.Invalid(at.Child("kind"), BadValue.Go(GoSyntax.ErrorValue(kind)), "must be a string"));
            }
            else if (text.Length == 0)
            {
                errors.Add(FieldError.Invalid(at.Child("kind"), BadValue.Of(text), "must not be empty"));
            }
            else if (Formats.IsDns1035Label(text.ToLowerInvariant()) is { Count: > 0 } problems)
            {
                errors.Add(FieldError.Invalid(at.Child("kind"), BadValue.Of(text), "may have mixed case, but should otherwise match: " + string.Join(",", problems)));
            }
        }
        if (obj.TryGetPropertyValue("metadata", out var metadata) && metadata is not (null or JsonObject))
        {
            errors.Add(FieldError.Invalid(at.Child("metadata"), BadValue.Go(GoSyntax.ErrorValue(metadata)), "must be an object"));
        }
    }
}
