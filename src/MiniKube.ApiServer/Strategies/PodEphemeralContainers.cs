using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Writes through pods/ephemeralcontainers (pkg/registry/core/pod/strategy.go,
/// podEphemeralContainersStrategy): whatever the client sent, only spec.ephemeralContainers
/// reaches the stored pod; the rest (metadata but name, namespace, uid and resourceVersion,
/// the other containers, status) is the stored pod's.
/// </summary>
public static class PodEphemeralContainers
{
    /// <summary>The subresource's name in the path and in the registry's write path.</summary>
    public const string Subresource = "ephemeralcontainers";

    /// <summary>dropNonEphemeralContainerUpdates: <paramref name="obj"/> becomes the stored pod plus its ephemeral containers.</summary>
    public static void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        var ephemeral = obj["spec"]?["ephemeralContainers"]?.DeepClone();
        var metadata = obj["metadata"] as JsonObject;
        var kept = (JsonObject)old.DeepClone();
        obj.Clear();
        foreach (var (key, value) in kept.ToList())
        {
            kept.Remove(key);
            obj[key] = value;
        }
        var newMetadata = obj["metadata"] as JsonObject ?? [];
        obj["metadata"] = newMetadata;
        foreach (var field in new[] { "name", "namespace", "uid", "resourceVersion" })
        {
            newMetadata.Remove(field);
            if (metadata?[field] is { } value)
            {
                newMetadata[field] = value.DeepClone();
            }
        }
        var spec = obj["spec"] as JsonObject ?? [];
        obj["spec"] = spec;
        spec.Remove("ephemeralContainers");
        if (ephemeral is not null)
        {
            spec["ephemeralContainers"] = ephemeral;
        }
    }

    /// <summary>ValidatePodEphemeralContainersUpdate: the pod's spec checks, then append-only entries.</summary>
    public static IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        var errors = new List<FieldError>();
        PodValidation.ValidateSpecOnly(obj, errors);
        EphemeralContainerValidation.ValidateUpdate(obj, old, errors);
        return errors;
    }
}
