using k8s.Models;

namespace MiniKube.Controllers.Common;

/// <summary>
/// Creates and deletes the pods of a workload (pkg/controller/controller_utils.go
/// RealPodControl): a pod from the owner's template, with the template's labels and
/// annotations, the owner's controller reference and generateName "&lt;owner&gt;-"; events
/// SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete on the owner as upstream
/// words them. Writes answer null when done, else the API's message (which a status condition
/// such as ReplicaFailure may carry).
/// </summary>
public sealed class PodControl(IKubernetes client, EventRecorder events)
{
    /// <summary>
    /// Whether a create refused because the namespace is terminating counts as done, with no
    /// event (the replicaset controller's rule, as upstream's: every later create would fail the
    /// same way). Otherwise it is a FailedCreate like any other refusal.
    /// </summary>
    public bool NamespaceTerminatingCountsAsDone { get; init; }

    /// <summary>
    /// Whether a delete names the pod's UID as a precondition, so that a pod recreated under the
    /// same name is not deleted in its place (the 409 is then a FailedDelete). The replicaset
    /// controller deletes by name alone, as upstream's RealPodControl does.
    /// </summary>
    public bool DeleteOnlySameUid { get; init; } = true;

    /// <summary>The pod a template makes, not yet created (callers may set name, hostname, nodeName…).</summary>
    public static V1Pod FromTemplate(V1PodTemplateSpec template, V1OwnerReference controllerRef, string generateName)
    {
        ArgumentNullException.ThrowIfNull(template);
        var copy = ObjectCopy.Clone(template);
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                GenerateName = generateName,
                Labels = copy.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels) : null,
                Annotations = copy.Metadata?.Annotations is { } annotations ? new Dictionary<string, string>(annotations) : null,
                Finalizers = copy.Metadata?.Finalizers,
                OwnerReferences = [controllerRef],
            },
            Spec = copy.Spec,
        };
    }

    /// <summary>Creates <paramref name="pod"/> in <paramref name="ns"/>; null when created, else the API's message (after a FailedCreate event).</summary>
    public async Task<string?> CreateAsync(string ns, V1Pod pod, IKubernetesObject<V1ObjectMeta> owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        try
        {
            var created = await client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: cancellationToken);
            events.Record(owner, EventTypes.Normal, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}");
            return null;
        }
        catch (HttpOperationException e)
        {
            if (NamespaceTerminatingCountsAsDone && ApiErrors.IsNamespaceTerminating(e))
            {
                return null;
            }
            var message = ApiErrors.StatusMessage(e);
            events.Record(owner, EventTypes.Warning, "FailedCreate", $"Error creating: {message}");
            return message;
        }
    }

    /// <summary>Deletes a pod; null when deleted or already gone, else the API's message (after a FailedDelete event).</summary>
    public async Task<string?> DeleteAsync(V1Pod pod, IKubernetesObject<V1ObjectMeta> owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var options = DeleteOnlySameUid ? new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } } : null;
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, options, cancellationToken: cancellationToken);
            events.Record(owner, EventTypes.Normal, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
            return null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (HttpOperationException e)
        {
            var message = ApiErrors.StatusMessage(e);
            events.Record(owner, EventTypes.Warning, "FailedDelete", $"Error deleting: {message}");
            return message;
        }
    }
}
