namespace MiniKube.ApiServer.Schema;

/// <summary>The JSON shape of a schema node.</summary>
public enum SchemaKind
{
    Object,
    Array,
    Map,
    String,
    Integer,
    Number,
    Boolean,
    /// <summary>Either a JSON integer or a string (intstr.IntOrString).</summary>
    IntOrString,
    /// <summary>A resource.Quantity: a string such as "100m", or a number.</summary>
    Quantity,
    /// <summary>A metav1.Time or MicroTime: an RFC 3339 string.</summary>
    Time,
    /// <summary>A []byte: a base64 string.</summary>
    Bytes,
    /// <summary>Free-form JSON (runtime.RawExtension, JSON).</summary>
    Any,
}

/// <summary>
/// One node of a kind's schema, derived from its <c>k8s.Models</c> class: which JSON fields an
/// object may have and what each holds. Strategic merge patch reads the list strategies from
/// it, field pruning the allowed properties, and OpenAPI is rendered from it. Nodes are shared
/// between uses of the same model type and immutable once built.
/// </summary>
public sealed class SchemaNode
{
    internal SchemaNode(SchemaKind kind, Type? model = null, string? format = null)
    {
        Kind = kind;
        Model = model;
        Format = format;
    }

    public SchemaKind Kind { get; }

    /// <summary>OpenAPI format of a scalar: int32, int64 or double; null otherwise.</summary>
    public string? Format { get; }

    /// <summary>The k8s.Models class for objects, null for everything else.</summary>
    public Type? Model { get; }

    /// <summary>Properties by JSON name (objects only).</summary>
    public IReadOnlyDictionary<string, SchemaProperty> Properties { get; internal set; } = new Dictionary<string, SchemaProperty>();

    /// <summary>Element schema of an array, or value schema of a map.</summary>
    public SchemaNode? Items { get; internal set; }
}

/// <summary>A property of an object schema.</summary>
/// <param name="Name">JSON name, e.g. containerPort.</param>
/// <param name="Schema">Its value's schema.</param>
/// <param name="Required">True when the API requires it.</param>
/// <param name="ClrName">The model's property name, for finding its documentation.</param>
public sealed record SchemaProperty(string Name, SchemaNode Schema, bool Required, string ClrName)
{
    /// <summary>
    /// For arrays: the strategic-merge-patch merge key (e.g. "name" for containers), or null
    /// when the list is replaced wholesale. A primitive list merged as a set has <see cref="MergeKey"/> "".
    /// </summary>
    public string? MergeKey { get; init; }

    /// <summary>True for patch strategy retainKeys (PodSpec.volumes, DeploymentSpec.strategy).</summary>
    public bool RetainKeys { get; init; }
}
