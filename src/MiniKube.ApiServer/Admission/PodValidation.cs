using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Pod create and update rules beyond ObjectMeta: pkg/apis/core/validation/validation.go
/// ValidatePodCreate and ValidatePodUpdate. On update only container images, activeDeadlineSeconds
/// (lowered or newly set), added tolerations, removed scheduling gates and a negative grace
/// period raised to 1 may change.
/// </summary>
internal static class PodValidation
{
    private static readonly FieldPath Spec = FieldPath.Of("spec");

    private const string UpdatableFields =
        "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`," +
        "`spec.tolerations` (only additions to existing tolerations)," +
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    public static void Validate(JsonObject pod, List<FieldError> errors)
    {
        ValidateSpec(pod, errors);
        var spec = pod.Obj("spec");
        if (spec.Arr("ephemeralContainers") is { Count: > 0 })
        {
            errors.Add(FieldError.Forbidden(Spec.Child("ephemeralContainers"), "cannot be set on create"));
        }
        if (spec.StrOrEmpty("nodeName").Length > 0 && spec.Arr("schedulingGates") is { Count: > 0 })
        {
            errors.Add(FieldError.Forbidden(Spec.Child("nodeName"), "cannot be set until all schedulingGates have been cleared"));
        }
    }

    public static void ValidateUpdate(JsonObject pod, JsonObject old, List<FieldError> errors)
    {
        ValidateSpec(pod, errors);
        var spec = pod.Obj("spec") ?? [];
        var oldSpec = old.Obj("spec") ?? [];
        foreach (var list in new[] { "containers", "initContainers" })
        {
            if ((spec.Arr(list)?.Count ?? 0) != (oldSpec.Arr(list)?.Count ?? 0))
            {
                errors.Add(FieldError.Forbidden(Spec.Child(list), "pod updates may not add or remove containers"));
                return;
            }
            foreach (var (index, container) in spec.Items(list))
            {
                var image = container.StrOrEmpty("image");
                if (image.Length == 0)
                {
                    errors.Add(FieldError.Required(Spec.Child(list).Index(index).Child("image")));
                }
                if (image.Trim().Length != image.Length)
                {
                    errors.Add(FieldError.Invalid(Spec.Child(list).Index(index).Child("image"), BadValue.Of(image), "must not have leading or trailing whitespace"));
                }
            }
        }
        if (spec.Int("activeDeadlineSeconds") is { } deadline)
        {
            if (deadline is < 0 or > int.MaxValue)
            {
                errors.Add(FieldError.Invalid(Spec.Child("activeDeadlineSeconds"), BadValue.Of(deadline), Formats.InclusiveRangeError(0, int.MaxValue)));
                return;
            }
            if (oldSpec.Int("activeDeadlineSeconds") is { } oldDeadline && oldDeadline < deadline)
            {
                errors.Add(FieldError.Invalid(Spec.Child("activeDeadlineSeconds"), BadValue.Of(deadline), "must be less than or equal to previous value"));
                return;
            }
        }
        else if (oldSpec.Has("activeDeadlineSeconds"))
        {
            errors.Add(FieldError.Invalid(Spec.Child("activeDeadlineSeconds"), BadValue.Null, "must not update from a positive integer to nil value"));
        }
        ValidateOnlyAddedTolerations(spec, oldSpec, errors);
        if (JsonNode.DeepEquals(spec, oldSpec))
        {
            return;
        }
        var munged = Munge(spec, oldSpec);
        if (!JsonNode.DeepEquals(munged, oldSpec))
        {
            var diff = JsonDiff.Describe(oldSpec, munged, "spec");
            errors.Add(FieldError.Forbidden(Spec, $"pod updates may not change fields other than {UpdatableFields}\n{diff}"));
        }
    }

    /// <summary>validatePodMetadataAndSpec's spec part, for writes that change the spec through a subresource.</summary>
    public static void ValidateSpecOnly(JsonObject pod, List<FieldError> errors) => ValidateSpec(pod, errors);

