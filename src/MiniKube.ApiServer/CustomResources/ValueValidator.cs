using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// Checks a value against a schema with kube-openapi's semantics (pkg/validation/validate:
/// schema.go's validator order type → allOf/anyOf/oneOf/not → string → format → number → items →
/// enum → object, and errors/schema.go's messages), turning each error into a field error as
/// apiextensions-apiserver's validation.go kubeOpenAPIResultToFieldErrors does: paths are
/// kube-openapi's (<c>spec.labels.app</c>, <c>spec.ports[0].name</c>), type errors are
/// TypeInvalid, enum NotSupported, maxLength TooLong, maxItems/maxProperties TooMany, and errors
/// without a field (a failed anyOf) sit at the base path, <c>&lt;nil&gt;</c> for a whole object.
/// One pass over the value; text is built only for errors.
/// </summary>
internal sealed class ValueValidator
{
    // field.Path's rendering of a nil *Path, which is what upstream passes for custom resources.
    private static readonly FieldPath NilPath = FieldPath.Of("<nil>");

    private readonly FieldPath? basePath;

    private ValueValidator(FieldPath? basePath) => this.basePath = basePath;

    /// <summary>
    /// The errors of <paramref name="value"/> against <paramref name="schema"/>. With
    /// <paramref name="at"/> null the paths are the object's own (<c>spec.x</c>) and whole-object
    /// errors read <c>&lt;nil&gt;</c>, as for a custom resource; with a base (a default's path in
    /// a CRD) they sit below it.
    /// </summary>
    public static List<FieldError> Validate(JsonNode? value, StructuralSchema schema, FieldPath? at = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var result = new Result();
        new ValueValidator(at).Node(value, schema, "", result);
        return result.Errors;
    }

    /// <summary>Errors and kube-openapi's MatchCount, which picks the closest failing branch of anyOf/oneOf.</summary>
    private sealed class Result
    {
        public List<FieldError> Errors { get; } = [];

        public int MatchCount { get; set; }

        public bool IsValid => Errors.Count == 0;

        public void Merge(Result other)
        {
            Errors.AddRange(other.Errors);
            MatchCount += other.MatchCount;
        }
    }

