using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// Reads an <c>openAPIV3Schema</c> JSON object into a <see cref="StructuralSchema"/> tree in one
/// pass (upstream's convert.go NewStructural plus the JSONSchemaProps decoding before it). A
/// keyword of the wrong JSON type is reported at its path and otherwise ignored, so one pass
/// gives every error. Patterns are compiled here, once per CRD version.
/// </summary>
public static class SchemaReader
{
    // apiextensions-apiserver pkg/apiserver/validation/formats.go (v1.32: no k8s-short-name yet).
    private static readonly HashSet<string> StringFormats = new(StringComparer.Ordinal)
    {
        "bsonobjectid", "uri", "email", "hostname", "ipv4", "ipv6", "cidr", "mac", "uuid", "uuid3", "uuid4", "uuid5",
        "isbn", "isbn10", "isbn13", "creditcard", "ssn", "hexcolor", "rgbcolor", "byte", "password", "date", "duration", "datetime",
    };

    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal)
    {
        "id", "$ref", "additionalItems", "patternProperties", "definitions", "dependencies",
    };

    // Keywords that set one field from one value; the rest need more than that and have a case of their own.
    private static readonly Dictionary<string, Action<Reading, StructuralSchema, JsonNode?, FieldPath>> Simple = new(StringComparer.Ordinal)
    {
        ["type"] = (r, n, v, p) => n.Type = r.String(v, p),
        ["format"] = (r, n, v, p) => n.Format = r.String(v, p),
        ["title"] = (r, n, v, p) => n.Title = r.String(v, p),
        ["description"] = (r, n, v, p) => n.Description = r.String(v, p),
        ["required"] = (r, n, v, p) => n.Required = r.Strings(v, p),
        ["x-kubernetes-list-map-keys"] = (r, n, v, p) => n.XListMapKeys = r.Strings(v, p),
        // Extensions whose absence (or null) differs from any value.
        ["x-kubernetes-list-type"] = (r, n, v, p) => n.XListType = v is null ? null : r.String(v, p),
        ["x-kubernetes-map-type"] = (r, n, v, p) => n.XMapType = v is null ? null : r.String(v, p),
        // Values kept as written: enum values compare as JSON, rules go to the CEL step raw.
        ["enum"] = (r, n, v, p) => n.Enum = r.Array(v, p),
        ["x-kubernetes-validations"] = (r, n, v, p) => n.XValidations = r.Array(v, p),
        ["allOf"] = (r, n, v, p) => n.AllOf = r.List(v, p),
        ["anyOf"] = (r, n, v, p) => n.AnyOf = r.List(v, p),
        ["oneOf"] = (r, n, v, p) => n.OneOf = r.List(v, p),
        ["maxLength"] = (r, n, v, p) => n.MaxLength = r.Integer(v, p),
        ["minLength"] = (r, n, v, p) => n.MinLength = r.Integer(v, p),
        ["maxItems"] = (r, n, v, p) => n.MaxItems = r.Integer(v, p),
        ["minItems"] = (r, n, v, p) => n.MinItems = r.Integer(v, p),
        ["maxProperties"] = (r, n, v, p) => n.MaxProperties = r.Integer(v, p),
        ["minProperties"] = (r, n, v, p) => n.MinProperties = r.Integer(v, p),
        ["maximum"] = (r, n, v, p) => n.Maximum = r.Number(v, p),
        ["minimum"] = (r, n, v, p) => n.Minimum = r.Number(v, p),
        ["multipleOf"] = (r, n, v, p) => n.MultipleOf = r.Number(v, p),
        ["exclusiveMaximum"] = (r, n, v, p) => n.ExclusiveMaximum = r.Bool(v, p) ?? false,
        ["exclusiveMinimum"] = (r, n, v, p) => n.ExclusiveMinimum = r.Bool(v, p) ?? false,
        ["uniqueItems"] = (r, n, v, p) => n.UniqueItems = r.Bool(v, p) ?? false,
        ["nullable"] = (r, n, v, p) => n.Nullable = r.Bool(v, p) ?? false,
        ["x-kubernetes-int-or-string"] = (r, n, v, p) => n.XIntOrString = r.Bool(v, p) ?? false,
        ["x-kubernetes-embedded-resource"] = (r, n, v, p) => n.XEmbeddedResource = r.Bool(v, p) ?? false,
        ["x-kubernetes-preserve-unknown-fields"] = (r, n, v, p) => n.XPreserveUnknownFieldsValue = r.Bool(v, p),
        ["not"] = (r, n, v, p) => n.Not = r.Child(v, p),
    };

    /// <summary>Reads <paramref name="schema"/>; reading errors go to <paramref name="errors"/> at paths under <paramref name="at"/>.</summary>
    public static StructuralSchema Read(JsonObject schema, FieldPath at, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(at);
        ArgumentNullException.ThrowIfNull(errors);
        return new Reading(errors).Node(schema, at);
    }

    private sealed class Reading(List<FieldError> errors)
    {
        public StructuralSchema Node(JsonObject json, FieldPath at)
        {
            var node = new StructuralSchema { Source = json };
            List<string>? unsupported = null;
            foreach (var (key, value) in json)
            {
                var path = at.Child(key);
                switch (key)
                {
                    case "default":
                        node.Default = value?.DeepClone();
                        break;
                    case "properties":
                        node.Properties = Map(value, path);
                        break;
                    case "items":
                        if (value is JsonArray)
                        {
                            node.ItemsIsArray = true;
                        }
                        else
                        {
                            node.Items = Child(value, path);
                        }
                        break;
                    case "additionalProperties":
                        ReadAdditionalProperties(node, value, path);
                        break;
                    case "pattern":
                        node.Pattern = String(value, path);
                        if (node.Pattern.Length > 0)
                        {
                            node.PatternError = GoRegex.Check(node.Pattern);
                        }
                        break;
                    default:
                        if (Simple.TryGetValue(key, out var read))
                        {
                            read(this, node, value, path);
                        }
                        else if (Unsupported.Contains(key) && value is not null)
                        {
                            (unsupported ??= []).Add(key);
                        }
                        // example, externalDocs, $schema and unknown keywords carry no behaviour.
                        break;
                }
            }
            if (unsupported is not null)
            {
                node.UnsupportedKeywords = unsupported;
            }
            Finish(node);
            return node;
        }

        private void ReadAdditionalProperties(StructuralSchema node, JsonNode? value, FieldPath path)
        {
            switch (value)
            {
                case null:
                    return;
                case JsonObject schema:
                    node.HasAdditionalProperties = true;
                    node.AdditionalProperties = Node(schema, path);
                    return;
                case JsonValue flag when flag.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                    node.HasAdditionalProperties = true;
                    node.AdditionalPropertiesAllowed = flag.GetValueKind() == JsonValueKind.True;
                    return;
                default:
                    Fail(value, path, "must be a boolean or an object");
                    return;
            }
        }

        // What the walkers need without re-reading: the checked types and format, and which subtrees hold defaults, rules, list types or embedded resources.
        private static void Finish(StructuralSchema node)
        {
            node.CheckedTypes = node.XIntOrString ? ["integer", "string"] : node.Type.Length > 0 ? [node.Type] : [];
            node.CheckedFormat = CheckedFormat(node);
            var defaults = node.Default is not null;
            var rules = node.XValidations is { Count: > 0 };
            var lists = node.XListType is "set" or "map";
            var embedded = node.XEmbeddedResource;
            foreach (var child in Children(node))
            {
                defaults |= child.HasDefaultsBelow;
                rules |= child.HasRulesBelow;
                lists |= child.HasListTypesBelow;
                embedded |= child.HasEmbeddedBelow;
            }
            node.HasDefaultsBelow = defaults;
            node.HasRulesBelow = rules;
            node.HasListTypesBelow = lists;
            node.HasEmbeddedBelow = embedded;
        }

        private static IEnumerable<StructuralSchema> Children(StructuralSchema node)
        {
            foreach (var property in node.Properties.Values)
            {
                yield return property;
            }
            if (node.Items is not null)
            {
                yield return node.Items;
            }
            if (node.AdditionalProperties is not null)
            {
                yield return node.AdditionalProperties;
            }
        }

        // StripUnsupportedFormatsPostProcess: formats are normalized without dashes (date-time → datetime), unknown ones dropped.
        private static string CheckedFormat(StructuralSchema node)
        {
            if (node.Format.Length == 0)
            {
                return "";
            }
            var type = node.CheckedTypes.Count == 1 ? node.CheckedTypes[0] : "";
            return type switch
            {
                "" or "string" => StringFormats.Contains(node.Format.Replace("-", "", StringComparison.Ordinal))
                    ? node.Format.Replace("-", "", StringComparison.Ordinal) : "",
                "integer" => node.Format is "int32" or "int64" ? node.Format : "",
                "number" => node.Format is "float" or "double" ? node.Format : "",
                _ => "",
            };
        }

        public StructuralSchema? Child(JsonNode? value, FieldPath path)
        {
            if (value is JsonObject obj)
            {
                return Node(obj, path);
            }
            Fail(value, path, "must be an object");
            return null;
        }

        private IReadOnlyDictionary<string, StructuralSchema> Map(JsonNode? value, FieldPath path)
        {
            if (value is not JsonObject obj)
            {
                Fail(value, path, "must be an object");
                return new Dictionary<string, StructuralSchema>(StringComparer.Ordinal);
            }
            var map = new OrderedDictionary<string, StructuralSchema>(obj.Count, StringComparer.Ordinal);
            foreach (var (name, property) in obj)
            {
                var at = path.Key(name);
                if (property is JsonObject schema)
                {
                    map[name] = Node(schema, at);
                }
                else
                {
                    Fail(property, at, "must be an object");
                }
            }
            return map;
        }

        public List<StructuralSchema> List(JsonNode? value, FieldPath path)
        {
            if (value is not JsonArray array)
            {
                Fail(value, path, "must be an array");
                return [];
            }
            var list = new List<StructuralSchema>(array.Count);
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is JsonObject schema)
                {
                    list.Add(Node(schema, path.Index(i)));
                }
                else
                {
                    Fail(array[i], path.Index(i), "must be an object");
                }
            }
            return list;
        }

        public JsonArray? Array(JsonNode? value, FieldPath path)
        {
            if (value is not JsonArray array)
            {
                Fail(value, path, "must be an array");
                return null;
            }
            return array;
        }

        public string String(JsonNode? value, FieldPath path)
        {
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                return v.GetValue<string>();
            }
            Fail(value, path, "must be a string");
            return "";
        }

        public bool? Bool(JsonNode? value, FieldPath path)
        {
            switch ((value as JsonValue)?.GetValueKind())
            {
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                default:
                    Fail(value, path, "must be a boolean");
                    return null;
            }
        }

        public double? Number(JsonNode? value, FieldPath path)
        {
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
            {
                return JsonValues.AsDouble(v);
            }
            Fail(value, path, "must be a number");
            return null;
        }

        public long? Integer(JsonNode? value, FieldPath path)
        {
            if (JsonValues.AsLong(value) is { } n)
            {
                return n;
            }
            Fail(value, path, "must be an integer");
            return null;
        }

        public List<string> Strings(JsonNode? value, FieldPath path)
        {
            if (value is null)
            {
                return [];
            }
            if (value is not JsonArray array || array.Any(v => v is not JsonValue s || s.GetValueKind() != JsonValueKind.String))
            {
                Fail(value, path, "must be an array of strings");
                return [];
            }
            return array.Select(v => v!.GetValue<string>()).ToList();
        }

        // A JSON null for a keyword means "unset", as Go's decoder leaves the field zero.
        private void Fail(JsonNode? value, FieldPath path, string detail)
        {
            if (value is not null)
            {
                errors.Add(FieldError.Invalid(path, BadValue.Go(GoSyntax.ErrorValue(value)), detail));
            }
        }
    }
}
