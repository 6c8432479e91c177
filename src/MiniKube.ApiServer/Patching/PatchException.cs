namespace MiniKube.ApiServer.Patching;

/// <summary>
/// A patch the server refuses. Carries what the HTTP layer needs to answer with a
/// <c>Status</c>: the code, the reason and the message kube-apiserver would send. The reasons
/// and messages follow kubernetes/apiserver pkg/endpoints/handlers/patch.go and apimachinery
/// pkg/api/errors/errors.go. <see cref="Detail"/> keeps the engine's own explanation when the
/// upstream message is generic (a failed JSON Patch answers only "the server rejected our request
/// due to an error in our request"), so it can be logged.
/// </summary>
public sealed class PatchException : Exception
{
    /// <summary>What kube-apiserver says when applying a patch fails with 422.</summary>
    public const string InvalidMessage = "the server rejected our request due to an error in our request";

    public PatchException()
        : this(400, "BadRequest", "invalid patch")
    {
    }

    public PatchException(string message)
        : this(400, "BadRequest", message)
    {
    }

    public PatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 400;
        Reason = "BadRequest";
        Detail = message;
    }

    public PatchException(int statusCode, string reason, string message, string? detail = null)
        : base(message)
    {
        StatusCode = statusCode;
        Reason = reason;
        Detail = detail ?? message;
    }

    /// <summary>The HTTP status code: 400, 413, 415 or 422.</summary>
    public int StatusCode { get; }

    /// <summary>The <c>Status.reason</c>: BadRequest, RequestEntityTooLarge, UnsupportedMediaType or Invalid.</summary>
    public string Reason { get; }

    /// <summary>The engine's explanation; equal to the message unless that is generic.</summary>
    public string Detail { get; }

    /// <summary>A malformed patch: 400 BadRequest with the message as given.</summary>
    public static PatchException BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>
    /// A well-formed patch that does not apply to the object: 422 Invalid with kube-apiserver's
    /// generic message (it builds these with NewGenericServerResponse, which drops the detail).
    /// </summary>
    public static PatchException Invalid(string detail) => new(422, "Invalid", InvalidMessage, detail);

    /// <summary>A patch over a size limit: 413, message prefixed as NewRequestEntityTooLargeError does.</summary>
    public static PatchException TooLarge(string message) =>
        new(413, "RequestEntityTooLarge", "Request entity too large: " + message, message);
}
