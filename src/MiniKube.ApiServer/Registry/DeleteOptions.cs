using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// meta/v1 DeleteOptions, from the body and/or the query (clients use both). A body field of the
/// wrong type is the decoder's 400; a propagationPolicy that is not one of the three, or one set
/// with orphanDependents, is ValidateDeleteOptions' 422 (apimachinery
/// pkg/apis/meta/internalversion/validation).
/// </summary>
public sealed record DeleteOptions
{
    public long? GracePeriodSeconds { get; init; }

    public string? PropagationPolicy { get; init; }

    public bool? OrphanDependents { get; init; }

    public string? Uid { get; init; }

    public string? ResourceVersion { get; init; }

    public bool DryRun { get; init; }

    public static DeleteOptions From(JsonObject? body, IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (body is not null)
        {
            CheckTypes(body);
        }
        var grace = ListOptions.Value(query, "gracePeriodSeconds") is { } g && long.TryParse(g, out var parsed) ? parsed : (long?)null;
        if (body?["gracePeriodSeconds"] is JsonValue bg && bg.TryGetValue<long>(out var bodyGrace))
        {
            grace = bodyGrace;
        }
        var orphan = ListOptions.Value(query, "orphanDependents") is not null ? ListOptions.Boolean(query, "orphanDependents") : (bool?)null;
        if (body?["orphanDependents"] is JsonValue bo && bo.TryGetValue<bool>(out var bodyOrphan))
        {
            orphan = bodyOrphan;
        }
        var dryRun = ListOptions.Value(query, "dryRun") == "All" || (body?["dryRun"] is JsonArray d && d.Any(x => ObjectMeta.Str(x) == "All"));
        var propagation = ObjectMeta.Str(body?["propagationPolicy"]) ?? ListOptions.Value(query, "propagationPolicy");
        if (propagation is not null)
        {
            if (propagation is not ("Orphan" or "Background" or "Foreground"))
            {
                throw Invalid(FieldError.NotSupported(FieldPath.Of("propagationPolicy"), BadValue.Of(propagation), ["Foreground", "Background", "Orphan", "nil"]));
            }
            if (orphan is not null)
            {
                throw Invalid(FieldError.Invalid(FieldPath.Of("propagationPolicy"), BadValue.Of(propagation), "orphanDependents and deletionPropagation cannot be both set"));
            }
        }
        return new DeleteOptions
        {
            GracePeriodSeconds = grace,
            PropagationPolicy = propagation,
            OrphanDependents = orphan,
            Uid = ObjectMeta.Str((body?["preconditions"] as JsonObject)?["uid"]),
            ResourceVersion = ObjectMeta.Str((body?["preconditions"] as JsonObject)?["resourceVersion"]),
            DryRun = dryRun,
        };
    }

    // What encoding/json refuses when it decodes the body into DeleteOptions.
    private static void CheckTypes(JsonObject body)
    {
        Expect(body, "gracePeriodSeconds", JsonValueKind.Number, "int64");
        Expect(body, "propagationPolicy", JsonValueKind.String, "v1.DeletionPropagation");
        Expect(body, "orphanDependents", JsonValueKind.True, "bool");
        Expect(body, "dryRun", JsonValueKind.Array, "[]string");
        Expect(body, "preconditions", JsonValueKind.Object, "v1.Preconditions");
        if (body["preconditions"] is JsonObject preconditions)
        {
            Expect(preconditions, "uid", JsonValueKind.String, "types.UID", "preconditions.uid");
            Expect(preconditions, "resourceVersion", JsonValueKind.String, "string", "preconditions.resourceVersion");
        }
        if (body["dryRun"] is JsonArray dryRun && dryRun.Any(d => d is not null && d.GetValueKind() != JsonValueKind.String))
        {
            throw Decode("array", "dryRun", "string");
        }
    }

    private static void Expect(JsonObject obj, string field, JsonValueKind kind, string goType, string? path = null)
    {
        if (obj[field] is not { } value)
        {
            return;
        }
        var actual = value.GetValueKind();
        var matches = actual == kind || (kind == JsonValueKind.True && actual == JsonValueKind.False)
            || (kind == JsonValueKind.Number && actual == JsonValueKind.Number && value.AsValue().TryGetValue<long>(out _));
        if (!matches)
        {
            throw Decode(Patching.JsonKindName.Of(value), path ?? field, goType);
        }
    }

    private static ApiException Decode(string jsonKind, string field, string goType) =>
        ApiException.BadRequest($"json: cannot unmarshal {jsonKind} into Go struct field DeleteOptions.{field} of type {goType}");

    private static ApiException Invalid(FieldError error) => ApiException.Invalid("meta.k8s.io", "DeleteOptions", "", error);
}
