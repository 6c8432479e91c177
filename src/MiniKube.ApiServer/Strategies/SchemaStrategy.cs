using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Defaults and checks a kind gets from a schema rather than from code: the seam for custom
/// resources, whose rules come from their CRD's structural schema (upstream's
/// apiextensions-apiserver pkg/registry/customresource/strategy.go and the structural-schema
/// defaulting). Implementations must be idempotent in <see cref="ApplyDefaults"/>.
/// </summary>
public interface IObjectSchema
{
    /// <summary>True when the schema declares a status subresource (status then belongs to /status).</summary>
    bool HasStatusSubresource { get; }

    /// <summary>Fills in the schema's defaults.</summary>
    void ApplyDefaults(JsonObject obj);

    /// <summary>Adds the errors of <paramref name="obj"/> against the schema.</summary>
    void Validate(JsonObject obj, List<FieldError> errors);

    /// <summary>Adds the errors of an update; schemas whose checks do not look at the old object validate the new one alone.</summary>
    void ValidateUpdate(JsonObject obj, JsonObject old, List<FieldError> errors) => Validate(obj, errors);

    /// <summary>Removes the fields the schema does not know, in place; returns their paths for fieldValidation Strict and Warn.</summary>
    IReadOnlyList<string> Prune(JsonObject obj) => [];
}

/// <summary>
/// The strategy of a kind described by an <see cref="IObjectSchema"/>: ObjectMeta checks with
/// DNS-subdomain names, then the schema's defaults and checks; as for custom resources upstream,
/// metadata.generation is always tracked and status is owned by /status when the schema says so.
/// </summary>
public sealed class SchemaStrategy : ResourceStrategy
{
    /// <summary>
    /// True while the defining CRD is being deleted: existing objects are still served (and
    /// deleted), new ones refused, as apiextensions' crdHandler does for a terminating CRD.
    /// </summary>
    public bool RefusesCreates { get; init; }

    public override Task AdmitCreateAsync(JsonObject obj, IStrategyContext context, CancellationToken cancellationToken)
    {
        if (RefusesCreates)
        {
            throw new ApiException(StatusCodes.Status405MethodNotAllowed, "MethodNotAllowed", "create not allowed while custom resource definition is terminating", []);
        }
        return Task.CompletedTask;
    }

    /// <summary>Everything but metadata, and status when /status owns it, counts (custom objects need not have a spec).</summary>
    public override bool ChangesGeneration(JsonObject obj, JsonObject old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        foreach (var key in obj.Select(p => p.Key).Union(old.Select(p => p.Key)))
        {
            if (key is "metadata" || (key is "status" && OwnsStatus))
            {
                continue;
            }
            if (!JsonNode.DeepEquals(obj[key], old[key]))
            {
                return true;
            }
        }
        return false;
    }

    public SchemaStrategy(IObjectSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Defaults = schema.ApplyDefaults;
        CreateChecks = schema.Validate;
        UpdateChecks = schema.ValidateUpdate;
        OwnsStatus = schema.HasStatusSubresource;
        TracksGeneration = true;
    }
}
