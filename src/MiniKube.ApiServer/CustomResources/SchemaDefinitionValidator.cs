using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// The checks a CRD version's <c>openAPIV3Schema</c> must pass before the CRD is stored
/// (apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go
/// validateCustomResourceDefinitionValidation): nullable not at the root; the structural checks
/// (<see cref="StructuralChecks"/>) and, only when those pass, the defaults — each must survive
/// pruning unchanged and validate against its own schema; then the per-node OpenAPI rules
/// (supported keywords and types, no uniqueItems, additionalProperties not beside properties, no
/// defaults in the root's apiVersion/kind/metadata, list and map types). Errors carry upstream's
/// paths below the path given (<c>spec.versions[0].schema.openAPIV3Schema</c>) and its messages.
/// The shape and compilation of x-kubernetes-validations rules is the rule validator's part.
/// </summary>
public static class SchemaDefinitionValidator
{
    private static readonly string[] OpenApiTypes = ["array", "boolean", "integer", "number", "object", "string"];
    private static readonly HashSet<string> MetaFields = new(StringComparer.Ordinal) { "apiVersion", "kind", "metadata" };

    /// <summary>Reads and checks <paramref name="openApiV3Schema"/>; <paramref name="schema"/> is usable only when no errors are returned.</summary>
    public static List<FieldError> Validate(JsonObject openApiV3Schema, FieldPath at, out StructuralSchema schema)
    {
        ArgumentNullException.ThrowIfNull(openApiV3Schema);
        ArgumentNullException.ThrowIfNull(at);
        var errors = new List<FieldError>();
        schema = SchemaReader.Read(openApiV3Schema, at, errors);
        if (errors.Count > 0)
        {
            return errors;
        }
        if (schema.Nullable)
        {
            errors.Add(FieldError.Forbidden(at.Child("nullable"), "nullable cannot be true at the root"));
        }
        var structural = StructuralChecks.Validate(schema, at);
        errors.AddRange(structural.Count > 0 ? structural : DefaultChecks.Validate(schema, at));
        new NodeChecks(errors).Visit(schema, at, new Context(AllowDefaults: true, DefaultsReason: "", InsideResourceMeta: false), isRoot: true);
        return errors;
    }

    /// <summary>What the walk carries down: upstream's specStandardValidatorV3 state.</summary>
    private readonly record struct Context(bool AllowDefaults, string DefaultsReason, bool InsideResourceMeta)
    {
        public Context ForbidDefaults(string reason) => this with { AllowDefaults = false, DefaultsReason = reason };
    }

