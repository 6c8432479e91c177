namespace MiniKube.Addons.Manifests;

/// <summary>
/// How a refused apply or delete is told and whether it is retried. A Secret's refusal names
/// only the reason and the fields, never the message: upstream's field errors quote the values
/// they refuse, and a Secret's values must not reach logs or events.
/// </summary>
internal static class ManifestFailures
{
    private const int MaxLength = 1000;

    /// <summary>One line saying why the API server refused the request about <paramref name="target"/>.</summary>
    public static string Describe(k8s.Autorest.HttpOperationException e, ManifestObjectRef target)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(target);
        V1Status? status;
        try
        {
            status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        }
        catch (System.Text.Json.JsonException)
        {
            status = null;
        }
        var code = (int)e.Response.StatusCode;
        string text;
        if (target.Group.Length == 0 && target.Kind == "Secret")
        {
            var fields = status?.Details?.Causes?.Select(c => c.Field).Where(f => !string.IsNullOrEmpty(f)).Distinct().ToList() ?? [];
            text = $"{status?.Reason ?? "refused"} ({code})" + (fields.Count > 0 ? ": fields " + string.Join(", ", fields) : "");
        }
        else
        {
            text = status?.Message is { Length: > 0 } message ? message : $"{code} {e.Response.ReasonPhrase}";
        }
        text = text.ReplaceLineEndings(" ");
        return text.Length > MaxLength ? text[..MaxLength] + "…" : text;
    }

    /// <summary>
    /// Whether the refusal may pass by itself: the namespace not there yet (404), a conflict, too
    /// many requests, the server failing. An invalid or forbidden object stays refused until
    /// its file changes.
    /// </summary>
    public static bool IsWorthRetrying(k8s.Autorest.HttpOperationException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var code = (int)e.Response.StatusCode;
        return code is 404 or 409 or 429 or >= 500;
    }
}
