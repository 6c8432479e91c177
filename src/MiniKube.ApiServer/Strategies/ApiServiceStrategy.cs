using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// apiregistration.k8s.io/v1 APIService, as kube-aggregator's pkg/registry/apiservice/strategy.go:
/// cluster-scoped, status owned by /status; a create starts without status, and a local
/// APIService (no spec.service) is marked Available at once (reason Local), since nothing
/// needs checking. The name is checked against spec.version and spec.group.
/// </summary>
public sealed class ApiServiceStrategy : ResourceStrategy
{
    /// <summary>The Available condition of a local APIService (apiregistration's NewLocalAvailableAPIServiceCondition).</summary>
    public static JsonObject LocalAvailableCondition(DateTimeOffset now) => new()
    {
        ["type"] = "Available",
        ["status"] = "True",
        ["lastTransitionTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["reason"] = "Local",
        ["message"] = "Local APIServices are always available",
    };

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        if (obj.Obj("spec").Obj("service") is null)
        {
            obj["status"] = new JsonObject { ["conditions"] = new JsonArray(LocalAvailableCondition(DateTimeOffset.UtcNow)) };
        }
    }

    public override IReadOnlyList<FieldError> Validate(JsonObject obj, bool namespaced)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        MetaValidation.Validate(obj, namespaced, ApiRegistrationValidation.NameRule(obj), errors);
        ApiRegistrationValidation.ApiService(obj, errors);
        return errors;
    }

    public override IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        // ValidateAPIServiceUpdate: the metadata update rules, then everything a create checks (the name rule included).
        var errors = new List<FieldError>();
        MetaValidation.ValidateUpdate(obj, old, errors);
        errors.AddRange(Validate(obj, namespaced: false));
        return errors;
    }

    public override IReadOnlyList<FieldError> ValidateStatusUpdate(JsonObject obj, JsonObject old)
    {
        var errors = base.ValidateStatusUpdate(obj, old).ToList();
        ApiRegistrationValidation.Status(obj, errors);
        return errors;
    }
}
