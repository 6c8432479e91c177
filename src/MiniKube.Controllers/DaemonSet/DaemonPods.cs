using k8s.Models;

namespace MiniKube.Controllers.DaemonSet;

/// <summary>
/// How a DaemonSet's pods are made and matched to nodes (pkg/controller/daemon/util/daemonset_util.go):
/// the tolerations every daemon pod gets, the node affinity that pins a pod to its node for the
/// scheduler to honour, the node a pod is meant for, and whether a node should run the daemon.
/// </summary>
public static class DaemonPods
{
    public const string TemplateGenerationLabel = "pod-template-generation";

    /// <summary>A pod of <paramref name="daemonSet"/> for <paramref name="nodeName"/>, labelled with the revision <paramref name="hash"/>.</summary>
    public static V1Pod New(V1DaemonSet daemonSet, string nodeName, string hash)
    {
        ArgumentNullException.ThrowIfNull(daemonSet);
        var pod = PodControl.FromTemplate(daemonSet.Spec.Template, ControllerRefs.To(daemonSet, "apps/v1", "DaemonSet"), daemonSet.Metadata.Name + "-");
        pod.Metadata.Labels ??= new Dictionary<string, string>();
        pod.Metadata.Labels[ControllerHistory.HashLabel] = hash;
        pod.Metadata.Labels[TemplateGenerationLabel] = (daemonSet.Metadata.Generation ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        pod.Spec = WithDaemonTolerations(pod.Spec);
        PinToNode(pod.Spec, nodeName);
        return pod;
    }

    /// <summary>
    /// The spec with the tolerations upstream adds to every daemon pod (AddOrUpdateDaemonPodTolerations):
    /// not-ready and unreachable NoExecute, the pressure and unschedulable NoSchedule taints, and
    /// network-unavailable for host-network pods. Returns a copy; the argument is not changed.
    /// </summary>
    public static V1PodSpec WithDaemonTolerations(V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var copy = ObjectCopy.Clone(spec);
        copy.Tolerations ??= [];
        var wanted = new List<(string Key, string Effect)>
        {
            (Taints.NotReady, Taints.NoExecute),
            (Taints.Unreachable, Taints.NoExecute),
            (Taints.DiskPressure, Taints.NoSchedule),
            (Taints.MemoryPressure, Taints.NoSchedule),
            (Taints.PidPressure, Taints.NoSchedule),
            (Taints.Unschedulable, Taints.NoSchedule),
        };
        if (copy.HostNetwork == true)
        {
            wanted.Add((Taints.NetworkUnavailable, Taints.NoSchedule));
        }
        foreach (var (key, effect) in wanted)
        {
            // Replaces a toleration with the same key and effect, as upstream's AddOrUpdateTolerationInPodSpec does.
            copy.Tolerations = [.. copy.Tolerations.Where(t => !(t.Key == key && t.Effect == effect))];
            copy.Tolerations.Add(new V1Toleration { Key = key, OperatorProperty = "Exists", Effect = effect });
        }
        return copy;
    }

    /// <summary>Replaces the required node affinity terms with "metadata.name In [node]" (ReplaceDaemonSetPodNodeNameNodeAffinity): the scheduler then binds the pod there.</summary>
    public static void PinToNode(V1PodSpec spec, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Affinity ??= new V1Affinity();
        spec.Affinity.NodeAffinity ??= new V1NodeAffinity();
        spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
        {
            NodeSelectorTerms =
            [
                new V1NodeSelectorTerm
                {
                    MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = [nodeName] }],
                },
            ],
        };
    }

    /// <summary>The node a daemon pod runs on or is pinned to (GetTargetNodeName), or null.</summary>
    public static string? TargetNode(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.Spec?.NodeName is { Length: > 0 } bound)
        {
            return bound;
        }
        return pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms?
            .SelectMany(t => t.MatchFields ?? [])
            .FirstOrDefault(f => f.Key == "metadata.name" && f.OperatorProperty == "In" && f.Values?.Count == 1)?
            .Values[0];
    }

    /// <summary>
    /// NodeShouldRunDaemonPod: whether a new daemon pod belongs on the node, and whether one there may
    /// stay (a NoSchedule taint added later does not evict it; an untolerated NoExecute one does).
    /// </summary>
    public static (bool ShouldRun, bool ShouldContinueRunning) Eligibility(V1PodSpec specWithTolerations, V1Node node)
    {
        ArgumentNullException.ThrowIfNull(specWithTolerations);
        ArgumentNullException.ThrowIfNull(node);
        if (!NodeAffinity.PodMatches(specWithTolerations, node.Metadata.Name, node.Metadata.Labels))
        {
            return (false, false);
        }
        var taints = node.Spec?.Taints;
        var tolerations = specWithTolerations.Tolerations;
        if (Tolerations.FirstUntolerated(taints, tolerations, Taints.NoSchedule, Taints.NoExecute) is null)
        {
            return (true, true);
        }
        return (false, Tolerations.FirstUntolerated(taints, tolerations, Taints.NoExecute) is null);
    }
}
