using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// CertificateSigningRequests (pkg/registry/certificates/certificates/strategy.go): a create
/// records who asked (spec.username, groups) and starts without status; the spec never changes
/// afterwards; /status may not touch the Approved and Denied conditions, which only /approval
/// writes (and may not take away); condition timestamps are filled in when a writer leaves them out.
/// </summary>
public sealed class CertificateSigningRequestStrategy : ResourceStrategy
{
    private static readonly string[] Decisions = ["Approved", "Denied"];

    private readonly TimeProvider _clock;

    public CertificateSigningRequestStrategy(TimeProvider? clock = null) => _clock = clock ?? TimeProvider.System;

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        var spec = obj.Ensure("spec");
        foreach (var field in new[] { "username", "uid", "groups", "extra" })
        {
            spec.Remove(field);
        }
        if (RequestUser.Current is { } user)
        {
            spec["username"] = user.Name;
            if (user.Groups.Count > 0)
            {
                spec["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode?)g).ToArray());
            }
        }
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        base.PrepareForUpdate(obj, old);
        obj["spec"] = old["spec"]?.DeepClone();
    }

    public override void PrepareForStatusUpdate(JsonObject obj, JsonObject old)
    {
        base.PrepareForStatusUpdate(obj, old);
        var status = obj.Ensure("status");
        // Approval is the approval subresource's: keep the stored decisions, drop any written here.
        var kept = new JsonArray();
        foreach (var condition in status.Arr("conditions") ?? [])
        {
            if (condition is JsonObject c && !Decisions.Contains(c.StrOrEmpty("type")))
            {
                kept.Add(c.DeepClone());
            }
        }
        foreach (var condition in old.Obj("status").Arr("conditions") ?? [])
        {
            if (condition is JsonObject c && Decisions.Contains(c.StrOrEmpty("type")))
            {
                kept.Add(c.DeepClone());
            }
        }
        SetConditions(status, kept, old);
    }

    public override void PrepareForSubresourceUpdate(string subresource, JsonObject obj, JsonObject old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        // approval: only the conditions change; the certificate stays the signer's.
        var conditions = obj.Obj("status").Arr("conditions")?.DeepClone().AsArray() ?? [];
        base.PrepareForStatusUpdate(obj, old);
        var status = obj.Ensure("status");
        if (old.Obj("status")?["certificate"] is { } certificate)
        {
            status["certificate"] = certificate.DeepClone();
        }
        else
        {
            status.Remove("certificate");
        }
        SetConditions(status, conditions, old);
    }

    public override IReadOnlyList<FieldError> ValidateStatusUpdate(JsonObject obj, JsonObject old)
    {
        var errors = base.ValidateStatusUpdate(obj, old).ToList();
        CertificatesValidation.Status(obj, errors);
        return errors;
    }

    public override IReadOnlyList<FieldError> ValidateSubresourceUpdate(string subresource, JsonObject obj, JsonObject old)
    {
        var errors = ValidateStatusUpdate(obj, old).ToList();
        var now = obj.Obj("status").Items("conditions").Select(c => c.Item.StrOrEmpty("type")).ToHashSet(StringComparer.Ordinal);
        foreach (var decision in Decisions)
        {
            if (old.Obj("status").Items("conditions").Any(c => c.Item.StrOrEmpty("type") == decision) && !now.Contains(decision))
            {
                errors.Add(FieldError.Forbidden(FieldPath.Of("status", "conditions"), $"updates may not remove a condition of type \"{decision}\""));
            }
        }
        return errors;
    }

    // populateConditionTimestamps: a new or changed condition without times gets now; an unchanged one keeps its old times.
    private void SetConditions(JsonObject status, JsonArray conditions, JsonObject old)
    {
        var stamp = ObjectMeta.Timestamp(_clock.GetUtcNow());
        var before = old.Obj("status").Items("conditions").ToDictionary(c => c.Item.StrOrEmpty("type"), c => c.Item, StringComparer.Ordinal);
        foreach (var condition in conditions.OfType<JsonObject>())
        {
            condition.DefaultString("status", "True");
            var previous = before.GetValueOrDefault(condition.StrOrEmpty("type"));
            if (condition.StrOrEmpty("lastUpdateTime").Length == 0)
            {
                condition["lastUpdateTime"] = stamp;
            }
            if (condition.StrOrEmpty("lastTransitionTime").Length == 0)
            {
                condition["lastTransitionTime"] = previous is not null && previous.Str("status") == condition.Str("status")
                    ? previous["lastTransitionTime"]?.DeepClone() ?? stamp
                    : stamp;
            }
        }
        if (conditions.Count > 0)
        {
            status["conditions"] = conditions;
        }
        else
        {
            status.Remove("conditions");
        }
    }
}
