using MiniKube.Client.Events;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// Events about a pod or one of its containers, as upstream's kubelet words them
/// (pkg/kubelet/events), shown by kubectl describe. A static pod gets none: its events would name
/// a pod the API does not have.
/// </summary>
internal sealed class PodEvents(EventRecorder recorder)
{
    /// <summary>An event about the pod as a whole (no container field path).</summary>
    public void Pod(V1Pod pod, string type, string reason, string message)
    {
        if (!StaticPods.IsStatic(pod))
        {
            recorder.Record(ObjectReferences.To(pod), type, reason, message);
        }
    }

    /// <summary>An event about the container <paramref name="container"/> of the pod's <paramref name="list"/> (containers, initContainers, ephemeralContainers).</summary>
    public void Container(V1Pod pod, string container, string list, string type, string reason, string message)
    {
        if (StaticPods.IsStatic(pod))
        {
            return;
        }
        var reference = ObjectReferences.To(pod);
        reference.FieldPath = $"spec.{list}{{{container}}}";
        recorder.Record(reference, type, reason, message);
    }
}
