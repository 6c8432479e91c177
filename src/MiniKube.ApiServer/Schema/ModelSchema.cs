using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

namespace MiniKube.ApiServer.Schema;

/// <summary>
/// Builds <see cref="SchemaNode"/>s from k8s.Models classes by reflection, once per type.
/// The models lack the patch strategies of upstream's Go types, so those come from
/// <see cref="PatchStrategies"/> (kubernetes/api core/v1 and apps/v1 types.go struct tags).
/// </summary>
public static class ModelSchema
{
    private static readonly ConcurrentDictionary<Type, SchemaNode> Cache = new();
    private static readonly Lock BuildLock = new();

    /// <summary>The schema of a model class such as typeof(V1Pod).</summary>
    public static SchemaNode For(Type model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Cache.TryGetValue(model, out var cached))
        {
            return cached;
        }
        // Building fills in recursive types through the cache, so one builder at a time.
        lock (BuildLock)
        {
            return Build(model);
        }
    }

    private static SchemaNode Build(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (Cache.TryGetValue(underlying, out var cached))
        {
            return cached;
        }
        var scalar = Scalar(underlying);
        if (scalar is not null)
        {
            return scalar;
        }
        if (underlying.IsGenericType && underlying.GetGenericArguments() is var args)
        {
            var definition = underlying.GetGenericTypeDefinition();
            if (args.Length == 2 && (definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>)))
            {
                return new SchemaNode(SchemaKind.Map) { Items = Build(args[1]) };
            }
            if (args.Length == 1 && (definition == typeof(IList<>) || definition == typeof(List<>) || definition == typeof(IEnumerable<>)))
            {
                return new SchemaNode(SchemaKind.Array) { Items = Build(args[0]) };
            }
        }
        if (underlying == typeof(object) || !underlying.IsClass || underlying.Namespace != typeof(V1Pod).Namespace)
        {
            return new SchemaNode(SchemaKind.Any);
        }
        var node = new SchemaNode(SchemaKind.Object, underlying);
        Cache[underlying] = node;
        var properties = new Dictionary<string, SchemaProperty>(StringComparer.Ordinal);
        foreach (var property in underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var jsonName = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
            if (jsonName is null)
            {
                continue;
            }
            var strategy = PatchStrategies.Find(underlying, jsonName);
            properties[jsonName] = new SchemaProperty(jsonName, Build(property.PropertyType), IsRequired(property) || RequiredFields.Contains(underlying, jsonName), property.Name)
            {
                MergeKey = strategy?.MergeKey,
                RetainKeys = strategy?.RetainKeys ?? false,
            };
        }
        node.Properties = properties;
        return node;
    }

    private static SchemaNode? Scalar(Type type)
    {
        if (type == typeof(string))
        {
            return new SchemaNode(SchemaKind.String);
        }
        if (type == typeof(int) || type == typeof(short))
        {
            return new SchemaNode(SchemaKind.Integer, format: "int32");
        }
        if (type == typeof(long))
        {
            return new SchemaNode(SchemaKind.Integer, format: "int64");
        }
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return new SchemaNode(SchemaKind.Number, format: "double");
        }
        if (type == typeof(bool))
        {
            return new SchemaNode(SchemaKind.Boolean);
        }
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return new SchemaNode(SchemaKind.Time);
        }
        if (type == typeof(byte[]))
        {
            return new SchemaNode(SchemaKind.Bytes);
        }
        if (type == typeof(IntOrString))
        {
            return new SchemaNode(SchemaKind.IntOrString);
        }
        if (type == typeof(ResourceQuantity))
        {
            return new SchemaNode(SchemaKind.Quantity);
        }
        return null;
    }

    // The models carry the OpenAPI "required" list only for value types (int vs int?);
    // required strings and lists are indistinguishable from optional ones by reflection,
    // so the common ones come from the RequiredFields table.
    private static bool IsRequired(PropertyInfo property) =>
        property.PropertyType.IsValueType && Nullable.GetUnderlyingType(property.PropertyType) is null;
}
