using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// The uniqueness that <c>x-kubernetes-list-type</c> promises (apiextensions-apiserver
/// pkg/apiserver/schema/listtype/validation.go): a <c>set</c> holds no value twice, a <c>map</c>
/// holds objects whose <c>x-kubernetes-list-map-keys</c> values are unique. Each repeat is a
/// Duplicate error at its index, after the first, with the value (or, for maps, the key fields)
/// in Go's %#v, e.g. <c>Duplicate value: map[string]interface {}{"name":"a"}</c>. Paths are
/// field.Path's (map keys as <c>[key]</c>). Hashing keeps it linear in the list length.
/// </summary>
public static class ListTypeValidator
{
    public static List<FieldError> Validate(JsonObject obj, StructuralSchema schema, FieldPath? at = null)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(schema);
        var errors = new List<FieldError>();
        if (schema.HasListTypesBelow)
        {
            Object(obj, schema, ValuePath.Root, at ?? FieldPath.Root, errors);
        }
        return errors;
    }

    private static void Object(JsonObject obj, StructuralSchema schema, ValuePath path, FieldPath root, List<FieldError> errors)
    {
        if (schema.AdditionalProperties is { HasListTypesBelow: true } additional)
        {
            foreach (var (key, value) in obj)
            {
                Value(value, additional, path.Key(key), root, errors);
            }
        }
        foreach (var (key, value) in obj)
        {
            if (schema.Properties.TryGetValue(key, out var property) && property.HasListTypesBelow)
            {
                Value(value, property, path.Property(key), root, errors);
            }
        }
    }

    private static void Value(JsonNode? value, StructuralSchema schema, ValuePath path, FieldPath root, List<FieldError> errors)
    {
        switch (value)
        {
            case JsonArray array:
                Array(array, schema, path, root, errors);
                break;
            case JsonObject obj:
                Object(obj, schema, path, root, errors);
                break;
        }
    }

    private static void Array(JsonArray array, StructuralSchema schema, ValuePath path, FieldPath root, List<FieldError> errors)
    {
        switch (schema.XListType)
        {
            case "set":
                foreach (var i in Repeats(array.Select(JsonValues.Canonical).ToList()))
                {
                    errors.Add(FieldError.Duplicate(path.Index(i).ToFieldPath(root), BadValue.Go(GoSyntax.ErrorValue(array[i]))));
                }
                break;
            case "map":
                Map(array, schema, path, root, errors);
                break;
        }
        if (schema.Items is { HasListTypesBelow: true } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Value(array[i], items, path.Index(i), root, errors);
            }
        }
    }

    private static void Map(JsonArray array, StructuralSchema schema, ValuePath path, FieldPath root, List<FieldError> errors)
    {
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not null and not JsonObject)
            {
                errors.Add(FieldError.Invalid(path.Index(i).ToFieldPath(root), BadValue.Go(GoSyntax.ErrorValue(array[i])), "must be an object for an array of list-type map"));
                return;
            }
        }
        // The key of each item: its key fields that are present (an absent field is "unspecified", and equal to another absent one).
        var keys = new List<JsonObject>(array.Count);
        foreach (var item in array)
        {
            var key = new JsonObject();
            if (item is JsonObject obj)
            {
                foreach (var field in schema.XListMapKeys)
                {
                    if (obj.TryGetPropertyValue(field, out var v))
                    {
                        key[field] = v?.DeepClone();
                    }
                }
            }
            keys.Add(key);
        }
        foreach (var i in Repeats(keys.Select(k => JsonValues.Canonical(k)).ToList()))
        {
            errors.Add(FieldError.Duplicate(path.Index(i).ToFieldPath(root), BadValue.Go(GoSyntax.Interface(keys[i]))));
        }
    }

    // listtype validateListSet: every index whose value was seen exactly once before (a third copy is not reported again).
    private static IEnumerable<int> Repeats(List<string> canonical)
    {
        var seen = new Dictionary<string, int>(canonical.Count, StringComparer.Ordinal);
        for (var i = 0; i < canonical.Count; i++)
        {
            seen.TryGetValue(canonical[i], out var times);
            seen[canonical[i]] = times + 1;
            if (times == 1)
            {
                yield return i;
            }
        }
    }
}