    private FieldPath ErrorPath(string name)
    {
        if (name.Length == 0 || name == ".")
        {
            return basePath ?? NilPath;
        }
        var trimmed = name.StartsWith('.') ? name[1..] : name;
        return basePath is null ? FieldPath.Of(trimmed) : basePath.Child(trimmed);
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private void Node(JsonNode? data, StructuralSchema s, string path, Result result)
    {
        if (data is null)
        {
            // schema.go: a null meets only the type check (nullable) and the enum.
            TypeCheck(null, s, path, result);
            Enum(null, s, path, result);
            return;
        }
        var kind = JsonValues.TypeName(data);
        if (s.CheckedTypes.Count > 0 || s.CheckedFormat.Length > 0)
        {
            TypeCheck(data, s, path, result);
            result.MatchCount++;
        }
        Junctors(data, s, path, result);
        result.MatchCount++;
        if (kind == "string")
        {
            Strings(JsonValues.IsString(data, out var text) ? text : "", s, path, result);
            result.MatchCount++;
            if (IsStringFormat(s.CheckedFormat))
            {
                Format(text, s, path, result);
                result.MatchCount++;
            }
        }
        if (kind is "integer" or "number")
        {
            Numbers(data, kind == "integer", s, path, result);
            result.MatchCount++;
        }
        if (data is JsonArray array)
        {
            Items(array, s, path, result);
            result.MatchCount++;
        }
        Enum(data, s, path, result);
        result.MatchCount++;
        if (data is JsonObject obj)
        {
            Object(obj, s, path, result);
            result.MatchCount++;
        }
        result.MatchCount++;
    }

    private static bool IsStringFormat(string format) => format.Length > 0 && format is not ("int32" or "int64" or "float" or "double");

    // type.go typeValidator.Validate.
    private void TypeCheck(JsonNode? data, StructuralSchema s, string path, Result result)
    {
        var types = s.CheckedTypes;
        var format = s.CheckedFormat.Length > 0 ? s.Format : "";
        if (types.Count == 0 && format.Length == 0)
        {
            return;
        }
        if (data is null)
        {
            if (types.Count > 0 && !s.Nullable)
            {
                InvalidType(path, string.Join(",", types), "null", result);
            }
            return;
        }
        result.MatchCount++;
        var kind = JsonValues.TypeName(data);
        var dataFormat = kind switch
        {
            "integer" => "int64",
            "number" => "float64",
            _ => "",
        };
        var isFloatInt = kind == "number" && IsWhole(JsonValues.AsDouble(data)) && types.Contains("integer");
        var isIntFloat = kind == "integer" && types.Contains("number");
        var stringOrSlice = kind is "string" or "array";
        if (!stringOrSlice && format.Length > 0 && !(types.Contains(kind) || dataFormat == format || isFloatInt || isIntFloat))
        {
            InvalidType(path, format, dataFormat, result);
            return;
        }
        if (!(types.Contains("number") || types.Contains("integer")) && format.Length > 0 && stringOrSlice)
        {
            return;
        }
        if (!(types.Contains(kind) || isFloatInt || isIntFloat))
        {
            InvalidType(path, string.Join(",", types), kind, result);
        }
    }

    // swag.IsFloat64AJSONInteger.
    private static bool IsWhole(double value) =>
        !double.IsNaN(value) && !double.IsInfinity(value) && Math.Floor(value) == value && Math.Abs(value) < 9007199254740992d;

    private void InvalidType(string path, string typeName, string value, Result result) =>
        result.Errors.Add(FieldError.TypeInvalid(ErrorPath(path), BadValue.Of(value),
            $"{path} in body must be of type {typeName}: {GoSyntax.Quote(value)}"));

    // schema_props.go.
    private void Junctors(JsonNode data, StructuralSchema s, string path, Result result)
    {
        if (s.AnyOf.Count > 0)
        {
            Result? best = null;
            var succeeded = false;
            foreach (var branch in s.AnyOf)
            {
                var r = Branch(data, branch, path);
                if (r.IsValid)
                {
                    best = null;
                    succeeded = true;
                    result.MatchCount += r.MatchCount;
                    break;
                }
                if (best is null || r.MatchCount > best.MatchCount)
                {
                    best = r;
                }
            }
            if (!succeeded)
            {
                Composite($"{GoSyntax.Quote(path)} must validate at least one schema (anyOf)", result);
            }
            if (best is not null)
            {
                result.Merge(best);
            }
        }
        if (s.OneOf.Count > 0)
        {
            Result? best = null;
            Result? firstSuccess = null;
            var validated = 0;
            foreach (var branch in s.OneOf)
            {
                var r = Branch(data, branch, path);
                if (r.IsValid)
                {
                    validated++;
                    best = null;
                    firstSuccess ??= r;
                    continue;
                }
                if (validated == 0 && (best is null || r.MatchCount > best.MatchCount))
                {
                    best = r;
                }
            }
            if (validated != 1)
            {
                var more = validated == 0 ? "Found none valid" : $"Found {validated} valid alternatives";
                Composite($"{GoSyntax.Quote(path)} must validate one and only one schema (oneOf). {more}", result);
                if (best is not null)
                {
                    result.Merge(best);
                }
            }
            else if (firstSuccess is not null)
            {
                result.Merge(firstSuccess);
            }
        }
        if (s.AllOf.Count > 0)
        {
            var validated = 0;
            foreach (var branch in s.AllOf)
            {
                var r = Branch(data, branch, path);
                if (r.IsValid)
                {
                    validated++;
                }
                result.Merge(r);
            }
            if (validated != s.AllOf.Count)
            {
                Composite($"{GoSyntax.Quote(path)} must validate all the schemas (allOf){(validated == 0 ? ". None validated" : "")}", result);
            }
        }
        if (s.Not is not null && Branch(data, s.Not, path).IsValid)
        {
            Composite($"{GoSyntax.Quote(path)} must not validate the schema (not)", result);
        }
    }

    private Result Branch(JsonNode data, StructuralSchema branch, string path)
    {
        var r = new Result();
        Node(data, branch, path, r);
        return r;
    }

    // Not a kube-openapi Validation error: kubeOpenAPIResultToFieldErrors puts it at the base path with value "".
    private void Composite(string message, Result result) =>
        result.Errors.Add(FieldError.Invalid(basePath ?? NilPath, BadValue.Of(""), message));

    // validator.go stringValidator: the first failing check only.
    private void Strings(string text, StructuralSchema s, string path, Result result)
    {
        if (s.MaxLength is null && s.MinLength is null && s.PatternRegex is null)
        {
            return;
        }
        var runes = text.EnumerateRunes().Count();
        if (s.MaxLength is { } max && runes > max)
        {
            result.Errors.Add(FieldError.TooLong(ErrorPath(path), (int)Math.Min(max, int.MaxValue)));
            return;
        }
        if (s.MinLength is { } min && runes < min)
        {
            result.Errors.Add(FieldError.Invalid(ErrorPath(path), BadValue.Of(text), $"{path} in body should be at least {min} chars long"));
            return;
        }
        if (s.PatternRegex is { } regex && !regex.IsMatch(text))
        {
            result.Errors.Add(FieldError.Invalid(ErrorPath(path), BadValue.Of(text), $"{path} in body should match '{s.Pattern}'"));
        }
    }

    private void Format(string text, StructuralSchema s, string path, Result result)
    {
        if (!SchemaFormats.IsValid(s.CheckedFormat, text))
        {
            InvalidType(path, s.Format, text, result);
        }
    }

    // validator.go numberValidator with values.go's *NativeType functions: integers compare as int64 against the truncated bound.
    private void Numbers(JsonNode data, bool integer, StructuralSchema s, string path, Result result)
    {
        var value = BadValue.Go(GoSyntax.ErrorValue(data));
        var asLong = integer ? JsonValues.AsLong(data)!.Value : 0;
        var asDouble = integer ? asLong : JsonValues.AsDouble(data);
        if (s.MultipleOf is { } factor)
        {
            if (integer)
            {
                var f = (long)factor;
                if (f <= 0)
                {
                    result.Errors.Add(FieldError.Invalid(ErrorPath(path), BadValue.Of(f), $"factor MultipleOf declared for {path} must be positive: {f}"));
                }
                else if (asLong % f != 0)
                {
                    result.Errors.Add(FieldError.Invalid(ErrorPath(path), value, $"{path} in body should be a multiple of {f}"));
                }
            }
            else if (factor <= 0)
            {
                result.Errors.Add(FieldError.Invalid(ErrorPath(path), BadValue.Go(GoSyntax.Float(factor)), $"factor MultipleOf declared for {path} must be positive: {GoSyntax.Float(factor)}"));
            }
            else
            {
                var mult = factor < 1 ? 1 / factor * asDouble : asDouble / factor;
                if (!IsWhole(mult))
                {
                    result.Errors.Add(FieldError.Invalid(ErrorPath(path), value, $"{path} in body should be a multiple of {GoSyntax.Float(factor)}"));
                }
            }
        }
        if (s.Minimum is { } minimum)
        {
            var exclusive = s.ExclusiveMinimum;
            var fails = integer
                ? (exclusive ? asLong <= (long)minimum : asLong < (long)minimum)
                : (exclusive ? asDouble <= minimum : asDouble < minimum);
            if (fails)
            {
                var bound = integer ? ((long)minimum).ToString(CultureInfo.InvariantCulture) : GoSyntax.Float(minimum);
                var relation = exclusive ? "greater than" : "greater than or equal to";
                result.Errors.Add(FieldError.Invalid(ErrorPath(path), value, $"{path} in body should be {relation} {bound}"));
            }
        }
        if (s.Maximum is { } maximum)
        {
            var exclusive = s.ExclusiveMaximum;
            var fails = integer
                ? (exclusive ? asLong >= (long)maximum : asLong > (long)maximum)
                : (exclusive ? asDouble >= maximum : asDouble > maximum);
            if (fails)
            {
                var bound = integer ? ((long)maximum).ToString(CultureInfo.InvariantCulture) : GoSyntax.Float(maximum);
                var relation = exclusive ? "less than" : "less than or equal to";
                result.Errors.Add(FieldError.Invalid(ErrorPath(path), value, $"{path} in body should be {relation} {bound}"));
            }
        }
    }

    // slice_validator.go: items first, then the counts, then uniqueness.
    private void Items(JsonArray array, StructuralSchema s, string path, Result result)
    {
        if (s.Items is { } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Node(array[i], items, path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", result);
            }
        }
        if (s.MinItems is { } min && array.Count < min)
        {
            result.Errors.Add(FieldError.Invalid(ErrorPath(path), BadValue.Of(array.Count), $"{path} in body should have at least {min} items"));
        }
        if (s.MaxItems is { } max && array.Count > max)
        {
            result.Errors.Add(FieldError.TooMany(ErrorPath(path), array.Count, (int)Math.Min(max, int.MaxValue)));
        }
        if (s.UniqueItems)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            if (array.Any(item => !seen.Add(JsonValues.Canonical(item))))
            {
                result.Errors.Add(FieldError.Invalid(ErrorPath(path), BadValue.Of(""), $"{path} in body shouldn't contain duplicates"));
            }
        }
    }

