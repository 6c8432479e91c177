using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MiniKube.Controllers.Common;

/// <summary>Questions about an API error response (apimachinery pkg/api/errors HasStatusCause).</summary>
public static class ApiErrors
{
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
}
