using k8s;
using k8s.Models;

namespace MiniKube.Scheduler.Tests.Integration;

/// <summary>Writes Node objects with a status (no kubelets), as Kubernetes' scheduler_perf does, and waits on pods.</summary>
internal static class ClusterObjects
{
    public static async Task CreateNodeAsync(IKubernetes client, V1Node node)
    {
        var status = node.Status;
        await client.CoreV1.CreateNodeAsync(node);
        // Status is a subresource: write it explicitly whatever create kept.
        var patch = new V1Patch(KubernetesJson.Serialize(new { status }), V1Patch.PatchType.MergePatch);
        await client.CoreV1.PatchNodeStatusAsync(patch, node.Metadata.Name);
    }

    public static async Task<V1Pod> WaitForPodAsync(IKubernetes client, string name, Func<V1Pod, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var pod = await client.CoreV1.ReadNamespacedPodAsync(name, "default");
            if (condition(pod))
            {
                return pod;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"pod {name} never got there; last: nodeName={pod.Spec.NodeName} status={KubernetesJson.Serialize(pod.Status)}");
            }
            await Task.Delay(50);
        }
    }
}
