using k8s.Models;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// LimitRanger's mutation (PodMutateLimitFunc, defaultContainerResourceRequirements,
/// mergePodResourceRequirements): the Container items' defaultRequest and default fill in what a
/// container (then an init container) leaves out, in canonical quantity text, and the pod's
/// kubernetes.io/limit-ranger annotation lists what was set.
/// </summary>
internal static class LimitRangeDefaults
{
    private const string Annotation = "kubernetes.io/limit-ranger";

    public static void Apply(V1LimitRange range, JsonObject pod)
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
