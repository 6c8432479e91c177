namespace MiniKube.ApiServer.Cel;

/// <summary>The CEL types a result may have.</summary>
public enum CelValueKind
{
    Null,
    Bool,
    Int,
    UInt,
    Double,
    String,
    Bytes,
    List,
    Map,
    Duration,
    Timestamp,
    /// <summary>A value of a Kubernetes library type (quantity, URL, IP, CIDR, format, optional) or a type.</summary>
    Other,
}

/// <summary>
/// A CEL result in engine-neutral form: bool, int (long), uint (ulong), double, string, bytes,
/// list (<see cref="IReadOnlyList{T}"/> of CelValue), map (string keys), null, or an opaque value.
/// </summary>
public sealed record CelValue(CelValueKind Kind, object? Raw)
{
    public static CelValue Null { get; } = new(CelValueKind.Null, null);

    /// <summary>The string of a string result; null for any other kind.</summary>
    public string? AsString() => Kind == CelValueKind.String ? (string?)Raw : null;

    /// <summary>The boolean of a bool result; null for any other kind.</summary>
    public bool? AsBool() => Kind == CelValueKind.Bool ? (bool?)Raw : null;

    /// <summary>The list's items, when this is a list.</summary>
    public IReadOnlyList<CelValue>? AsList() => Raw as IReadOnlyList<CelValue>;

    /// <summary>The map's entries, when this is a map.</summary>
    public IReadOnlyDictionary<string, CelValue>? AsMap() => Raw as IReadOnlyDictionary<string, CelValue>;

    /// <summary>The value as JSON (durations and library types as their string form).</summary>
    public JsonNode? ToJson() => Kind switch
    {
        CelValueKind.Null => null,
        CelValueKind.Bool => JsonValue.Create((bool)Raw!),
        CelValueKind.Int => JsonValue.Create((long)Raw!),
        CelValueKind.UInt => JsonValue.Create((ulong)Raw!),
        CelValueKind.Double => JsonValue.Create((double)Raw!),
        CelValueKind.List => new JsonArray(AsList()!.Select(v => v.ToJson()).ToArray()),
        CelValueKind.Map => new JsonObject(AsMap()!.Select(p => KeyValuePair.Create(p.Key, p.Value.ToJson()))),
        _ => JsonValue.Create(Raw?.ToString()),
    };
}
