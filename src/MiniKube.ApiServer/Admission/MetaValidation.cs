using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// ObjectMeta rules shared by every kind, on create and on update: apimachinery
/// pkg/api/validation/objectmeta.go (ValidateObjectMetaAccessor, ValidateObjectMetaAccessorUpdate)
/// plus the core package's finalizer-name check (pkg/apis/core/validation validateKubeFinalizerName).
/// Map entries are checked in key order so the messages are stable (upstream's order is random).
/// </summary>
internal static class MetaValidation
{
    private const int TotalAnnotationSizeLimit = 256 * 1024;
    public const string ImmutableMessage = "field is immutable";
    public const string NegativeMessage = "must be greater than or equal to 0";
    // Plus the CRD cleanup finalizer, which upstream's generic ObjectMeta check (a qualified name) accepts for CRDs.
    private static readonly HashSet<string> StandardFinalizers = new(StringComparer.Ordinal) { "kubernetes", "orphan", "foregroundDeletion", "customresourcecleanup.apiextensions.k8s.io" };
    private static readonly FieldPath Metadata = FieldPath.Of("metadata");

    public static void Validate(JsonObject obj, bool namespaced, NameRule nameRule, List<FieldError> errors)
    {
        var meta = obj.Obj("metadata");
        var generateName = meta.StrOrEmpty("generateName");
        if (generateName.Length > 0)
        {
            foreach (var message in nameRule(generateName, true))
            {
                errors.Add(FieldError.Invalid(Metadata.Child("generateName"), BadValue.Of(generateName), message));
            }
        }
        FieldChecks.RequiredFormat(meta.StrOrEmpty("name"), name => nameRule(name, false), Metadata.Child("name"), errors, "name or generateName is required");
        var ns = meta.StrOrEmpty("namespace");
        if (namespaced)
        {
            FieldChecks.RequiredFormat(ns, name => NameRules.DnsLabel(name, false), Metadata.Child("namespace"), errors);
        }
        else if (ns.Length > 0)
        {
            errors.Add(FieldError.Forbidden(Metadata.Child("namespace"), "not allowed on this type"));
        }
        NonNegative(meta.Int("generation"), Metadata.Child("generation"), errors);
        ValidateLabels(meta, "labels", Metadata.Child("labels"), errors);
        ValidateAnnotations(meta, "annotations", Metadata.Child("annotations"), errors);
        ValidateOwnerReferences(meta, errors);
        ValidateFinalizers(meta, errors);
    }

    public static void ValidateUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        var meta = obj.Obj("metadata");
        var oldMeta = old.Obj("metadata");
        if (oldMeta.Has("deletionTimestamp"))
        {
            var oldFinalizers = Strings(oldMeta.Arr("finalizers")).ToHashSet(StringComparer.Ordinal);
            var added = Strings(meta.Arr("finalizers")).Where(f => !oldFinalizers.Contains(f)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (added.Count > 0)
            {
                errors.Add(FieldError.Forbidden(Metadata.Child("finalizers"),
                    $"no new finalizers can be added if the object is being deleted, found new finalizers {GoSyntax.StringSlice(new JsonArray(added.Select(a => (JsonNode)a).ToArray()))}"));
            }
        }
        var resourceVersion = meta.StrOrEmpty("resourceVersion");
        if (resourceVersion.Length == 0)
        {
            errors.Add(FieldError.Invalid(Metadata.Child("resourceVersion"), BadValue.Of(resourceVersion), "must be specified for an update"));
        }
        if ((meta.Int("generation") ?? 0) < (oldMeta.Int("generation") ?? 0))
        {
            errors.Add(FieldError.Invalid(Metadata.Child("generation"), BadValue.Of(meta.Int("generation") ?? 0), "must not be decremented"));
        }
        foreach (var field in new[] { "name", "namespace", "uid" })
        {
            if (meta.StrOrEmpty(field) != oldMeta.StrOrEmpty(field))
            {
                errors.Add(FieldError.Invalid(Metadata.Child(field), BadValue.Of(meta.StrOrEmpty(field)), ImmutableMessage));
            }
        }
        foreach (var field in new[] { "creationTimestamp", "deletionTimestamp" })
        {
            if (!JsonNode.DeepEquals(meta?[field], oldMeta?[field]))
            {
                var shown = GoTime(meta.Str(field), nullable: field == "deletionTimestamp");
                errors.Add(FieldError.Invalid(Metadata.Child(field), BadValue.Go(shown), ImmutableMessage));
            }
        }
        if (meta.Int("deletionGracePeriodSeconds") != oldMeta.Int("deletionGracePeriodSeconds"))
        {
            errors.Add(FieldError.Invalid(Metadata.Child("deletionGracePeriodSeconds"), BadValue.Of(meta.Int("deletionGracePeriodSeconds")), ImmutableMessage));
        }
        ValidateLabels(meta, "labels", Metadata.Child("labels"), errors);
        ValidateAnnotations(meta, "annotations", Metadata.Child("annotations"), errors);
        ValidateOwnerReferences(meta, errors);
        ValidateKubeFinalizerNames(meta, errors);
    }