    private sealed class NodeChecks(List<FieldError> errors)
    {
        public void Visit(StructuralSchema? s, FieldPath at, Context context, bool isRoot)
        {
            if (s is null)
            {
                return;
            }
            Standard(s, at, context);
            if (s.UniqueItems)
            {
                errors.Add(FieldError.Forbidden(at.Child("uniqueItems"), "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
            }
            if (s.HasAdditionalProperties)
            {
                if (s.Properties.Count > 0 && (!s.AdditionalPropertiesAllowed || s.AdditionalProperties is not null))
                {
                    errors.Add(FieldError.Forbidden(at.Child("additionalProperties"), "additionalProperties and properties are mutual exclusive"));
                }
                var sub = context.InsideResourceMeta ? context.ForbidDefaults("inside additionalProperties applying to object metadata") : context;
                Visit(s.AdditionalProperties, at.Child("additionalProperties"), sub, false);
            }
            foreach (var (name, property) in s.Properties)
            {
                var sub = context;
                if ((isRoot || s.XEmbeddedResource) && MetaFields.Contains(name))
                {
                    sub = sub with { InsideResourceMeta = true };
                    if (isRoot)
                    {
                        sub = sub.ForbidDefaults("in top-level " + name);
                    }
                }
                Visit(property, at.Child("properties").Key(name), sub, false);
            }
            Visit(s.Not, at.Child("not"), context, false);
            for (var i = 0; i < s.AllOf.Count; i++)
            {
                Visit(s.AllOf[i], at.Child("allOf").Index(i), context, false);
            }
            for (var i = 0; i < s.OneOf.Count; i++)
            {
                Visit(s.OneOf[i], at.Child("oneOf").Index(i), context, false);
            }
            for (var i = 0; i < s.AnyOf.Count; i++)
            {
                Visit(s.AnyOf[i], at.Child("anyOf").Index(i), context, false);
            }
            Visit(s.Items, at.Child("items"), context, false);
            if (s.XPreserveUnknownFieldsValue == false)
            {
                errors.Add(FieldError.Invalid(at.Child("x-kubernetes-preserve-unknown-fields"), BadValue.Of(false), "must be true or undefined"));
            }
            MapType(s, at);
            ListType(s, at);
        }

        // specStandardValidatorV3.validate.
        private void Standard(StructuralSchema s, FieldPath at, Context context)
        {
            if (s.Type.Length > 0 && !OpenApiTypes.Contains(s.Type))
            {
                errors.Add(FieldError.NotSupported(at.Child("type"), BadValue.Of(s.Type), OpenApiTypes));
            }
            if (s.Default is not null && !context.AllowDefaults)
            {
                var detail = "must not be set" + (context.DefaultsReason.Length > 0 ? " " + context.DefaultsReason : "");
                errors.Add(FieldError.Forbidden(at.Child("default"), detail));
            }
            foreach (var keyword in s.UnsupportedKeywords)
            {
                errors.Add(FieldError.Forbidden(at.Child(keyword), $"{keyword} is not supported"));
            }
            if (s.Type == "null")
            {
                errors.Add(FieldError.Forbidden(at.Child("type"), "type cannot be set to null, use nullable as an alternative"));
            }
            if (s.ItemsIsArray)
            {
                errors.Add(FieldError.Forbidden(at.Child("items"), "items must be a schema object and not an array"));
            }
            if (context.InsideResourceMeta && s.XEmbeddedResource)
            {
                errors.Add(FieldError.Forbidden(at.Child("x-kubernetes-embedded-resource"), "must not be used inside of resource meta"));
            }
        }

        private void MapType(StructuralSchema s, FieldPath at)
        {
            if (s.XMapType is null)
            {
                return;
            }
            if (s.Type != "object")
            {
                errors.Add(s.Type.Length == 0
                    ? FieldError.Required(at.Child("type"), "must be object if x-kubernetes-map-type is specified")
                    : FieldError.Invalid(at.Child("type"), BadValue.Of(s.Type), "must be object if x-kubernetes-map-type is specified"));
            }
            if (s.XMapType is not ("atomic" or "granular"))
            {
                errors.Add(FieldError.NotSupported(at.Child("x-kubernetes-map-type"), BadValue.Of(s.XMapType), ["atomic", "granular"]));
            }
        }

        private void ListType(StructuralSchema s, FieldPath at)
        {
            if (s.XListType is not null && s.Type != "array")
            {
                errors.Add(s.Type.Length == 0
                    ? FieldError.Required(at.Child("type"), "must be array if x-kubernetes-list-type is specified")
                    : FieldError.Invalid(at.Child("type"), BadValue.Of(s.Type), "must be array if x-kubernetes-list-type is specified"));
            }
            else if (s.XListType == "set" && s.Items is { } setItems)
            {
                // requireAtomicSetType: set elements compare whole, so they must be atomic.
                if (setItems.Type == "array" && setItems.XListType is not (null or "atomic"))
                {
                    errors.Add(FieldError.Invalid(at.Child("items").Child("x-kubernetes-list-type"), BadValue.Of(setItems.XListType), "must be atomic as item of a list with x-kubernetes-list-type=set"));
                }
                if (setItems.Type == "object" && setItems.XMapType != "atomic")
                {
                    // Upstream reports the items' list type here (nil: a nil *string prints as null).
                    errors.Add(FieldError.Invalid(at.Child("items").Child("x-kubernetes-map-type"), setItems.XListType is null ? BadValue.Go("\"null\"") : BadValue.Of(setItems.XListType), "must be atomic as item of a list with x-kubernetes-list-type=set"));
                }
            }
            if (s.XListType is not null and not ("atomic" or "set" or "map"))
            {
                errors.Add(FieldError.NotSupported(at.Child("x-kubernetes-list-type"), BadValue.Of(s.XListType), ["atomic", "set", "map"]));
            }
            if (s.XListMapKeys.Count > 0)
            {
                if (s.XListType is null)
                {
                    errors.Add(FieldError.Required(at.Child("x-kubernetes-list-type"), "must be map if x-kubernetes-list-map-keys is non-empty"));
                }
                else if (s.XListType != "map")
                {
                    errors.Add(FieldError.Invalid(at.Child("x-kubernetes-list-type"), BadValue.Of(s.XListType), "must be map if x-kubernetes-list-map-keys is non-empty"));
                }
            }
            if (s.XListType == "map")
            {
                MapList(s, at);
            }
            if (s.XListType is "set" or "map" && s.Items is { } items)
            {
                MapListKeys(s, items, at);
            }
        }

        private void MapList(StructuralSchema s, FieldPath at)
        {
            if (s.XListMapKeys.Count == 0)
            {
                errors.Add(FieldError.Required(at.Child("x-kubernetes-list-map-keys"), "must not be empty if x-kubernetes-list-type is map"));
            }
            if (s.Items is null)
            {
                errors.Add(FieldError.Required(at.Child("items"), s.ItemsIsArray ? "must only have a single schema if x-kubernetes-list-type is map" : "must have a schema if x-kubernetes-list-type is map"));
                return;
            }
            if (s.Items.Type != "object")
            {
                errors.Add(FieldError.Invalid(at.Child("items").Child("type"), BadValue.Of(s.Items.Type), "must be object if parent array's x-kubernetes-list-type is map"));
                return;
            }
            var keys = BadValue.Go(GoSyntax.StringSlice(new JsonArray(s.XListMapKeys.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray())));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var key in s.XListMapKeys)
            {
                if (s.Items.Properties.TryGetValue(key, out var property))
                {
                    if (property.Type is "array" or "object")
                    {
                        errors.Add(FieldError.Invalid(at.Child("items").Child("properties").Key(key).Child("type"), BadValue.Of(s.Items.Type), "must be a scalar type if parent array's x-kubernetes-list-type is map"));
                    }
                }
                else
                {
                    errors.Add(FieldError.Invalid(at.Child("x-kubernetes-list-map-keys"), keys, "entries must all be names of item properties"));
                }
                if (!seen.Add(key))
                {
                    errors.Add(FieldError.Invalid(at.Child("x-kubernetes-list-map-keys"), keys, "must not contain duplicate entries"));
                }
            }
        }

        // validateMapListKeysMapSet: set and map items are never null; map keys need a default or must be required.
        private void MapListKeys(StructuralSchema s, StructuralSchema items, FieldPath at)
        {
            if (items.Nullable)
            {
                errors.Add(FieldError.Forbidden(at.Child("items").Child("nullable"), "cannot be nullable when x-kubernetes-list-type is " + s.XListType));
            }
            if (s.XListType != "map")
            {
                return;
            }
            foreach (var key in s.XListMapKeys)
            {
                if (!items.Properties.TryGetValue(key, out var property))
                {
                    continue;
                }
                var keyPath = at.Child("items").Child("properties").Key(key);
                if (!items.Required.Contains(key) && property.Default is null)
                {
                    errors.Add(FieldError.Required(keyPath.Child("default"), "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"));
                }
                if (property.Nullable)
                {
                    errors.Add(FieldError.Forbidden(keyPath.Child("nullable"), "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"));
                }
            }
        }
    }
}
