using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Registry;

/// <summary>meta/v1 DeleteOptions, from the body and/or the query (clients use both).</summary>
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
        return new DeleteOptions
        {
            GracePeriodSeconds = grace,
            PropagationPolicy = ObjectMeta.Str(body?["propagationPolicy"]) ?? ListOptions.Value(query, "propagationPolicy"),
            OrphanDependents = orphan,
            Uid = ObjectMeta.Str(body?["preconditions"]?["uid"]),
            ResourceVersion = ObjectMeta.Str(body?["preconditions"]?["resourceVersion"]),
            DryRun = dryRun,
        };
    }
}
