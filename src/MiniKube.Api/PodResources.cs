using k8s.Models;

namespace MiniKube.Api;

/// <summary>
/// A pod's total requests and limits (component-helpers resource.PodRequests and PodLimits) in
/// exact quantities, for quota and limit ranges: regular containers and sidecars (init
/// containers with restartPolicy Always) run together and add up; each ordinary init container
/// runs beside the sidecars started before it; the pod needs the larger of the two. Requests add
/// the pod's overhead; limits add it only where a limit is set; LimitRanger leaves it out
/// (ExcludeOverhead).
/// </summary>
public static class PodResources
{
    public static ResourceList Requests(V1PodSpec? spec, bool withOverhead = true) => Total(spec, c => c.Resources?.Requests, withOverhead, overheadEverywhere: true);

    public static ResourceList Limits(V1PodSpec? spec, bool withOverhead = true) => Total(spec, c => c.Resources?.Limits, withOverhead, overheadEverywhere: false);

    private static ResourceList Total(V1PodSpec? spec, Func<V1Container, IDictionary<string, ResourceQuantity>?> of, bool withOverhead, bool overheadEverywhere)
    {
        var sum = new ResourceList();
        if (spec is null)
        {
            return sum;
        }
        foreach (var container in spec.Containers ?? [])
        {
            sum = sum.Plus(ResourceList.From(of(container)));
        }
        var sidecars = new ResourceList();
        var initMax = new ResourceList();
        foreach (var init in spec.InitContainers ?? [])
        {
            var own = ResourceList.From(of(init));
            if (init.RestartPolicy == "Always")
            {
                sidecars = sidecars.Plus(own);
                initMax = Max(initMax, sidecars);
            }
            else
            {
                initMax = Max(initMax, own.Plus(sidecars));
            }
        }
        sum = Max(sum.Plus(sidecars), initMax);
        foreach (var (name, quantity) in withOverhead ? ResourceList.From(spec.Overhead) : [])
        {
            if (overheadEverywhere || sum.ContainsKey(name))
            {
                sum[name] = sum.TryGetValue(name, out var existing) ? existing.Add(quantity) : quantity;
            }
        }
        return sum;
    }

    private static ResourceList Max(ResourceList a, ResourceList b)
    {
        var result = new ResourceList(a);
        foreach (var (name, quantity) in b)
        {
            if (!result.TryGetValue(name, out var existing) || quantity.Value > existing.Value)
            {
                result[name] = quantity;
            }
        }
        return result;
    }
}
