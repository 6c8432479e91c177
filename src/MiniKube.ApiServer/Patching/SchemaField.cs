using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Patching;

/// <summary>
/// What a schema says about one member of an object or map: its value's schema (null when
/// unknown, meaning "plain JSON") and, for lists, the strategic merge key ("" = a set of primitives,
/// null = replace the list).
/// </summary>
internal readonly record struct SchemaField(SchemaNode? Schema, string? MergeKey)
{
    public static SchemaField Of(SchemaNode? parent, string key) => parent?.Kind switch
    {
        SchemaKind.Object when parent.Properties.TryGetValue(key, out var property) => new SchemaField(property.Schema, property.MergeKey),
        SchemaKind.Map => new SchemaField(parent.Items, null),
        _ => default,
    };
}
