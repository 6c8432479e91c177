namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// Applies a structural schema's <c>default</c>s in place, top-down as upstream's
/// defaulting/algorithm.go does: an object's absent properties (and those holding a null the
/// schema does not allow) get their default first, then every field is descended into, so a
/// default object is itself completed by the defaults below it; map values and list items that
/// are non-nullable nulls take the additionalProperties/items default. A null where the schema is
/// nullable stays null. Subtrees without any default are skipped.
/// </summary>
public static class SchemaDefaulter
{
    public static void Apply(JsonNode? node, StructuralSchema? schema)
    {
        if (schema is null || !schema.HasDefaultsBelow)
        {
            return;
        }
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, property) in schema.Properties)
                {
                    if (property.Default is null)
                    {
                        continue;
                    }
                    if (!obj.TryGetPropertyValue(name, out var value) || IsNonNullableNull(value, property))
                    {
                        obj[name] = property.Default.DeepClone();
                    }
                }
                // Defaults set above are descended into as well: a default may lack fields that have defaults of their own.
                foreach (var (name, value) in obj.ToList())
                {
                    if (schema.Properties.TryGetValue(name, out var property))
                    {
                        Apply(value, property);
                    }
                    else if (schema.AdditionalProperties is { } additional)
                    {
                        if (IsNonNullableNull(value, additional) && additional.Default is not null)
                        {
                            obj[name] = additional.Default.DeepClone();
                        }
                        Apply(obj[name], additional);
                    }
                }
                break;
            case JsonArray array when schema.Items is { } items:
                for (var i = 0; i < array.Count; i++)
                {
                    if (IsNonNullableNull(array[i], items) && items.Default is not null)
                    {
                        array[i] = items.Default.DeepClone();
                    }
                    Apply(array[i], items);
                }
                break;
        }
    }

    private static bool IsNonNullableNull(JsonNode? value, StructuralSchema schema) => value is null && !schema.Nullable;
}
