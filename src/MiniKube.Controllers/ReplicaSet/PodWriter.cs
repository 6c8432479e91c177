using k8s;
using k8s.Autorest;
using k8s.Models;
using MiniKube.Client.Events;
using MiniKube.Controllers.Common;

namespace MiniKube.Controllers.ReplicaSet;

/// <summary>
/// Creates and deletes a ReplicaSet's pods with upstream's events (RealPodControl in
/// pkg/controller/controller_utils.go), answering with the API's error message, which the
/// ReplicaFailure condition carries. A create refused because the namespace is terminating
/// counts as done, as upstream's does: every later create would fail the same way.
/// </summary>
internal sealed class PodWriter(IKubernetes client, EventRecorder events)
{
    /// <summary>Null when created, else the API's message.</summary>
    public async Task<string?> CreateAsync(V1ReplicaSet owner, V1OwnerReference controllerRef, CancellationToken cancellationToken)
    {
        var pod = PodControl.FromTemplate(owner.Spec.Template, controllerRef, owner.Metadata.Name + "-");
        try
        {
            var created = await client.CoreV1.CreateNamespacedPodAsync(pod, owner.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            events.Record(owner, EventTypes.Normal, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}");
            return null;
        }
        catch (HttpOperationException e)
        {
            if (ApiErrors.IsNamespaceTerminating(e))
            {
                return null;
            }
            var message = PodControl.StatusMessage(e);
            events.Record(owner, EventTypes.Warning, "FailedCreate", $"Error creating: {message}");
            return message;
        }
    }

    /// <summary>Null when deleted or already gone, else the API's message.</summary>
    public async Task<string?> DeleteAsync(V1ReplicaSet owner, V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            events.Record(owner, EventTypes.Normal, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
            return null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (HttpOperationException e)
        {
            var message = PodControl.StatusMessage(e);
            events.Record(owner, EventTypes.Warning, "FailedDelete", $"Error deleting: {message}");
            return message;
        }
    }
}
