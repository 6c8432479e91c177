using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Namespaces (pkg/registry/core/namespace/strategy.go and storage.go): DNS-label names, the
/// <c>kubernetes</c> finalizer and phase Active on create, spec.finalizers changed only through
/// namespaces/finalize, and a DELETE that turns the namespace Terminating until the namespace
/// controller has emptied it and removed the finalizer. The system namespaces cannot be deleted.
/// </summary>
public sealed class NamespaceStrategy : ResourceStrategy
{
    /// <summary>The namespaces every cluster has and keeps.</summary>
    public static readonly IReadOnlyList<string> SystemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    public override void PrepareForCreate(JsonObject obj) => CoreDefaults.NamespaceOnCreate(obj);

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        base.PrepareForUpdate(obj, old);
        var spec = obj["spec"] as JsonObject ?? [];
        spec["finalizers"] = old["spec"]?["finalizers"]?.DeepClone();
        obj["spec"] = spec;
    }

    public override DeleteDecision? BeginDelete(IApiResource resource, JsonObject pending, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(pending);
        var name = ObjectMeta.Name(pending);
        if (SystemNamespaces.Contains(name))
        {
            throw ApiException.Forbidden(resource, name!, "this namespace may not be deleted");
        }
        var metadata = pending.Ensure("metadata");
        metadata["deletionTimestamp"] ??= ObjectMeta.Timestamp(now);
        metadata["deletionGracePeriodSeconds"] ??= 0;
        pending.Ensure("status")["phase"] = "Terminating";
        // spec.finalizers ["kubernetes"] keeps it until the namespace controller has emptied it.
        return pending["spec"]?["finalizers"] is JsonArray { Count: > 0 } || ObjectMeta.HasFinalizers(pending)
            ? DeleteDecision.Wait
            : DeleteDecision.Remove;
    }
}
