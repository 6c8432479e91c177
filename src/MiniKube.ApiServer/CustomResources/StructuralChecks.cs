using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// Whether a schema is structural (apiextensions-apiserver pkg/apiserver/schema/validation.go
/// ValidateStructural and complete.go): every specified node has a type (unless int-or-string or
/// preserve-unknown-fields), arrays have items, root and embedded-resource rules hold, metadata
/// at the root specifies at most name and generateName, and the value-validation branches
/// (allOf/anyOf/oneOf/not) carry no type, default, description, nullable or x-kubernetes-*
/// and only mention properties the structural part specifies. Errors come sorted by their text,
/// as upstream sorts them.
/// </summary>
internal static class StructuralChecks
{
    private enum Level
    {
        Root,
        Item,
        Field,
    }

    public static List<FieldError> Validate(StructuralSchema root, FieldPath at)
    {
        var errors = new List<FieldError>();
        Invariants(root, Level.Root, at, errors);
        Junctors(root, root, at, at, errors);
        errors.Sort((a, b) => string.CompareOrdinal(a.Message, b.Message));
        return errors;
    }

    private static void Invariants(StructuralSchema? s, Level level, FieldPath at, List<FieldError> errors)
    {
        if (s is null)
        {
            return;
        }
        if (s.Type == "array" && s.Items is null)
        {
            errors.Add(FieldError.Required(at.Child("items"), "must be specified"));
        }
        Invariants(s.Items, Level.Item, at.Child("items"), errors);
        foreach (var (name, property) in s.Properties)
        {
            Invariants(property, Level.Field, at.Child("properties").Key(name), errors);
        }
        if (s.HasAdditionalProperties)
        {
            if (level == Level.Root)
            {
                errors.Add(FieldError.Forbidden(at.Child("additionalProperties"), "must not be used at the root"));
            }
            Invariants(s.AdditionalProperties, Level.Field, at.Child("additionalProperties"), errors);
        }
        if (s.XIntOrString && s.XPreserveUnknownFields)
        {
            errors.Add(FieldError.Invalid(at.Child("x-kubernetes-preserve-unknown-fields"), BadValue.Of(true), "must be false if x-kubernetes-int-or-string is true"));
        }
        if (s.XIntOrString && s.XEmbeddedResource)
        {
            errors.Add(FieldError.Invalid(at.Child("x-kubernetes-embedded-resource"), BadValue.Of(true), "must be false if x-kubernetes-int-or-string is true"));
        }
        ValueValidation(s, IsIntOrStringAnyOf(s.AnyOf), s.AllOf.Count > 0 && IsIntOrStringAnyOf(s.AllOf[0].AnyOf), at, errors);

        var checkMetadata = level == Level.Root || s.XEmbeddedResource;
        if (s.XEmbeddedResource && s.Type != "object")
        {
            errors.Add(s.Type.Length == 0
                ? FieldError.Required(at.Child("type"), "must be object if x-kubernetes-embedded-resource is true")
                : FieldError.Invalid(at.Child("type"), BadValue.Of(s.Type), "must be object if x-kubernetes-embedded-resource is true"));
        }
        else if (s.Type.Length == 0 && !s.XIntOrString && !s.XPreserveUnknownFields)
        {
            var where = level switch
            {
                Level.Root => "at the root",
                Level.Item => "for specified array items",
                _ => "for specified object fields",
            };
            errors.Add(FieldError.Required(at.Child("type"), "must not be empty " + where));
        }
        if (s.XEmbeddedResource && s.HasAdditionalProperties)
        {
            errors.Add(FieldError.Forbidden(at.Child("additionalProperties"), "must not be used if x-kubernetes-embedded-resource is set"));
        }
        if (level == Level.Root && s.Type.Length > 0 && s.Type != "object")
        {
            errors.Add(FieldError.Invalid(at.Child("type"), BadValue.Of(s.Type), "must be object at the root"));
        }
        foreach (var name in (string[])["kind", "apiVersion"])
        {
            if (checkMetadata && s.Properties.TryGetValue(name, out var typeMeta) && typeMeta.Type != "string")
            {
                errors.Add(FieldError.Invalid(at.Child("properties").Key(name).Child("type"), BadValue.Of(typeMeta.Type), "must be string"));
            }
        }
        if (s.Properties.TryGetValue("metadata", out var metadata))
        {
            Metadata(metadata, checkMetadata, level, at.Child("properties").Key("metadata"), errors);
        }
        if (s.XEmbeddedResource && !s.XPreserveUnknownFields && s.Properties.Count == 0)
        {
            errors.Add(FieldError.Required(at.Child("properties"), "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
        }
    }

    // validateStructuralMetadataInvariants: at the root, metadata may restrict name and generateName only.
    private static void Metadata(StructuralSchema s, bool checkMetadata, Level level, FieldPath at, List<FieldError> errors)
    {
        if (checkMetadata && s.Type != "object")
        {
            errors.Add(FieldError.Invalid(at.Child("type"), BadValue.Of(s.Type), "must be object"));
        }
        if (level != Level.Root)
        {
            return;
        }
        var onlyNames = s.Properties.Keys.All(k => k is "name" or "generateName");
        var specifiesMore = !onlyNames
            || s.Format.Length > 0 || s.Title.Length > 0 || s.Description.Length > 0 || s.Nullable
            || s.Items is not null || s.HasAdditionalProperties || s.Required.Count > 0 || s.Enum is not null
            || s.Pattern.Length > 0 || s.Maximum is not null || s.Minimum is not null || s.ExclusiveMaximum || s.ExclusiveMinimum
            || s.MaxLength is not null || s.MinLength is not null || s.MaxItems is not null || s.MinItems is not null || s.UniqueItems
            || s.MultipleOf is not null || s.MaxProperties is not null || s.MinProperties is not null
            || s.AllOf.Count > 0 || s.AnyOf.Count > 0 || s.OneOf.Count > 0 || s.Not is not null
            || s.XIntOrString || s.XPreserveUnknownFieldsValue is not null || s.XEmbeddedResource || s.XListType is not null
            || s.XListMapKeys.Count > 0 || s.XMapType is not null || s.XValidations is { Count: > 0 };
        if (specifiesMore)
        {
            errors.Add(FieldError.Forbidden(at, "must not specify anything other than name and generateName, but metadata is implicitly specified"));
        }
    }

    // The anyOf of int-or-string written out: [{type: integer}, {type: string}] and nothing else.
    private static bool IsIntOrStringAnyOf(IReadOnlyList<StructuralSchema> anyOf) =>
        anyOf.Count == 2 && IsOnlyType(anyOf[0], "integer") && IsOnlyType(anyOf[1], "string");

    private static bool IsOnlyType(StructuralSchema s, string type) =>
        s.Type == type && s.Properties.Count == 0 && s.Items is null && !s.HasAdditionalProperties && s.Format.Length == 0
        && s.Default is null && s.Title.Length == 0 && s.Description.Length == 0 && !s.Nullable && s.Enum is null
        && s.Pattern.Length == 0 && s.Maximum is null && s.Minimum is null && s.MaxLength is null && s.MinLength is null
        && s.AllOf.Count == 0 && s.AnyOf.Count == 0 && s.OneOf.Count == 0 && s.Not is null && !s.XIntOrString
        && s.XPreserveUnknownFieldsValue is null && !s.XEmbeddedResource && s.XListType is null && s.XMapType is null
        && s.XListMapKeys.Count == 0 && s.XValidations is null && s.Required.Count == 0;

    // validateValueValidation: the branches, then the pattern.
    private static void ValueValidation(StructuralSchema v, bool skipAnyOf, bool skipFirstAllOfAnyOf, FieldPath at, List<FieldError> errors)
    {
        if (!skipAnyOf)
        {
            for (var i = 0; i < v.AnyOf.Count; i++)
            {
                Nested(v.AnyOf[i], false, at.Child("anyOf").Index(i), errors);
            }
        }
        for (var i = 0; i < v.AllOf.Count; i++)
        {
            Nested(v.AllOf[i], skipFirstAllOfAnyOf && i == 0, at.Child("allOf").Index(i), errors);
        }
        for (var i = 0; i < v.OneOf.Count; i++)
        {
            Nested(v.OneOf[i], false, at.Child("oneOf").Index(i), errors);
        }
        if (v.Not is not null)
        {
            Nested(v.Not, false, at.Child("not"), errors);
        }
        if (v.Pattern.Length > 0 && v.PatternError is not null)
        {
            errors.Add(FieldError.Invalid(at.Child("pattern"), BadValue.Of(v.Pattern), "must be a valid regular expression, but isn't: " + v.PatternError));
        }
    }

    // validateNestedValueValidation: what a value-validation branch may not carry.
    private static void Nested(StructuralSchema v, bool skipAnyOf, FieldPath at, List<FieldError> errors)
    {
        ValueValidation(v, skipAnyOf, false, at, errors);
        if (v.Items is not null)
        {
            Nested(v.Items, false, at.Child("items"), errors);
        }
        foreach (var (name, property) in v.Properties)
        {
            Nested(property, false, at.Child("properties").Key(name), errors);
        }
        if (v.Type.Length > 0)
        {
            errors.Add(FieldError.Forbidden(at.Child("type"), "must be empty to be structural"));
        }
        if (v.HasAdditionalProperties)
        {
            errors.Add(FieldError.Forbidden(at.Child("additionalProperties"), "must be undefined to be structural"));
        }
        if (v.Default is not null)
        {
            errors.Add(FieldError.Forbidden(at.Child("default"), "must be undefined to be structural"));
        }
        if (v.Title.Length > 0)
        {
            errors.Add(FieldError.Forbidden(at.Child("title"), "must be empty to be structural"));
        }
        if (v.Description.Length > 0)
        {
            errors.Add(FieldError.Forbidden(at.Child("description"), "must be empty to be structural"));
        }
        if (v.Nullable)
        {
            errors.Add(FieldError.Forbidden(at.Child("nullable"), "must be false to be structural"));
        }
        if (v.XPreserveUnknownFields)
        {
            errors.Add(FieldError.Forbidden(at.Child("x-kubernetes-preserve-unknown-fields"), "must be false to be structural"));
        }
        if (v.XEmbeddedResource)
        {
            errors.Add(FieldError.Forbidden(at.Child("x-kubernetes-embedded-resource"), "must be false to be structural"));
        }
        if (v.XIntOrString)
        {
            errors.Add(FieldError.Forbidden(at.Child("x-kubernetes-int-or-string"), "must be false to be structural"));
        }
        if (v.XListMapKeys.Count > 0)
        {
            errors.Add(FieldError.Forbidden(at.Child("x-kubernetes-list-map-keys"), "must be empty to be structural"));
        }
        if (v.XListType is not null)
        {
            errors.Add(FieldError.Forbidden(at.Child("x-kubernetes-list-type"), "must be undefined to be structural"));
        }
        if (v.XMapType is not null)
        {
            errors.Add(FieldError.Forbidden(at.Child("x-kubernetes-map-type"), "must be undefined to be structural"));
        }
        if (v.XValidations is { Count: > 0 })
        {
            errors.Add(FieldError.Forbidden(at.Child("x-kubernetes-validations"), "must be empty to be structural"));
        }
        if (v.Properties.ContainsKey("metadata"))
        {
            errors.Add(FieldError.Forbidden(at.Child("properties").Key("metadata"), "must not be specified in a nested context"));
        }
    }

    // complete.go: from the root's branches, every property a branch mentions must be specified structurally.
    private static void Junctors(StructuralSchema v, StructuralSchema? s, FieldPath sPath, FieldPath vPath, List<FieldError> errors)
    {
        if (v.Not is not null)
        {
            Complete(v.Not, s, sPath, vPath.Child("not"), errors);
        }
        for (var i = 0; i < v.AllOf.Count; i++)
        {
            Complete(v.AllOf[i], s, sPath, vPath.Child("allOf").Index(i), errors);
        }
        for (var i = 0; i < v.AnyOf.Count; i++)
        {
            Complete(v.AnyOf[i], s, sPath, vPath.Child("anyOf").Index(i), errors);
        }
        for (var i = 0; i < v.OneOf.Count; i++)
        {
            Complete(v.OneOf[i], s, sPath, vPath.Child("oneOf").Index(i), errors);
        }
    }

    private static void Complete(StructuralSchema v, StructuralSchema? s, FieldPath sPath, FieldPath vPath, List<FieldError> errors)
    {
        if (s is null)
        {
            errors.Add(FieldError.Required(sPath, "because it is defined in " + vPath));
            return;
        }
        Junctors(v, s, sPath, vPath, errors);
        if (v.Items is not null)
        {
            Complete(v.Items, s.Items, sPath.Child("items"), vPath.Child("items"), errors);
        }
        foreach (var (name, property) in v.Properties)
        {
            if (s.Properties.TryGetValue(name, out var specified))
            {
                Complete(property, specified, sPath.Child("properties").Key(name), vPath.Child("properties").Key(name), errors);
            }
            else
            {
                errors.Add(FieldError.Required(sPath.Child("properties").Key(name), "because it is defined in " + vPath.Child("properties").Key(name)));
            }
        }
    }
}
