using MiniKube.Api;
using k8s;
using k8s.Models;

namespace MiniKube.Controllers.Common;

/// <summary>
/// Which owners an orphan should wake (e.g. replica_set.go getPodReplicaSets,
/// deployment_controller.go getDeploymentsForReplicaSet): owners whose selector is valid, not
/// empty (an empty selector would claim everything, which upstream never lets adopt) and matches.
/// </summary>
public static class AdoptionSelectors
{
    public static bool CouldAdopt(V1LabelSelector? selector, IKubernetesObject<V1ObjectMeta> orphan)
    {
        ArgumentNullException.ThrowIfNull(orphan);
        try
        {
            var compiled = LabelSelector.From(selector);
            return !compiled.IsEverything && compiled.Matches(orphan);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
