using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// Visits every value whose schema node lists x-kubernetes-validations, with its correlated old
/// value, and hands both to an <see cref="ISchemaRuleValidator"/> (apiextensions-apiserver
/// pkg/apiserver/schema/cel/validation.go's walk, and apiserver's common.CorrelatedObject for
/// what correlates: object properties, map keys, and items of x-kubernetes-list-type=map lists by
/// their keys; items of other lists have no old value; a structural schema has no rules inside
/// allOf/anyOf/oneOf/not). Paths are field.Path's. Subtrees without rules are not entered. The one walker of
/// rules: the CEL engine only evaluates the nodes it is handed.
/// </summary>
internal static class SchemaRuleWalker
{
    public static void Walk(ISchemaRuleValidator rules, StructuralSchema schema, JsonNode? value, JsonNode? old, FieldPath at, List<FieldError> errors)
    {
        if (!schema.HasRulesBelow || value is null)
        {
            return;
        }
        if (schema.XValidations is { Count: > 0 } list)
        {
            rules.Validate(schema, list, value, old, at, errors);
        }
        switch (value)
        {
            case JsonObject obj:
                var oldObj = old as JsonObject;
                foreach (var (key, child) in obj)
                {
                    if (schema.Properties.TryGetValue(key, out var property))
                    {
                        Walk(rules, property, child, oldObj?[key], at.Child(key), errors);
                    }
                    else if (schema.AdditionalProperties is { } additional)
                    {
                        Walk(rules, additional, child, oldObj?[key], at.Key(key), errors);
                    }
                }
                break;
            case JsonArray array when schema.Items is { HasRulesBelow: true } items:
                var oldByKey = schema.XListType == "map" && old is JsonArray oldArray ? IndexByKeys(oldArray, schema.XListMapKeys) : null;
                for (var i = 0; i < array.Count; i++)
                {
                    JsonNode? oldItem = null;
                    if (oldByKey is not null && array[i] is JsonObject item)
                    {
                        oldByKey.TryGetValue(KeyOf(item, schema.XListMapKeys), out oldItem);
                    }
                    Walk(rules, items, array[i], oldItem, at.Index(i), errors);
                }
                break;
        }
    }

    private static Dictionary<string, JsonNode?> IndexByKeys(JsonArray items, IReadOnlyList<string> keys)
    {
        var index = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item is JsonObject obj)
            {
                index.TryAdd(KeyOf(obj, keys), obj);
            }
        }
        return index;
    }

    private static string KeyOf(JsonObject item, IReadOnlyList<string> keys) =>
        string.Join("\u0000", keys.Select(k => JsonValues.Canonical(item[k])));
}
