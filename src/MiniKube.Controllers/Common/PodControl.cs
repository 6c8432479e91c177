using k8s;
using k8s.Autorest;
using k8s.Models;
using MiniKube.Client;
using MiniKube.Client.Events;

namespace MiniKube.Controllers.Common;

/// <summary>
/// Creates and deletes the pods of a workload (pkg/controller/controller_utils.go
/// RealPodControl): a pod from the owner's template, with the template's labels and
/// annotations, the owner's controller reference and generateName "&lt;owner&gt;-"; events
/// SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete on the owner as upstream
/// words them.
/// </summary>
public sealed class PodControl(IKubernetes client, EventRecorder events)
{
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

    /// <summary>Creates <paramref name="pod"/> in <paramref name="ns"/>; false (with a FailedCreate event) when the API refused it.</summary>
    public async Task<bool> CreateAsync(string ns, V1Pod pod, IKubernetesObject<V1ObjectMeta> owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        try
        {
            var created = await client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: cancellationToken);
            events.Record(owner, EventTypes.Normal, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}");
            return true;
        }
        catch (HttpOperationException e)
        {
            events.Record(owner, EventTypes.Warning, "FailedCreate", $"Error creating: {StatusMessage(e)}");
            return false;
        }
    }

    /// <summary>Deletes a pod; a pod already gone counts as deleted.</summary>
    public async Task<bool> DeleteAsync(V1Pod pod, IKubernetesObject<V1ObjectMeta> owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: cancellationToken);
            events.Record(owner, EventTypes.Normal, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return true;
        }
        catch (HttpOperationException e)
        {
            events.Record(owner, EventTypes.Warning, "FailedDelete", $"Error deleting: {StatusMessage(e)}");
            return false;
        }
    }

    /// <summary>The message of the Status the API answered with, or the HTTP error.</summary>
    public static string StatusMessage(HttpOperationException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        try
        {
            return KubernetesJson.Deserialize<V1Status>(e.Response.Content)?.Message ?? e.Message;
        }
        catch (System.Text.Json.JsonException)
        {
            return e.Message;
        }
    }
}
