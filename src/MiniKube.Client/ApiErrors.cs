using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MiniKube.Client;

/// <summary>
/// The API answers a controller expects and handles rather than retries (apimachinery's
/// errors.IsNotFound / IsConflict / IsAlreadyExists / HasStatusCause), read from
/// KubernetesClient's exception.
/// </summary>
public static class ApiErrors
{
    public static bool IsNotFound(HttpOperationException e) => Code(e) == HttpStatusCode.NotFound;

    /// <summary>409: either a stale resourceVersion or a create of a name already taken.</summary>
    public static bool IsConflict(HttpOperationException e) => Code(e) == HttpStatusCode.Conflict;

    /// <summary>A delete whose UID precondition failed answers 409 too: the object was replaced, so it is gone for us.</summary>
    public static bool IsGoneOrReplaced(HttpOperationException e) => IsNotFound(e) || IsConflict(e);

    /// <summary>The create was refused because the namespace is being deleted (cause "NamespaceTerminating"): every later create would fail the same way.</summary>
    public static bool IsNamespaceTerminating(HttpOperationException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        try
        {
            return KubernetesJson.Deserialize<V1Status>(e.Response.Content)?.Details?.Causes?.Any(c => c.Reason == "NamespaceTerminating") == true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>The message of the API's Status in the response (what kubectl would print), or the exception's own.</summary>
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

    private static HttpStatusCode? Code(HttpOperationException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Response?.StatusCode;
    }
}
