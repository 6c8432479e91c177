using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// One node of a CustomResourceDefinition version's <c>openAPIV3Schema</c>, read once into typed
/// fields (upstream's apiextensions-apiserver pkg/apiserver/schema structural.go, with the
/// value-validation part kept on the same node). The same type describes the branches of
/// <c>allOf</c>/<c>anyOf</c>/<c>oneOf</c>/<c>not</c>, which upstream keeps as
/// NestedValueValidation: those only add checks, and <see cref="StructuralChecks"/> rejects the
/// keywords they may not carry. Immutable once <see cref="SchemaReader"/> has built it (the
/// compiled pattern aside, made on first use); shared by every request of the CRD version, so the
/// walkers never change it.
/// </summary>
public sealed class StructuralSchema
{
    /// <summary>An empty schema, as upstream's nil *Structural: no type, nothing known.</summary>
    internal static StructuralSchema Empty { get; } = new();

    /// <summary><c>type</c>: object, array, string, integer, number, boolean, or "" when unset.</summary>
    public string Type { get; internal set; } = "";

    /// <summary><c>format</c> as written.</summary>
    public string Format { get; internal set; } = "";

    /// <summary>
    /// The format the value validator checks, after upstream's StripUnsupportedFormatsPostProcess:
    /// a format the type does not support is dropped, not rejected.
    /// </summary>
    internal string CheckedFormat { get; set; } = "";

    public string Title { get; internal set; } = "";

    public string Description { get; internal set; } = "";

    public bool Nullable { get; internal set; }

    /// <summary><c>default</c>, or null when unset (a JSON null default counts as unset, as upstream's Default.Object == nil).</summary>
    public JsonNode? Default { get; internal set; }

    /// <summary>Properties in the order the schema lists them.</summary>
    public IReadOnlyDictionary<string, StructuralSchema> Properties { get; internal set; } = EmptyProperties;

    /// <summary><c>items</c> when given as one schema.</summary>
    public StructuralSchema? Items { get; internal set; }

    /// <summary>True when <c>items</c> was given as an array of schemas (forbidden).</summary>
    public bool ItemsIsArray { get; internal set; }

    /// <summary><c>additionalProperties</c> when given as a schema; null for <c>true</c>/<c>false</c> (upstream's nil Structural, under which everything is pruned).</summary>
    public StructuralSchema? AdditionalProperties { get; internal set; }

    /// <summary>True when <c>additionalProperties</c> is present at all (schema, true or false).</summary>
    public bool HasAdditionalProperties { get; internal set; }

    /// <summary>False only for <c>additionalProperties: false</c>.</summary>
    public bool AdditionalPropertiesAllowed { get; internal set; } = true;

    public IReadOnlyList<string> Required { get; internal set; } = [];

    /// <summary><c>enum</c>, or null when unset.</summary>
    public JsonArray? Enum { get; internal set; }

    // Set on first use; a race makes the same shared instance twice over (GoRegex caches by text).
    private Regex? patternRegex;

    public string Pattern { get; internal set; } = "";

    /// <summary>
    /// The compiled <see cref="Pattern"/>, made when a value first meets it (a CRD that is only
    /// checked or served, never written to, compiles none); null when unset or when it could not compile.
    /// </summary>
    internal Regex? PatternRegex => Pattern.Length == 0 || PatternError is not null ? null : patternRegex ??= GoRegex.TryCompile(Pattern, out _);

    /// <summary>Why <see cref="Pattern"/> did not compile, or null.</summary>
    internal string? PatternError { get; set; }

    public double? Maximum { get; internal set; }

    public bool ExclusiveMaximum { get; internal set; }

    public double? Minimum { get; internal set; }

    public bool ExclusiveMinimum { get; internal set; }

    public long? MaxLength { get; internal set; }

    public long? MinLength { get; internal set; }

    public long? MaxItems { get; internal set; }

    public long? MinItems { get; internal set; }

    public bool UniqueItems { get; internal set; }

    public double? MultipleOf { get; internal set; }

    public long? MaxProperties { get; internal set; }

    public long? MinProperties { get; internal set; }

    public IReadOnlyList<StructuralSchema> AllOf { get; internal set; } = [];

    public IReadOnlyList<StructuralSchema> AnyOf { get; internal set; } = [];

    public IReadOnlyList<StructuralSchema> OneOf { get; internal set; } = [];

    public StructuralSchema? Not { get; internal set; }

    public bool XIntOrString { get; internal set; }

    /// <summary><c>x-kubernetes-preserve-unknown-fields</c>: null when unset (false is a CRD error).</summary>
    public bool? XPreserveUnknownFieldsValue { get; internal set; }

    public bool XPreserveUnknownFields => XPreserveUnknownFieldsValue == true;

    public bool XEmbeddedResource { get; internal set; }

    /// <summary><c>x-kubernetes-list-type</c>: atomic, set or map; null when unset.</summary>
    public string? XListType { get; internal set; }

    public IReadOnlyList<string> XListMapKeys { get; internal set; } = [];

    /// <summary><c>x-kubernetes-map-type</c>: granular or atomic; only recorded (it matters to server-side apply).</summary>
    public string? XMapType { get; internal set; }

    /// <summary><c>x-kubernetes-validations</c> as written, for the CEL step; null when unset.</summary>
    public JsonArray? XValidations { get; internal set; }

    /// <summary>The node as the CRD wrote it (rule engines read keywords from it); never changed.</summary>
    public JsonObject? Source { get; internal set; }

    /// <summary>Keywords present that CRDs do not support (id, $ref, definitions, ...), for the CRD check.</summary>
    internal IReadOnlyList<string> UnsupportedKeywords { get; set; } = [];

    /// <summary>The <c>type</c> list the value validator checks: int-or-string means integer or string.</summary>
    internal IReadOnlyList<string> CheckedTypes { get; set; } = [];

    /// <summary>True when any node in this subtree has a default (lets the defaulter skip whole subtrees).</summary>
    internal bool HasDefaultsBelow { get; set; }

    /// <summary>True when any node in this subtree lists x-kubernetes-validations.</summary>
    internal bool HasRulesBelow { get; set; }

    /// <summary>True when any node in this subtree has a set or map list type.</summary>
    internal bool HasListTypesBelow { get; set; }

    /// <summary>True when any node in this subtree is an embedded resource.</summary>
    internal bool HasEmbeddedBelow { get; set; }

    private static readonly IReadOnlyDictionary<string, StructuralSchema> EmptyProperties =
        new Dictionary<string, StructuralSchema>(StringComparer.Ordinal);

    /// <summary>The schema of field <paramref name="name"/> of an object: its property, else additionalProperties, else null.</summary>
    internal StructuralSchema? FieldSchema(string name) =>
        Properties.TryGetValue(name, out var property) ? property : AdditionalProperties;
}
