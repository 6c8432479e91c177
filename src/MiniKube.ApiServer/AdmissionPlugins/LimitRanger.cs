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
    private const string Annotation = "kubernetes.io/limit-ranger";
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
            ApplyDefaults(range, request.Object);
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

    // PodMutateLimitFunc (defaultContainerResourceRequirements, mergePodResourceRequirements): the
    // Container items' defaultRequest and default fill in what a container (then an init container)
    // leaves out, in canonical text, and the annotation lists what was set.
    private static void ApplyDefaults(V1LimitRange range, JsonObject pod)
    {
        var requests = new ResourceList();
        var limits = new ResourceList();
        foreach (var item in range.Spec?.Limits ?? [])
        {
            if (item.Type != "Container")
            {
                continue;
            }
            foreach (var (name, quantity) in ResourceList.From(item.DefaultRequest))
            {
                requests[name] = quantity;
            }
            foreach (var (name, quantity) in ResourceList.From(item.DefaultProperty))
            {
                limits[name] = quantity;
            }
        }
        if (requests.Count == 0 && limits.Count == 0)
        {
            return;
        }
        var notes = new List<string>();
        foreach (var (list, kind) in new[] { ("containers", "container"), ("initContainers", "init container") })
        {
            foreach (var (_, container) in pod.Obj("spec").Items(list))
            {
                var name = container.StrOrEmpty("name");
                var setRequests = Merge(container, "requests", requests);
                var setLimits = Merge(container, "limits", limits);
                if (setRequests.Count > 0)
                {
                    notes.Add($"{string.Join(", ", setRequests)} request for {kind} {name}");
                }
                if (setLimits.Count > 0)
                {
                    notes.Add($"{string.Join(", ", setLimits)} limit for {kind} {name}");
                }
            }
        }
        if (notes.Count > 0)
        {
            ObjectCodec.Metadata(pod).Ensure("annotations")[Annotation] = "LimitRanger plugin set: " + string.Join("; ", notes);
        }
    }

    // The names it set, sorted; a container's own values always win.
    private static List<string> Merge(JsonObject container, string field, ResourceList defaults)
    {
        var set = new List<string>();
        if (defaults.Count == 0)
        {
            return set;
        }
        var resources = container.Ensure("resources");
        var list = resources.Obj(field) ?? [];
        foreach (var (name, quantity) in defaults)
        {
            if (list[name] is null)
            {
                list[name] = quantity.ToString();
                set.Add(name);
            }
        }
        if (list.Count > 0 && resources[field] is null)
        {
            resources[field] = list;
        }
        return set;
    }
}