    private static void ValidateSpec(JsonObject pod, List<FieldError> errors)
    {
        var spec = pod.Obj("spec") ?? [];
        PodSpecValidation.Validate(spec, Spec, isPod: true, errors);
        // A Pod (not a template) may not carry whitespace around its images.
        foreach (var list in new[] { "containers", "initContainers" })
        {
            foreach (var (index, container) in spec.Items(list))
            {
                var image = container.StrOrEmpty("image");
                if (image.Length != image.Trim().Length)
                {
                    errors.Add(FieldError.Invalid(Spec.Child(list).Index(index).Child("image"), BadValue.Of(image), "must not have leading or trailing whitespace"));
                }
            }
        }
    }

    // The new spec with every field a user may change set back to its old value.
    private static JsonObject Munge(JsonObject spec, JsonObject oldSpec)
    {
        var munged = (JsonObject)spec.DeepClone();
        foreach (var list in new[] { "containers", "initContainers" })
        {
            foreach (var (index, container) in munged.Items(list))
            {
                container["image"] = oldSpec.Arr(list)?[index]?["image"]?.DeepClone();
                if (container["image"] is null)
                {
                    container.Remove("image");
                }
            }
        }
        foreach (var field in new[] { "activeDeadlineSeconds", "schedulingGates", "tolerations" })
        {
            munged.Remove(field);
            if (oldSpec[field] is { } oldValue)
            {
                munged[field] = oldValue.DeepClone();
            }
        }
        if (oldSpec.Int("terminationGracePeriodSeconds") is < 0 && munged.Int("terminationGracePeriodSeconds") == 1)
        {
            munged["terminationGracePeriodSeconds"] = oldSpec["terminationGracePeriodSeconds"]!.DeepClone();
        }
        return munged;
    }

    // validateOnlyAddedTolerations: every old toleration must still be there, up to its tolerationSeconds.
    private static void ValidateOnlyAddedTolerations(JsonObject spec, JsonObject oldSpec, List<FieldError> errors)
    {
        var current = spec.Items("tolerations").Select(t => WithoutSeconds(t.Item)).ToList();
        foreach (var (_, old) in oldSpec.Items("tolerations"))
        {
            var wanted = WithoutSeconds(old);
            if (!current.Any(t => JsonNode.DeepEquals(t, wanted)))
            {
                errors.Add(FieldError.Forbidden(Spec.Child("tolerations"), "existing toleration can not be modified except its tolerationSeconds"));
                return;
            }
        }
    }

    private static JsonObject WithoutSeconds(JsonObject toleration)
    {
        var copy = (JsonObject)toleration.DeepClone();
        copy.Remove("tolerationSeconds");
        return copy;
    }
}

/// <summary>
/// A short, line-per-change description of how two JSON documents differ, shown after the
/// forbidden-update message where upstream prints a Go cmp.Diff of its internal types.
/// </summary>
internal static class JsonDiff
{
    private const int MaxLines = 20;

    public static string Describe(JsonNode? before, JsonNode? after, string root)
    {
        var lines = new List<string>();
        Walk(before, after, root, lines);
        if (lines.Count > MaxLines)
        {
            lines = [.. lines.Take(MaxLines), $"  ... ({lines.Count - MaxLines} more)"];
        }
        return string.Join("\n", lines);
    }

    private static void Walk(JsonNode? before, JsonNode? after, string path, List<string> lines)
    {
        if (JsonNode.DeepEquals(before, after))
        {
            return;
        }
        switch (before, after)
        {
            case (JsonObject b, JsonObject a):
                foreach (var key in b.Select(p => p.Key).Union(a.Select(p => p.Key)).Order(StringComparer.Ordinal))
                {
                    Walk(b[key], a[key], $"{path}.{key}", lines);
                }
                break;
            case (JsonArray b, JsonArray a) when b.Count == a.Count:
                for (var i = 0; i < b.Count; i++)
                {
                    Walk(b[i], a[i], $"{path}[{i}]", lines);
                }
                break;
            default:
                lines.Add($"  {path}: {before?.ToJsonString() ?? "null"} -> {after?.ToJsonString() ?? "null"}");
                break;
        }
    }
}
