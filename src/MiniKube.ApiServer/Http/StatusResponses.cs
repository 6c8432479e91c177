
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// Every API error is a Kubernetes <c>Status</c> object, built here and nowhere else, so that
/// kubectl prints the reason and message it expects (apimachinery pkg/apis/meta/v1 types.go).
/// </summary>
public static class StatusResponses
{
    public static JsonObject Failure(ApiException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = error.Message,
            ["reason"] = error.Reason,
        };
        if (error.Details is not null || error.RetryAfterSeconds is not null)
        {
            var details = error.Details?.DeepClone().AsObject() ?? [];
            if (error.RetryAfterSeconds is { } seconds)
            {
                details["retryAfterSeconds"] = seconds;
            }
            status["details"] = details;
        }
        status["code"] = error.Code;
        return status;
    }

    /// <summary>A success Status, as DELETE of most kinds and POSTs to binding or eviction answer.</summary>
    public static JsonObject Success(int code, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
        };
        if (details is not null)
        {
            status["details"] = details;
        }
        status["code"] = code;
        return status;
    }

    public static Task WriteAsync(HttpContext context, ApiException error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        context.Response.StatusCode = error.Code;
        context.Response.ContentType = "application/json";
        if (error.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return context.Response.WriteAsync(Failure(error).ToJsonString(Registry.ObjectCodec.Compact) + "\n", context.RequestAborted);
    }

    public static Task UnauthorizedAsync(HttpContext context) =>
        WriteAsync(context, new ApiException(StatusCodes.Status401Unauthorized, "Unauthorized", "Unauthorized"));

    public static Task NotFoundAsync(HttpContext context) => WriteAsync(context, ApiException.PathNotFound());
}
