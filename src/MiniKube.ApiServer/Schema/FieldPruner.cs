using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.Schema;

/// <summary>
/// What kube-apiserver's decoder does to a request body before anything else sees it: drops
/// every field the kind's schema does not know (reporting each path, as strict decoding does)
/// and rejects values of the wrong JSON type (reporting the first, as Go's json decoder does).
/// Mirrors sigs.k8s.io/json internal/golang/encoding/json decode.go and kubernetes_patch.go
/// (case-sensitive field names; unknown-field paths like
/// <c>spec.template.spec.containers[0].imagee</c>; map keys join with '.').
/// Never throws for bad input; JSON null is accepted everywhere, as Go leaves the field unset.
/// </summary>
public static partial class FieldPruner
{
    // sigs.k8s.io/json stops collecting strict errors at 100 (saveStrictError).
    private const int MaxReportedUnknownFields = 100;

    /// <summary>
    /// Walks <paramref name="value"/> against <paramref name="schema"/> (usually
    /// <c>ModelSchema.For(resource.Model)</c>), removing unknown fields in place.
    /// </summary>
    public static FieldPruneResult Prune(JsonObject value, SchemaNode schema)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(schema);
        var walk = new Walk();
        walk.Visit(value, schema, new Position("", [], null));
        return new FieldPruneResult(walk.UnknownFields, walk.TypeError);
    }

    /// <summary>Where the walk is: the strict-decoding path, and Go's error context (struct fields only).</summary>
    private readonly record struct Position(string Path, IReadOnlyList<string> GoFields, Type? Struct)
    {
        public Position Field(string name, Type owner) =>
            new(Join(name), [.. GoFields, name], owner);

        public Position MapKey(string key) => this with { Path = Join(key) };

        public Position Index(int index) => this with { Path = Path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]" };

        private string Join(string name) => Path.Length == 0 ? name : Path + "." + name;
    }

    private sealed class Walk
    {
        public List<string> UnknownFields { get; } = [];

        public string? TypeError { get; private set; }

        public void Visit(JsonNode? node, SchemaNode schema, Position at)
        {
            if (node is null)
            {
                return;
            }
            switch (schema.Kind)
            {
                case SchemaKind.Object:
                    VisitObject(node, schema, at);
                    break;
                case SchemaKind.Map or SchemaKind.Array:
                    VisitItems(node, schema, at);
                    break;
                case SchemaKind.Any:
                    break;
                default:
                    CheckScalar(node, schema, at);
                    break;
            }
        }

        private void VisitObject(JsonNode node, SchemaNode schema, Position at)
        {
            if (node is not JsonObject obj)
            {
                Mismatch(node, schema, at);
                return;
            }
            foreach (var name in obj.Select(p => p.Key).ToList())
            {
                if (schema.Properties.TryGetValue(name, out var property))
                {
                    Visit(obj[name], property.Schema, at.Field(name, schema.Model!));
                    continue;
                }
                obj.Remove(name);
                if (UnknownFields.Count < MaxReportedUnknownFields)
                {
                    UnknownFields.Add(at.MapKey(name).Path);
                }
            }
        }

        // A map's values or an array's items, each against the item schema.
        private void VisitItems(JsonNode node, SchemaNode schema, Position at)
        {
            IEnumerable<(JsonNode? Value, Position At)>? items = (schema.Kind, node) switch
            {
                (SchemaKind.Map, JsonObject obj) => obj.Select(p => (p.Value, at.MapKey(p.Key))),
                (SchemaKind.Array, JsonArray array) => array.Select((item, i) => (item, at.Index(i))),
                _ => null,
            };
            if (items is null)
            {
                Mismatch(node, schema, at);
                return;
            }
            if (schema.Items is null)
            {
                return;
            }
            foreach (var (value, position) in items)
            {
                Visit(value, schema.Items, position);
            }
        }

        private void CheckScalar(JsonNode node, SchemaNode schema, Position at)
        {
            var kind = node.GetValueKind();
            switch (schema.Kind)
            {
                case SchemaKind.String when kind != JsonValueKind.String:
                case SchemaKind.Number when kind != JsonValueKind.Number:
                case SchemaKind.Boolean when kind is not (JsonValueKind.True or JsonValueKind.False):
                    Mismatch(node, schema, at);
                    break;
                case SchemaKind.Integer:
                    CheckInteger(node, kind, schema.Format == "int32", GoNames.GoType(schema), at);
                    break;
                case SchemaKind.IntOrString when kind != JsonValueKind.String:
                    // intstr.IntOrString.UnmarshalJSON decodes a non-string into its int32.
                    CheckInteger(node, kind, int32: true, "int32", at);
                    break;
                case SchemaKind.Time:
                    CheckTime(node, kind, at);
                    break;
                case SchemaKind.Quantity:
                    CheckQuantity(node, kind);
                    break;
                case SchemaKind.Bytes:
                    CheckBase64(node, kind, schema, at);
                    break;
                default:
                    break;
            }
        }

        private void CheckInteger(JsonNode node, JsonValueKind kind, bool int32, string goType, Position at)
        {
            if (kind != JsonValueKind.Number)
            {
                Report(Describe(kind), goType, at);
                return;
            }
            // Go parses the literal itself: 1.0 and 1e3 are not integers to strconv.ParseInt.
            var literal = node.ToJsonString();
            var fits = int32
                ? int.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                : long.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
            if (!fits)
            {
                Report("number " + literal, goType, at);
            }
        }

        private void CheckTime(JsonNode node, JsonValueKind kind, Position at)
        {
            // metav1.Time.UnmarshalJSON first decodes a Go string, then parses RFC 3339.
            if (kind != JsonValueKind.String)
            {
                Report(Describe(kind), "string", at);
                return;
            }
            var text = node.GetValue<string>();
            if (!Rfc3339().IsMatch(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
            {
                Fail($"parsing time {Quote(text)} as \"2006-01-02T15:04:05Z07:00\": cannot parse {Quote(text)} as RFC 3339");
            }
        }

        private void CheckQuantity(JsonNode node, JsonValueKind kind)
        {
            // resource.Quantity.UnmarshalJSON parses strings and bare numbers alike; anything
            // else fails ParseQuantity with ErrFormatWrong (apimachinery pkg/api/resource/quantity.go).
            var text = kind switch
            {
                JsonValueKind.String => node.GetValue<string>().Trim(),
                JsonValueKind.Number => node.ToJsonString(),
                _ => null,
            };
            if (text is null || !QuantityFormat().IsMatch(text))
            {
                Fail("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
            }
        }

        private void CheckBase64(JsonNode node, JsonValueKind kind, SchemaNode schema, Position at)
        {
            if (kind != JsonValueKind.String)
            {
                Mismatch(node, schema, at);
                return;
            }
            var text = node.GetValue<string>();
            Span<byte> buffer = text.Length <= 4096 ? stackalloc byte[text.Length] : new byte[text.Length];
            if (!Convert.TryFromBase64String(text, buffer, out _))
            {
                Fail($"illegal base64 data at input byte {FirstBadBase64Byte(text).ToString(CultureInfo.InvariantCulture)}");
            }
        }

        private void Mismatch(JsonNode node, SchemaNode schema, Position at) =>
            Report(Describe(node.GetValueKind()), GoNames.GoType(schema), at);

        // encoding/json UnmarshalTypeError.Error, with the struct and field stack of decode.go addErrorContext.
        private void Report(string value, string goType, Position at)
        {
            var target = at.Struct is null
                ? "Go value"
                : $"Go struct field {GoNames.Split(at.Struct).Name}.{string.Join('.', at.GoFields)}";
            Fail($"json: cannot unmarshal {value} into {target} of type {goType}");
        }

        // Go keeps the first decode error and carries on; so do we, to finish pruning.
        private void Fail(string message) => TypeError ??= message;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "null",
    };

    private static int FirstBadBase64Byte(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '='))
            {
                return i;
            }
        }
        return text.Length;
    }

    /// <summary>Go's strconv.Quote, for messages that read as kube-apiserver's.</summary>
    internal static string Quote(string text) => GoStrings.Quote(text);

    [GeneratedRegex("^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex QuantityFormat();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}

/// <summary>
/// The outcome of <see cref="FieldPruner.Prune"/>: unknown field paths (already removed from the
/// object) and the first wrong-typed value. The caller applies the fieldValidation directive:
/// a <see cref="TypeError"/> always fails the request; unknown fields fail it under Strict
/// (<see cref="StrictDecodingError"/>), become <see cref="Warnings"/> under Warn (the default),
/// and are dropped silently under Ignore.
/// </summary>
public sealed class FieldPruneResult
{
    internal FieldPruneResult(IReadOnlyList<string> unknownFields, string? typeError)
    {
        UnknownFields = unknownFields;
        TypeError = typeError;
    }

    /// <summary>Paths such as <c>spec.foo</c> or <c>spec.template.spec.containers[0].imagee</c>, in document order.</summary>
    public IReadOnlyList<string> UnknownFields { get; }

    /// <summary>Go's decode error for the first value of the wrong type, e.g. <c>json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32</c>.</summary>
    public string? TypeError { get; }

    /// <summary>One Warning header text per unknown field: <c>unknown field "spec.foo"</c>.</summary>
    public IEnumerable<string> Warnings => UnknownFields.Select(path => "unknown field " + FieldPruner.Quote(path));

    /// <summary>apimachinery runtime.strictDecodingError: <c>strict decoding error: unknown field "spec.foo", unknown field "x"</c>.</summary>
    public string StrictDecodingError => "strict decoding error: " + string.Join(", ", Warnings);

    /// <summary>
    /// The 400 BadRequest message of create and update for a body that fails decoding
    /// (apiserver pkg/endpoints/handlers/rest.go transformDecodeError), e.g.
    /// <c>Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"</c>.
    /// Patches report the same inner text as a 422 Invalid cause on field "patch" instead.
    /// </summary>
    /// <param name="strict">True under fieldValidation=Strict, where unknown fields fail too.</param>
    public string? DecodeFailure(string kind, string version, bool strict) =>
        DecodeError(strict) is { } inner ? $"{kind} in version {FieldPruner.Quote(version)} cannot be handled as a {kind}: {inner}" : null;

    /// <summary>The undecorated decode error (type error first), or null when the body decodes.</summary>
    public string? DecodeError(bool strict) => TypeError ?? (strict && UnknownFields.Count > 0 ? StrictDecodingError : null);
}