    /// <summary>Label keys must be qualified names and values valid label values (meta/v1/validation ValidateLabels).</summary>
    public static void ValidateLabels(JsonObject? owner, string field, FieldPath path, List<FieldError> errors)
    {
        foreach (var (key, value) in owner.StringMap(field))
        {
            ValidateLabelName(key, path, errors);
            foreach (var message in Formats.IsValidLabelValue(value))
            {
                errors.Add(FieldError.Invalid(path, BadValue.Of(value), message));
            }
        }
    }

    public static void ValidateLabelName(string key, FieldPath path, List<FieldError> errors)
    {
        foreach (var message in Formats.IsQualifiedName(key))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(key), message));
        }
    }

    public static void ValidateAnnotations(JsonObject? owner, string field, FieldPath path, List<FieldError> errors)
    {
        long total = 0;
        foreach (var (key, value) in owner.StringMap(field))
        {
            foreach (var message in Formats.IsQualifiedName(key.ToLowerInvariant()))
            {
                errors.Add(FieldError.Invalid(path, BadValue.Of(key), message));
            }
            total += Formats.ByteLength(key) + Formats.ByteLength(value);
        }
        if (total > TotalAnnotationSizeLimit)
        {
            errors.Add(FieldError.TooLong(path, TotalAnnotationSizeLimit));
        }
    }

    /// <summary>Upstream's ValidateNonnegativeField, for an optional value.</summary>
    public static void NonNegative(long? value, FieldPath path, List<FieldError> errors)
    {
        if (value is < 0)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(value.Value), NegativeMessage));
        }
    }

    internal static IEnumerable<string> Strings(JsonArray? array) =>
        array is null ? [] : array.Where(n => n is not null).Select(GoSyntax.ScalarText);

    private static void ValidateOwnerReferences(JsonObject? meta, List<FieldError> errors)
    {
        var path = Metadata.Child("ownerReferences");
        string? firstController = null;
        foreach (var (_, reference) in meta.Items("ownerReferences"))
        {
            var apiVersion = reference.StrOrEmpty("apiVersion");
            var kind = reference.StrOrEmpty("kind");
            var parts = apiVersion.Split('/');
            var version = parts.Length switch { 1 => parts[0], 2 => parts[1], _ => "" };
            if (version.Length == 0)
            {
                errors.Add(FieldError.Invalid(path.Child("apiVersion"), BadValue.Of(apiVersion), "version must not be empty"));
            }
            if (kind.Length == 0)
            {
                errors.Add(FieldError.Invalid(path.Child("kind"), BadValue.Of(kind), "kind must not be empty"));
            }
            if (reference.StrOrEmpty("name").Length == 0)
            {
                errors.Add(FieldError.Invalid(path.Child("name"), BadValue.Of(""), "name must not be empty"));
            }
            if (reference.StrOrEmpty("uid").Length == 0)
            {
                errors.Add(FieldError.Invalid(path.Child("uid"), BadValue.Of(""), "uid must not be empty"));
            }
            if (apiVersion == "v1" && kind == "Event")
            {
                errors.Add(FieldError.Invalid(path, BadValue.Go("v1.OwnerReference{...}"), "/v1, Kind=Event is disallowed from being an owner"));
            }
            if (reference.Bool("controller") == true)
            {
                var current = $"{kind}/{reference.StrOrEmpty("name")}";
                if (firstController is null)
                {
                    firstController = current;
                }
                else
                {
                    errors.Add(FieldError.Invalid(path, BadValue.Go("[]v1.OwnerReference{...}"),
                        $"Only one reference can have Controller set to true. Found \"true\" in references for {firstController} and {current}"));
                }
            }
        }
    }

    private static void ValidateFinalizers(JsonObject? meta, List<FieldError> errors)
    {
        var path = Metadata.Child("finalizers");
        var finalizers = Strings(meta.Arr("finalizers")).ToList();
        foreach (var finalizer in finalizers)
        {
            foreach (var message in Formats.IsQualifiedName(finalizer))
            {
                errors.Add(FieldError.Invalid(path, BadValue.Of(finalizer), message));
            }
        }
        if (finalizers.Contains("orphan") && finalizers.Contains("foregroundDeletion"))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Go(GoSyntax.StringSlice(meta.Arr("finalizers"))), "finalizer orphan and foregroundDeletion cannot be both set"));
        }
        ValidateKubeFinalizerNames(meta, errors);
    }

    private static void ValidateKubeFinalizerNames(JsonObject? meta, List<FieldError> errors)
    {
        var index = 0;
        foreach (var finalizer in Strings(meta.Arr("finalizers")))
        {
            if (!finalizer.Contains('/', StringComparison.Ordinal) && !StandardFinalizers.Contains(finalizer))
            {
                errors.Add(FieldError.Invalid(Metadata.Child("finalizers").Index(index), BadValue.Of(finalizer), "name is neither a standard finalizer name nor is it fully qualified"));
            }
            index++;
        }
    }

    // metav1.Time prints through time.Time.String(): "2006-01-02 15:04:05 +0000 UTC".
    private static string GoTime(string? rfc3339, bool nullable)
    {
        if (rfc3339 is null)
        {
            return nullable ? "null" : "0001-01-01 00:00:00 +0000 UTC";
        }
        return DateTimeOffset.TryParse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +0000 UTC"
            : GoSyntax.Quote(rfc3339);
    }
}
