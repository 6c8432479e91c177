using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// ResourceQuotas (pkg/registry/core/resourcequota/strategy.go): spec written by users, status
/// (hard and used) only through /status by the quota controller and quota admission; a status
/// write has its amounts validated (ValidateResourceQuotaStatusUpdate).
/// </summary>
public sealed class ResourceQuotaStrategy : ResourceStrategy
{
    public ResourceQuotaStrategy()
    {
        CreateChecks = QuotaValidation.ResourceQuota;
        UpdateChecks = QuotaValidation.ResourceQuotaUpdate;
        OwnsStatus = true;
    }

    public override IReadOnlyList<FieldError> ValidateStatusUpdate(JsonObject obj, JsonObject old)
    {
        var errors = base.ValidateStatusUpdate(obj, old).ToList();
        QuotaValidation.Status(obj, errors);
        return errors;
    }
}
