namespace MiniKube.ApiServer.Cel;

/// <summary>
/// The values bound to an expression's variables for one evaluation. Values are JSON as the API
/// carries it; each may come with the OpenAPI v3 schema of its position, which decides CEL types
/// the JSON alone cannot (a <c>number</c> field holding 3 is the double 3.0, property names are
/// escaped, <c>date-time</c> strings are timestamps), as apiextensions' UnstructuredToVal does.
/// Activations made with <see cref="Sharing"/> share one conversion of the same JSON, so rules
/// at many depths of one object convert each subtree once. Not thread-safe.
/// </summary>
public sealed class CelActivation
{
    private readonly Dictionary<string, CelBinding> bindings = new(StringComparer.Ordinal);

    public CelActivation()
        : this(new CelJsonConverter())
    {
    }

    private CelActivation(CelJsonConverter converter) => Converter = converter;

    /// <summary>A new, empty activation that reuses this one's conversions (for other nodes of the same object).</summary>
    public CelActivation Sharing() => new(Converter);

    /// <summary>Binds <paramref name="name"/> to a JSON value (null is CEL null).</summary>
    /// <param name="resourceRoot">The value is a whole object: only apiVersion, kind, metadata.name and metadata.generateName of it are visible besides its declared fields.</param>
    public CelActivation Bind(string name, JsonNode? value, JsonObject? schema = null, bool resourceRoot = false)
    {
        bindings[name] = new CelBinding(value, schema, CelBindingKind.Value, resourceRoot);
        return this;
    }

    /// <summary>Binds an optional: <c>optional.of(value)</c>, or <c>optional.none()</c> when absent (a rule with optionalOldSelf).</summary>
    public CelActivation BindOptional(string name, JsonNode? value, bool present, JsonObject? schema = null, bool resourceRoot = false)
    {
        bindings[name] = new CelBinding(value, schema, present ? CelBindingKind.OptionalOf : CelBindingKind.OptionalNone, resourceRoot);
        return this;
    }

    internal IReadOnlyDictionary<string, CelBinding> Bindings => bindings;

    internal CelJsonConverter Converter { get; }
}

internal enum CelBindingKind
{
    Value,
    OptionalOf,
    OptionalNone,
}

internal sealed record CelBinding(JsonNode? Value, JsonObject? Schema, CelBindingKind Kind, bool ResourceRoot);