    // validator.go basicCommonValidator: a null never matches (its type has no conversion).
    private void Enum(JsonNode? data, StructuralSchema s, string path, Result result)
    {
        if (s.Enum is not { Count: > 0 } values)
        {
            return;
        }
        if (data is not null && values.Any(v => v is not null && JsonValues.Equal(data, v)))
        {
            return;
        }
        var allowed = values.Select(v => JsonValues.IsString(v, out var text) ? text : GoJson(v));
        result.Errors.Add(FieldError.NotSupported(ErrorPath(path), BadValue.Go(GoSyntax.ErrorValue(data)), allowed));
    }

    // json.Marshal of an enum value that is not a string: numbers as written, objects with sorted keys.
    private static string GoJson(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject obj => "{" + string.Join(",", obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => JsonValue.Create(p.Key).ToJsonString() + ":" + GoJson(p.Value))) + "}",
        JsonArray array => "[" + string.Join(",", array.Select(GoJson)) + "]",
        _ => JsonValues.AsLong(value) is { } n ? n.ToString(CultureInfo.InvariantCulture) : value.ToJsonString(),
    };

    // object_validator.go.
    private void Object(JsonObject obj, StructuralSchema s, string path, Result result)
    {
        if (s.MinProperties is { } min && obj.Count < min)
        {
            result.Errors.Add(FieldError.Invalid(ErrorPath(path), BadValue.Of(obj.Count), $"{path} in body should have at least {min} properties"));
        }
        if (s.MaxProperties is { } max && obj.Count > max)
        {
            result.Errors.Add(FieldError.TooMany(ErrorPath(path), obj.Count, (int)Math.Min(max, int.MaxValue)));
        }
        if (s.HasAdditionalProperties && !s.AdditionalPropertiesAllowed)
        {
            foreach (var (key, _) in obj)
            {
                if (!s.Properties.ContainsKey(key))
                {
                    result.Errors.Add(FieldError.Invalid(ErrorPath(path), BadValue.Of(key), $"{path}.{key} in body is a forbidden property"));
                }
            }
        }
        else if (s.AdditionalProperties is { } additional)
        {
            foreach (var (key, value) in obj)
            {
                if (!s.Properties.ContainsKey(key))
                {
                    Node(value, additional, path + "." + key, result);
                }
            }
        }
        if (s.Properties.Count > 0)
        {
            foreach (var (key, value) in obj)
            {
                if (s.Properties.TryGetValue(key, out var property))
                {
                    Node(value, property, Join(path, key), result);
                }
            }
        }
        foreach (var required in s.Required)
        {
            if (!obj.ContainsKey(required))
            {
                result.Errors.Add(FieldError.Required(ErrorPath(path + "." + required)));
            }
        }
    }
}
