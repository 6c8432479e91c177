using System.Net;
using k8s.Autorest;

namespace MiniKube.Agent.Kubelet;

/// <summary>The kubelet's API calls where "not found" (or "not that one") is an answer, not an error.</summary>
internal static class ApiCalls
{
    /// <summary>The object <paramref name="read"/> returns, or null when the API server says 404.</summary>
    public static async Task<T?> OrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Deletes the pod at once (grace 0), only while it is still the one with this uid, so a new
    /// pod of the same name is safe; false when it was gone already or replaced.
    /// </summary>
    public static async Task<bool> DeleteNowAsync(IKubernetes client, V1Pod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(pod);
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Name(), pod.Namespace(), new V1DeleteOptions
            {
                GracePeriodSeconds = 0,
                Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid },
            }, cancellationToken: cancellationToken);
            return true;
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode is 404 or 409)
        {
            return false;
        }
    }
}
