using k8s;
using k8s.Models;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// The LimitRanger admission plugin (plugin/pkg/admission/limitranger/admission.go): on a pod's
/// create it fills in the requests and limits its containers leave out from the namespace's
/// Container LimitRanges (defaultRequest, default) and says so in the kubernetes.io/limit-ranger
/// annotation; then it enforces min, max and maxLimitRequestRatio for Container and Pod items on
/// pod creates and PersistentVolumeClaim items on claim creates and updates, refusing with 403
/// and upstream's messages. Pod updates are left alone (their containers cannot change).
/// </summary>
public sealed class LimitRanger(NamespaceObjects objects) : IAdmissionPlugin
{
    private static readonly ResourceType LimitRanges = ResourceCatalog.Find("", "v1", "limitranges")!;

    public string Name => "LimitRanger";

    public async Task AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Applies(request) || request.Type.Name != "pods")
        {
            return;
        }
        foreach (var range in await RangesAsync(request, cancellationToken))
        {
            LimitRangeDefaults.Apply(range, request.Object);
        }
    }

    public async Task ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Applies(request))
        {
            return;
        }
        var ranges = await RangesAsync(request, cancellationToken);
        if (ranges.Count == 0)
        {
            return;
        }
        var json = ObjectCodec.ToJson(request.Object);
        foreach (var range in ranges)
        {
            var errors = request.Type.Name == "pods"
                ? LimitRangeChecks.Pod(range, KubernetesJson.Deserialize<V1Pod>(json))
                : LimitRangeChecks.Claim(range, KubernetesJson.Deserialize<V1PersistentVolumeClaim>(json));
            // As upstream: the first LimitRange that refuses decides, its errors aggregated.
            if (errors.Count > 0)
            {
                throw ApiException.Forbidden(request.Type, request.Name, Aggregate(errors));
            }
        }
    }

    /// <summary>utilerrors.NewAggregate's text: one error as is, several in brackets.</summary>
    internal static string Aggregate(IReadOnlyList<string> errors) => errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]";

    // SupportsAttributes and the handler's operations: pods on create, claims on create and update,
    // never subresources, and nothing already being deleted.
    private static bool Applies(AdmissionRequest request) =>
        request.Subresource is null && request.Namespace is { Length: > 0 } && request.Type.Group.Length == 0
        && (request.Type.Name, request.Operation) is ("pods", AdmissionOperation.Create)
            or ("persistentvolumeclaims", AdmissionOperation.Create or AdmissionOperation.Update)
        && (request.OldObject is null || !ObjectMeta.IsDeleting(request.OldObject));

    private async Task<IReadOnlyList<V1LimitRange>> RangesAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        var items = await objects.ListAsync(LimitRanges, request.Namespace!, cancellationToken);
        return [.. items.Select(i => KubernetesJson.Deserialize<V1LimitRange>(ObjectCodec.ToJson(i.Object)))];
    }
}
