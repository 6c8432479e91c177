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

    // Keywords that only set one value of their type.
    private static readonly Dictionary<string, Action<StructuralSchema, long?>> Counts = new(StringComparer.Ordinal)
    {
        ["maxLength"] = (n, v) => n.MaxLength = v, ["minLength"] = (n, v) => n.MinLength = v,
        ["maxItems"] = (n, v) => n.MaxItems = v, ["minItems"] = (n, v) => n.MinItems = v,
        ["maxProperties"] = (n, v) => n.MaxProperties = v, ["minProperties"] = (n, v) => n.MinProperties = v,
    };

    private static readonly Dictionary<string, Action<StructuralSchema, string>> Texts = new(StringComparer.Ordinal)
    {
        ["type"] = (n, v) => n.Type = v, ["format"] = (n, v) => n.Format = v, ["title"] = (n, v) => n.Title = v, ["description"] = (n, v) => n.Description = v,
    };

    private static readonly Dictionary<string, Action<StructuralSchema, List<StructuralSchema>>> Branches = new(StringComparer.Ordinal)
    {
        ["allOf"] = (n, v) => n.AllOf = v, ["anyOf"] = (n, v) => n.AnyOf = v, ["oneOf"] = (n, v) => n.OneOf = v,
    };

    private static readonly Dictionary<string, Action<StructuralSchema, double?>> Bounds = new(StringComparer.Ordinal)
    {
        ["maximum"] = (n, v) => n.Maximum = v, ["minimum"] = (n, v) => n.Minimum = v, ["multipleOf"] = (n, v) => n.MultipleOf = v,
    };

    private static readonly Dictionary<string, Action<StructuralSchema, bool>> Flags = new(StringComparer.Ordinal)
    {
        ["exclusiveMaximum"] = (n, v) => n.ExclusiveMaximum = v, ["exclusiveMinimum"] = (n, v) => n.ExclusiveMinimum = v,
        ["uniqueItems"] = (n, v) => n.UniqueItems = v, ["nullable"] = (n, v) => n.Nullable = v,
        ["x-kubernetes-int-or-string"] = (n, v) => n.XIntOrString = v, ["x-kubernetes-embedded-resource"] = (n, v) => n.XEmbeddedResource = v,
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
            var node = new StructuralSchema();
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
                    case "required":
                        node.Required = Strings(value, path);
                        break;
                    case "enum":
                        node.Enum = Array(value, path);
                        break;
                    case "pattern":
                        node.Pattern = String(value, path);
                        if (node.Pattern.Length > 0)
                        {
                            node.PatternRegex = GoRegex.TryCompile(node.Pattern, out var error);
                            node.PatternError = error;
                        }
                        break;
                    case "not":
                        node.Not = Child(value, path);
                        break;
                    case "x-kubernetes-preserve-unknown-fields":
                        node.XPreserveUnknownFieldsValue = Bool(value, path);
                        break;
                    case "x-kubernetes-list-type":
                        node.XListType = value is null ? null : String(value, path);
                        break;
                    case "x-kubernetes-list-map-keys":
                        node.XListMapKeys = Strings(value, path);
                        break;
                    case "x-kubernetes-map-type":
                        node.XMapType = value is null ? null : String(value, path);
                        break;
                    case "x-kubernetes-validations":
                        node.XValidations = Array(value, path);
                        break;
                    default:
                        if (Texts.TryGetValue(key, out var setText))
                        {
                            setText(node, String(value, path));
                        }
                        else if (Branches.TryGetValue(key, out var setBranches))
                        {
                            setBranches(node, List(value, path));
                        }
                        else if (Counts.TryGetValue(key, out var setCount))
                        {
                            setCount(node, Integer(value, path));
                        }
                        else if (Bounds.TryGetValue(key, out var setBound))
                        {
                            setBound(node, Number(value, path));
                        }
                        else if (Flags.TryGetValue(key, out var setFlag))
                        {
                            setFlag(node, Bool(value, path) ?? false);
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

        private StructuralSchema? Child(JsonNode? value, FieldPath path)
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

        private List<StructuralSchema> List(JsonNode? value, FieldPath path)
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

        private JsonArray? Array(JsonNode? value, FieldPath path)
        {
            if (value is not JsonArray array)
            {
                Fail(value, path, "must be an array");
                return null;
            }
            return array;
        }

        private string String(JsonNode? value, FieldPath path)
        {
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                return v.GetValue<string>();
            }
            Fail(value, path, "must be a string");
            return "";
        }

        private bool? Bool(JsonNode? value, FieldPath path)
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

        private double? Number(JsonNode? value, FieldPath path)
        {
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
            {
                return JsonValues.AsDouble(v);
            }
            Fail(value, path, "must be a number");
            return null;
        }

        private long? Integer(JsonNode? value, FieldPath path)
        {
            if (JsonValues.AsLong(value) is { } n)
            {
                return n;
            }
            Fail(value, path, "must be an integer");
            return null;
        }

        private List<string> Strings(JsonNode? value, FieldPath path)
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
