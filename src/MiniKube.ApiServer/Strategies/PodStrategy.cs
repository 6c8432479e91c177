using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Pods (pkg/registry/core/pod/strategy.go): defaults and the mutating admission of a create
/// (service account, default tolerations, initial Pending status — a pod keeps the
/// status it is created with), status owned by /status afterwards, no generation, and graceful
/// deletion while a kubelet may still run it.
/// </summary>
public sealed class PodStrategy : ResourceStrategy
{
    public override void PrepareForCreate(JsonObject obj) => PodDefaults.ApplyOnCreate(obj);

    public override void PrepareForSubresourceUpdate(string subresource, JsonObject obj, JsonObject old)
    {
        if (subresource == PodEphemeralContainers.Subresource)
        {
            PodEphemeralContainers.PrepareForUpdate(obj, old);
        }
    }

    public override IReadOnlyList<FieldError> ValidateSubresourceUpdate(string subresource, JsonObject obj, JsonObject old) =>
        subresource == PodEphemeralContainers.Subresource ? PodEphemeralContainers.ValidateUpdate(obj, old) : base.ValidateSubresourceUpdate(subresource, obj, old);

    /// <summary>
    /// CheckGracefulDelete: the request's grace period, else the spec's; zero when no kubelet
    /// would act on it (unscheduled or finished).
    /// </summary>
    public override long GracePeriodSeconds(JsonObject obj, long? requested)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var phase = ObjectMeta.Str(obj["status"]?["phase"]);
        if (ObjectMeta.Str(obj["spec"]?["nodeName"]) is not { Length: > 0 } || phase is "Succeeded" or "Failed")
        {
            return 0;
        }
        if (requested is { } seconds)
        {
            return Math.Max(0, seconds);
        }
        return obj["spec"]?["terminationGracePeriodSeconds"] is JsonValue v && v.TryGetValue<long>(out var spec) ? spec : 30;
    }
}
