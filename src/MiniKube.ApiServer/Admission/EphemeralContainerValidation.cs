using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Ephemeral containers (the ones <c>kubectl debug</c> adds to a running pod), checked as
/// pkg/apis/core/validation/validation.go does: validateEphemeralContainers for the spec (names
/// unique across every container list, a target that is a regular or init container, only the
/// fields of allowedEphemeralContainerFields, no subPath mounts) and
/// ValidatePodEphemeralContainersUpdate for a write through pods/ephemeralcontainers (entries
/// are append-only: none removed, none changed; static pods take none).
/// </summary>
internal static class EphemeralContainerValidation
{
    private const string NotForEphemeral = "cannot be set for an Ephemeral Container";

    // The fields of EphemeralContainerCommon that allowedEphemeralContainerFields marks false, in
    // the struct's order (the order upstream reports them in).
    private static readonly string[] ForbiddenFields =
        ["ports", "resources", "resizePolicy", "restartPolicy", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle"];

    private static readonly FieldPath ListPath = FieldPath.Of("spec", "ephemeralContainers");

    /// <summary>validateEphemeralContainers over spec.ephemeralContainers.</summary>
    public static void Validate(JsonObject spec, IReadOnlySet<string> volumes, FieldPath path, List<FieldError> errors)
    {
        if (spec.Arr("ephemeralContainers") is not { Count: > 0 })
        {
            return;
        }
        var others = spec.Items("containers").Concat(spec.Items("initContainers"))
            .Select(c => c.Item.StrOrEmpty("name")).ToHashSet(StringComparer.Ordinal);
        var all = new HashSet<string>(others, StringComparer.Ordinal);
        foreach (var (index, container) in spec.Items("ephemeralContainers"))
        {
            var at = path.Index(index);
            ContainerValidation.ValidateCommon(container, volumes, at, errors);
            var image = container.StrOrEmpty("image");
            if (image.Length != image.Trim().Length)
            {
                errors.Add(FieldError.Invalid(at.Child("image"), BadValue.Of(image), "must not have leading or trailing whitespace"));
            }
            var name = container.StrOrEmpty("name");
            if (!all.Add(name))
            {
                errors.Add(FieldError.Duplicate(at.Child("name"), BadValue.Of(name)));
            }
            if (container.StrOrEmpty("targetContainerName") is { Length: > 0 } target && !others.Contains(target))
            {
                errors.Add(FieldError.NotFound(at.Child("targetContainerName"), BadValue.Of(target)));
            }
            foreach (var field in ForbiddenFields)
            {
                if (IsSet(field, container[field]))
                {
                    errors.Add(FieldError.Forbidden(at.Child(field), NotForEphemeral));
                }
            }
            foreach (var (mountIndex, mount) in container.Items("volumeMounts"))
            {
                foreach (var field in new[] { "subPath", "subPathExpr" })
                {
                    if (mount.StrOrEmpty(field).Length > 0)
                    {
                        errors.Add(FieldError.Forbidden(at.Child("volumeMounts").Index(mountIndex).Child(field), NotForEphemeral));
                    }
                }
            }
        }
    }

    /// <summary>
    /// Part 2 of ValidatePodEphemeralContainersUpdate: every existing entry is still there,
    /// unchanged (matched by name, since a patch need not keep the order).
    /// </summary>
    public static void ValidateUpdate(JsonObject pod, JsonObject old, List<FieldError> errors)
    {
        if (old.Obj("metadata").Obj("annotations").Has("kubernetes.io/config.mirror"))
        {
            errors.Clear();
            errors.Add(FieldError.Forbidden(FieldPath.Root, "static pods do not support ephemeral containers"));
            return;
        }
        var current = pod.Obj("spec").Items("ephemeralContainers")
            .GroupBy(c => c.Item.StrOrEmpty("name"), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Item, StringComparer.Ordinal);
        foreach (var (_, existing) in old.Obj("spec").Items("ephemeralContainers"))
        {
            var name = existing.StrOrEmpty("name");
            if (!current.TryGetValue(name, out var now))
            {
                errors.Add(FieldError.Forbidden(ListPath, $"existing ephemeral containers {GoSyntax.Quote(name)} may not be removed\n"));
            }
            else if (!JsonNode.DeepEquals(existing, now))
            {
                errors.Add(FieldError.Forbidden(ListPath.Key(name),
                    $"existing ephemeral containers {GoSyntax.Quote(name)} may not be changed\n{JsonDiff.Describe(existing, now, name)}"));
            }
        }
    }

    // Go's reflect IsZero on the field: absent or null is unset. resources is the one struct (not
    // a pointer) among them, so an empty one is unset too (kubectl debug sends "resources":{}).
    private static bool IsSet(string field, JsonNode? value) => value switch
    {
        null => false,
        JsonObject resources when field == "resources" => resources.Any(p => p.Value is not null),
        _ => true,
    };
}
