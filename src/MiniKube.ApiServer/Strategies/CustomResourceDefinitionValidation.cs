using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.CustomResources;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// The checks of an apiextensions.k8s.io/v1 CustomResourceDefinition, as upstream's
/// apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go applies them to a v1
/// object: name = plural.group, group with a dot, scope, names (DNS-1035, kind != listKind),
/// versions (unique names, exactly one storage, schemas required and structural), subresources,
/// printer columns, selectable fields, conversion, storedVersions, and the immutable fields of
/// an update. Each version's schema goes through <see cref="CustomResourceSchema.Create"/>, so a
/// schema error is a field error at its upstream path; CEL rules that do not compile are warnings.
/// Composite values in messages are shown abbreviated where upstream prints whole Go structs.
/// </summary>
public static class CustomResourceDefinitionValidation
{
    private static readonly string[] Scopes = ["Cluster", "Namespaced"];
    private static readonly string[] ConversionStrategies = ["None", "Webhook"];
    private static readonly string[] ColumnTypes = ["boolean", "date", "integer", "number", "string"];
    private static readonly string[] ColumnFormats = ["byte", "date", "date-time", "double", "float", "int32", "int64", "password"];
    private static readonly BadValue VersionsValue = BadValue.Go("[]apiextensions.CustomResourceDefinitionVersion{...}");
    private static readonly FieldPath Spec = FieldPath.Of("spec");

    /// <summary>Maximum selectable fields per version (apiextensions' MaxSelectableFields).</summary>
    private const int MaxSelectableFields = 8;

    /// <summary>Field errors of a new CRD; <paramref name="warnings"/> gets what is accepted but not enforced.</summary>
    public static List<FieldError> Validate(JsonObject crd, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(crd);
        var errors = new List<FieldError>();
        var spec = crd.Obj("spec");
        var names = spec.Obj("names");
        var required = $"{names.StrOrEmpty("plural")}.{spec.StrOrEmpty("group")}";
        MetaValidation.Validate(crd, false, (name, prefix) =>
        {
            var found = NameRules.DnsSubdomain(name, prefix).ToList();
            if (name != required)
            {
                found.Add("must be spec.names.plural+\".\"+spec.group");
            }
            return found;
        }, errors);
        ValidateSpec(crd, spec, errors, warnings);
        ValidateNames(crd.Obj("status").Obj("acceptedNames"), FieldPath.Of("status", "acceptedNames"), errors);
        ValidateStoredVersions(crd, errors);
        return errors;
    }

    /// <summary>Field errors of an update: a new CRD's checks plus the fields that may not change.</summary>
    public static List<FieldError> ValidateUpdate(JsonObject crd, JsonObject old, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(crd);
        ArgumentNullException.ThrowIfNull(old);
        var errors = new List<FieldError>();
        MetaValidation.ValidateUpdate(crd, old, errors);
        var spec = crd.Obj("spec");
        var oldSpec = old.Obj("spec");
        ValidateSpec(crd, spec, errors, warnings);
        if (IsEstablished(old))
        {
            // Scope and kind decide how objects are stored: fixed once the CRD served them.
            Immutable(spec.StrOrEmpty("scope"), oldSpec.StrOrEmpty("scope"), Spec.Child("scope"), errors);
            Immutable(spec.Obj("names").StrOrEmpty("kind"), oldSpec.Obj("names").StrOrEmpty("kind"), Spec.Child("names").Child("kind"), errors);
        }
        // These make the resource's name, which never changes.
        Immutable(spec.StrOrEmpty("group"), oldSpec.StrOrEmpty("group"), Spec.Child("group"), errors);
        Immutable(spec.Obj("names").StrOrEmpty("plural"), oldSpec.Obj("names").StrOrEmpty("plural"), Spec.Child("names").Child("plural"), errors);
        ValidateNames(crd.Obj("status").Obj("acceptedNames"), FieldPath.Of("status", "acceptedNames"), errors);
        ValidateStoredVersions(crd, errors);
        return errors;
    }

    /// <summary>The checks of a /status write: ObjectMeta and the accepted names.</summary>
    public static List<FieldError> ValidateStatusUpdate(JsonObject crd, JsonObject old)
    {
        var errors = new List<FieldError>();
        MetaValidation.ValidateUpdate(crd, old, errors);
        ValidateNames(crd.Obj("status").Obj("acceptedNames"), FieldPath.Of("status", "acceptedNames"), errors);
        return errors;
    }

    /// <summary>True when the CRD's Established condition is True.</summary>
    public static bool IsEstablished(JsonObject crd) => ConditionTrue(crd, "Established");

