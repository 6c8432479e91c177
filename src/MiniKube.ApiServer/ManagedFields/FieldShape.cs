using System.Collections.Concurrent;
using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.ManagedFields;

/// <summary>How ownership sees one node of an object (structured-merge-diff schema elements).</summary>
public enum ShapeKind
{
    /// <summary>A scalar, or a list or map owned as one value (atomic): a leaf of the field set.</summary>
    Atomic,
    /// <summary>An object with named fields (a Go struct); fields not in the schema are unknown.</summary>
    Struct,
    /// <summary>A granular map: every key is its own field.</summary>
    Map,
    /// <summary>A list merged by the key fields of its items (x-kubernetes-list-type: map).</summary>
    KeyedList,
    /// <summary>A list of scalars merged as a set (x-kubernetes-list-type: set).</summary>
    SetList,
    /// <summary>No schema: objects are granular maps, lists atomic (upstream's deduced type).</summary>
    Deduced,
}

/// <summary>
/// The structure of one node as field ownership needs it. Built-in kinds get theirs from
/// <see cref="ModelShapes"/>; a CRD's structural schema can implement it from
/// x-kubernetes-list-type, -list-map-keys and -map-type. Implementations are immutable and shared.
/// </summary>
public interface IFieldShape
{
    ShapeKind Kind { get; }

    /// <summary>For a struct: the named field's shape, or null when it has no such field. For a map: the value shape.</summary>
    IFieldShape? Field(string name);

    /// <summary>The item shape of a list.</summary>
    IFieldShape? Items { get; }

    /// <summary>The key fields of a <see cref="ShapeKind.KeyedList"/>'s items.</summary>
    IReadOnlyList<string> Keys { get; }

    /// <summary>The schema default of a key field an item may omit (Container ports' protocol: TCP), or null.</summary>
    JsonNode? KeyDefault(string key);

    /// <summary>
    /// For a root struct: whether an absent spec and status count as present. Built-in kinds are
    /// Go structs whose zero spec and status always serialize; custom resources are unstructured
    /// (<see cref="CustomResourceShapes"/> answers false).
    /// </summary>
    bool SpecAndStatusAlwaysPresent => Kind == ShapeKind.Struct;
}

/// <summary>Finds the shape of a kind's objects: the seam where CRD schemas plug in.</summary>
public interface IFieldShapes
{
    /// <summary>The root shape for objects of <paramref name="model"/>, or <see cref="DeducedShape.Instance"/>.</summary>
    IFieldShape For(Type? model);
}

/// <summary>The shape of schemaless JSON (structured-merge-diff's deduced type).</summary>
public sealed class DeducedShape : IFieldShape
{
    public static DeducedShape Instance { get; } = new();

    private DeducedShape()
    {
    }

    public ShapeKind Kind => ShapeKind.Deduced;

    public IFieldShape? Field(string name) => this;

    public IFieldShape? Items => this;

    public IReadOnlyList<string> Keys => [];

    public JsonNode? KeyDefault(string key) => null;
}

/// <summary>
/// Shapes of the built-in kinds, from <see cref="ModelSchema"/> plus <see cref="ListTypes"/>
/// (list types, atomic maps and structs). Built lazily and cached per model and property.
/// </summary>
public sealed class ModelShapes : IFieldShapes
{
    public static ModelShapes Instance { get; } = new();

    private static readonly ConcurrentDictionary<Type, StructShape> Structs = new();
    private static readonly AtomicShape Leaf = new();

    public IFieldShape For(Type? model) => model is null ? DeducedShape.Instance : Of(ModelSchema.For(model), null, null);

    private static IFieldShape Of(SchemaNode node, Type? parent, string? property)
    {
        switch (node.Kind)
        {
            case SchemaKind.Object when node.Model is { } model && !ListTypes.IsAtomicStruct(model):
                return Structs.GetOrAdd(model, static (_, n) => new StructShape(n), node);
            case SchemaKind.Map when parent is null || property is null || !ListTypes.IsAtomicMap(parent, property):
                return new MapShape(node.Items is null ? DeducedShape.Instance : Of(node.Items, null, null));
            case SchemaKind.Array when parent is not null && property is not null && node.Items is not null:
                var (type, keys) = ListTypes.Of(parent, property);
                return type switch
                {
                    ListType.Map => new ListShape(ShapeKind.KeyedList, Of(node.Items, null, null), keys),
                    ListType.Set => new ListShape(ShapeKind.SetList, Leaf, []),
                    _ => Leaf,
                };
            case SchemaKind.Any:
                return DeducedShape.Instance;
            default:
                return Leaf;
        }
    }

    private sealed class AtomicShape : IFieldShape
    {
        public ShapeKind Kind => ShapeKind.Atomic;

        public IFieldShape? Field(string name) => null;

        public IFieldShape? Items => null;

        public IReadOnlyList<string> Keys => [];

        public JsonNode? KeyDefault(string key) => null;
    }

    private sealed class StructShape(SchemaNode node) : IFieldShape
    {
        private readonly ConcurrentDictionary<string, IFieldShape> _fields = new(StringComparer.Ordinal);

        public ShapeKind Kind => ShapeKind.Struct;

        public IFieldShape? Field(string name) =>
            _fields.TryGetValue(name, out var known) ? known
            : node.Properties.TryGetValue(name, out var property) ? _fields.GetOrAdd(name, Of(property.Schema, node.Model, name))
            : null;

        public IFieldShape? Items => null;

        public IReadOnlyList<string> Keys => [];

        public JsonNode? KeyDefault(string key) => null;
    }

    private sealed class MapShape(IFieldShape values) : IFieldShape
    {
        public ShapeKind Kind => ShapeKind.Map;

        public IFieldShape? Field(string name) => values;

        public IFieldShape? Items => null;

        public IReadOnlyList<string> Keys => [];

        public JsonNode? KeyDefault(string key) => null;
    }

    private sealed class ListShape(ShapeKind kind, IFieldShape items, IReadOnlyList<string> keys) : IFieldShape
    {
        public ShapeKind Kind => kind;

        public IFieldShape? Field(string name) => null;

        public IFieldShape? Items => items;

        public IReadOnlyList<string> Keys => keys;

        // The one defaulted key field of the built-in keyed lists (ports): protocol, TCP by default.
        public JsonNode? KeyDefault(string key) => key == "protocol" ? JsonValue.Create("TCP") : null;
    }
}
