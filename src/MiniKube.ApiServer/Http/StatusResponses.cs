using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// Every API error is a Kubernetes <c>Status</c> object, built here and nowhere else, so that
/// kubectl prints the reason and message it expects (apimachinery pkg/apis/meta/v1 types.go).
/// </summary>
public static class StatusResponses
{
    public static Task WriteAsync(HttpContext context, int code, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        var status = new Dictionary<string, object>
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new Dictionary<string, object>(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(status));
    }

    public static Task UnauthorizedAsync(HttpContext context) => WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "Unauthorized");

    public static Task NotFoundAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status404NotFound, "NotFound", "the server could not find the requested resource");
}