    internal static bool ConditionTrue(JsonObject crd, string type) =>
        crd.Obj("status").Items("conditions").Any(c => c.Item.Str("type") == type && c.Item.Str("status") == "True");

    private static void Immutable(string value, string old, FieldPath path, List<FieldError> errors)
    {
        if (value != old)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(value), MetaValidation.ImmutableMessage));
        }
    }

    private static void ValidateSpec(JsonObject crd, JsonObject? spec, List<FieldError> errors, List<string> warnings)
    {
        var group = spec.StrOrEmpty("group");
        if (group.Length == 0)
        {
            errors.Add(FieldError.Required(Spec.Child("group")));
        }
        else if (Formats.IsDns1123Subdomain(group) is { Count: > 0 } groupErrors)
        {
            errors.Add(FieldError.Invalid(Spec.Child("group"), BadValue.Of(group), string.Join(",", groupErrors)));
        }
        else if (!group.Contains('.', StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid(Spec.Child("group"), BadValue.Of(group), "should be a domain with at least one dot"));
        }
        else if (IsProtectedGroup(group) && crd.Obj("metadata").Obj("annotations").Str("api-approved.kubernetes.io") is not { Length: > 0 })
        {
            errors.Add(FieldError.Required(FieldPath.Of("metadata", "annotations").Key("api-approved.kubernetes.io"),
                "protected groups must have approval annotation \"api-approved.kubernetes.io\", see https://github.com/kubernetes/enhancements/pull/1111"));
        }
        EnumString(spec.StrOrEmpty("scope"), Spec.Child("scope"), Scopes, errors);
        ValidateVersions(spec, errors, warnings);
        var names = spec.Obj("names");
        foreach (var field in new[] { "plural", "singular", "kind", "listKind" })
        {
            if (names.StrOrEmpty(field).Length == 0)
            {
                errors.Add(FieldError.Required(Spec.Child("names").Child(field)));
            }
        }
        ValidateNames(names, Spec.Child("names"), errors);
        ValidateConversion(spec.Obj("conversion"), Spec.Child("conversion"), errors);
        if (spec?["preserveUnknownFields"] is JsonValue preserve && preserve.GetValueKind() == JsonValueKind.True)
        {
            errors.Add(FieldError.Invalid(Spec.Child("preserveUnknownFields"), BadValue.Of(true),
                "must be false in order to use defaults in the schema"));
        }
    }

    // k8s.io and kubernetes.io groups belong to the Kubernetes project (apiextensions' approval annotation, KEP 1111).
    private static bool IsProtectedGroup(string group) =>
        group is "k8s.io" or "kubernetes.io" || group.EndsWith(".k8s.io", StringComparison.Ordinal) || group.EndsWith(".kubernetes.io", StringComparison.Ordinal);

    private static void ValidateVersions(JsonObject? spec, List<FieldError> errors, List<string> warnings)
    {
        var versions = Spec.Child("versions");
        var list = spec.Arr("versions");
        if (list is null || list.Count == 0)
        {
            errors.Add(FieldError.Invalid(versions, VersionsValue, "must have exactly one version marked as storage version"));
            return;
        }
        var storage = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unique = true;
        foreach (var (i, version) in spec.Items("versions"))
        {
            var at = versions.Index(i);
            var name = version.StrOrEmpty("name");
            storage += version.Bool("storage") == true ? 1 : 0;
            unique &= seen.Add(name);
            if (Formats.IsDns1035Label(name) is { Count: > 0 } nameErrors)
            {
                errors.Add(FieldError.Invalid(at.Child("name"), BadValue.Of(name), string.Join(",", nameErrors)));
            }
            ValidateVersion(version, at, errors, warnings);
        }
        if (!unique)
        {
            errors.Add(FieldError.Invalid(versions, VersionsValue, "must contain unique version names"));
        }
        if (storage != 1)
        {
            errors.Add(FieldError.Invalid(versions, VersionsValue, "must have exactly one version marked as storage version"));
        }
    }

    private static void ValidateVersion(JsonObject version, FieldPath at, List<FieldError> errors, List<string> warnings)
    {
        var subresources = version.Obj("subresources");
        var hasStatus = subresources?["status"] is JsonObject;
        var schemaAt = at.Child("schema").Child("openAPIV3Schema");
        if (version.Obj("schema").Obj("openAPIV3Schema") is not { } schema)
        {
            errors.Add(FieldError.Required(schemaAt, "schemas are required"));
        }
        else
        {
            CustomResourceSchema.Create(schema, schemaAt, hasStatus, new CelSchemaRules(), errors, warnings);
        }
        ValidateSubresources(subresources, at.Child("subresources"), errors);
        foreach (var (i, column) in version.Items("additionalPrinterColumns"))
        {
            ValidateColumn(column, at.Child("additionalPrinterColumns").Index(i), errors);
        }
        var fields = version.Arr("selectableFields");
        if (fields is { Count: > MaxSelectableFields })
        {
            errors.Add(FieldError.TooMany(at.Child("selectableFields"), fields.Count, MaxSelectableFields));
        }
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (i, field) in version.Items("selectableFields"))
        {
            var path = at.Child("selectableFields").Index(i).Child("jsonPath");
            var jsonPath = field.StrOrEmpty("jsonPath");
            if (jsonPath.Length == 0)
            {
                errors.Add(FieldError.Required(path));
            }
            else if (SimpleJsonPath(jsonPath, path, errors) && !paths.Add(jsonPath))
            {
                errors.Add(FieldError.Duplicate(path, BadValue.Of(jsonPath)));
            }
            else if (jsonPath is ".metadata.name" or ".metadata.namespace")
            {
                errors.Add(FieldError.Invalid(path, BadValue.Of(jsonPath), "is invalid: metadata.name and metadata.namespace are always selectable"));
            }
        }
    }

    private static void ValidateSubresources(JsonObject? subresources, FieldPath at, List<FieldError> errors)
    {
        if (subresources.Obj("scale") is not { } scale)
        {
            return;
        }
        ScalePath(scale.StrOrEmpty("specReplicasPath"), at.Child("scale.specReplicasPath"), ".spec.", "should be a json path under .spec", required: true, errors);
        ScalePath(scale.StrOrEmpty("statusReplicasPath"), at.Child("scale.statusReplicasPath"), ".status.", "should be a json path under .status", required: true, errors);
        ScalePath(scale.StrOrEmpty("labelSelectorPath"), at.Child("scale.labelSelectorPath"), ".status.", "should be a json path under .status", required: false, errors);
    }

    private static void ScalePath(string value, FieldPath at, string prefix, string message, bool required, List<FieldError> errors)
    {
        if (value.Length == 0)
        {
            if (required)
            {
                errors.Add(FieldError.Required(at));
            }
            return;
        }
        if (SimpleJsonPath(value, at, errors) && !value.StartsWith(prefix, StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid(at, BadValue.Of(value), message));
        }
    }

    private static void ValidateColumn(JsonObject column, FieldPath at, List<FieldError> errors)
    {
        if (column.StrOrEmpty("name").Length == 0)
        {
            errors.Add(FieldError.Required(at.Child("name")));
        }
        var type = column.StrOrEmpty("type");
        var types = "must be one of " + string.Join(",", ColumnTypes);
        if (type.Length == 0)
        {
            errors.Add(FieldError.Required(at.Child("type"), types));
        }
        else if (!ColumnTypes.Contains(type))
        {
            errors.Add(FieldError.Invalid(at.Child("type"), BadValue.Of(type), types));
        }
        var format = column.StrOrEmpty("format");
        if (format.Length > 0 && !ColumnFormats.Contains(format))
        {
            errors.Add(FieldError.Invalid(at.Child("format"), BadValue.Of(format), "must be one of " + string.Join(",", ColumnFormats)));
        }
        var jsonPath = column.StrOrEmpty("jsonPath");
        if (jsonPath.Length == 0)
        {
            errors.Add(FieldError.Required(at.Child("jsonPath")));
        }
        else
        {
            SimpleJsonPath(jsonPath, at.Child("jsonPath"), errors);
        }
    }

    // validateSimpleJSONPath: a dot-notation path starting with '.'.
    private static bool SimpleJsonPath(string path, FieldPath at, List<FieldError> errors)
    {
        if (path[0] != '.')
        {
            errors.Add(FieldError.Invalid(at, BadValue.Of(path), "must be a simple json path starting with ."));
            return false;
        }
        return true;
    }

    private static void ValidateNames(JsonObject? names, FieldPath at, List<FieldError> errors)
    {
        if (names is null)
        {
            return;
        }
        Label(names.StrOrEmpty("plural"), at.Child("plural"), null, errors);
        Label(names.StrOrEmpty("singular"), at.Child("singular"), null, errors);
        const string mixedCase = "may have mixed case, but should otherwise match: ";
        Label(names.StrOrEmpty("kind"), at.Child("kind"), mixedCase, errors);
        Label(names.StrOrEmpty("listKind"), at.Child("listKind"), mixedCase, errors);
        foreach (var (i, shortName) in Strings(names, "shortNames"))
        {
            Label(shortName, at.Child("shortNames").Index(i), null, errors, always: true);
        }
        var kind = names.StrOrEmpty("kind");
        if (kind.Length > 0 && kind == names.StrOrEmpty("listKind"))
        {
            errors.Add(FieldError.Invalid(at.Child("listKind"), BadValue.Of(kind), "kind and listKind may not be the same"));
        }
        foreach (var (i, category) in Strings(names, "categories"))
        {
            Label(category, at.Child("categories").Index(i), null, errors, always: true);
        }
    }

    private static IEnumerable<(int Index, string Value)> Strings(JsonObject names, string field) =>
        (names.Arr(field) ?? []).Select((node, i) => (i, ObjectMeta.Str(node) ?? ""));

    // Kinds may have mixed case: checked lower-cased, reported as written.
    private static void Label(string value, FieldPath at, string? mixedCase, List<FieldError> errors, bool always = false)
    {
        if (value.Length == 0 && !always)
        {
            return;
        }
        var found = Formats.IsDns1035Label(mixedCase is null ? value : value.ToLowerInvariant());
        if (found.Count > 0)
        {
            errors.Add(FieldError.Invalid(at, BadValue.Of(value), (mixedCase ?? "") + string.Join(",", found)));
        }
    }

    private static void ValidateConversion(JsonObject? conversion, FieldPath at, List<FieldError> errors)
    {
        if (conversion is null)
        {
            return;
        }
        var strategy = conversion.StrOrEmpty("strategy");
        EnumString(strategy, at.Child("strategy"), ConversionStrategies, errors);
        var webhook = conversion.Obj("webhook");
        if (strategy == "Webhook")
        {
            if (webhook is null)
            {
                errors.Add(FieldError.Required(at.Child("webhook"), "must be set when strategy is set to Webhook"));
                return;
            }
            var config = webhook.Obj("clientConfig");
            var configAt = at.Child("webhook").Child("clientConfig");
            if (config is null)
            {
                errors.Add(FieldError.Required(configAt, "required when strategy is set to Webhook"));
            }
            else if (config.Has("url") == config.Has("service"))
            {
                errors.Add(FieldError.Required(configAt, "exactly one of url or service is required"));
            }
            else if (config.Str("url") is { } url)
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "https")
                {
                    errors.Add(FieldError.Invalid(configAt.Child("url"), BadValue.Of(url), "'https' is the only allowed URL scheme"));
                }
            }
            else if (config.Obj("service") is { } service)
            {
                foreach (var field in new[] { "name", "namespace" })
                {
                    if (service.StrOrEmpty(field).Length == 0)
                    {
                        errors.Add(FieldError.Required(configAt.Child("service").Child(field), $"service {field} is required"));
                    }
                }
            }
            var reviewVersions = webhook.Arr("conversionReviewVersions");
            if (reviewVersions is null || reviewVersions.Count == 0)
            {
                errors.Add(FieldError.Required(at.Child("webhook").Child("conversionReviewVersions"), "must include at least one of v1, v1beta1"));
            }
        }
        else if (webhook is not null)
        {
            errors.Add(FieldError.Forbidden(at.Child("webhook"), "should not be set when strategy is not set to Webhook"));
        }
    }

    private static void EnumString(string value, FieldPath at, string[] accepted, List<FieldError> errors)
    {
        if (value.Length == 0)
        {
            errors.Add(FieldError.Required(at));
        }
        else if (!accepted.Contains(value))
        {
            errors.Add(FieldError.NotSupported(at, BadValue.Of(value), accepted));
        }
    }

    private static void ValidateStoredVersions(JsonObject crd, List<FieldError> errors)
    {
        var at = FieldPath.Of("status", "storedVersions");
        var stored = (crd.Obj("status").Arr("storedVersions") ?? []).Select(v => ObjectMeta.Str(v) ?? "").ToList();
        if (stored.Count == 0)
        {
            errors.Add(FieldError.Invalid(at, BadValue.Go("[]string(nil)"), "must have at least one stored version"));
            return;
        }
        var remaining = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < stored.Count; i++)
        {
            remaining[stored[i]] = i;
        }
        foreach (var (_, version) in crd.Obj("spec").Items("versions"))
        {
            var name = version.StrOrEmpty("name");
            if (version.Bool("storage") == true && !remaining.ContainsKey(name))
            {
                errors.Add(FieldError.Invalid(at, BadValue.Go("apiextensions.CustomResourceDefinitionVersion{...}"), "must have the storage version " + name));
            }
            remaining.Remove(name);
        }
        foreach (var (version, i) in remaining.OrderBy(r => r.Value))
        {
            errors.Add(FieldError.Invalid(at.Index(i), BadValue.Of(version), "must appear in spec.versions"));
        }
    }
}
