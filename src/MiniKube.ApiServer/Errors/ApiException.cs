
namespace MiniKube.ApiServer.Errors;

/// <summary>
/// An API error on its way to the client as a Kubernetes <c>Status</c>: the HTTP code, the
/// reason kubectl prints in "Error from server (Reason)", the message, and optional details.
/// Messages follow apimachinery pkg/api/errors/errors.go word for word.
/// </summary>
public sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject? Details { get; } = details;

    /// <summary>Seconds a client should wait before retrying (Retry-After), when set.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ApiException NotFound(IApiResource type, string name) =>
        new(StatusCodes.Status404NotFound, "NotFound", $"{type.QualifiedName} \"{name}\" not found", Describe(type, name));

    public static ApiException NotFound(string qualifiedResource, string name) =>
        new(StatusCodes.Status404NotFound, "NotFound", $"{qualifiedResource} \"{name}\" not found", new JsonObject { ["name"] = name, ["kind"] = qualifiedResource });

    public static ApiException PathNotFound() =>
        new(StatusCodes.Status404NotFound, "NotFound", "the server could not find the requested resource");

    public static ApiException AlreadyExists(IApiResource type, string name) =>
        new(StatusCodes.Status409Conflict, "AlreadyExists", $"{type.QualifiedName} \"{name}\" already exists", Describe(type, name));

    public static ApiException Conflict(IApiResource type, string name, string detail) =>
        new(StatusCodes.Status409Conflict, "Conflict", $"Operation cannot be fulfilled on {type.QualifiedName} \"{name}\": {detail}", Describe(type, name));

    public static ApiException StaleVersion(IApiResource type, string name) =>
        Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException BadRequest(string message) => new(StatusCodes.Status400BadRequest, "BadRequest", message);

    public static ApiException MethodNotAllowed(string message) =>
        new(StatusCodes.Status405MethodNotAllowed, "MethodNotAllowed", message);

    public static ApiException UnsupportedMediaType(string contentType, IEnumerable<string> accepted) =>
        new(StatusCodes.Status415UnsupportedMediaType, "UnsupportedMediaType",
            $"the body of the request was in an unknown format - accepted media types include: {string.Join(", ", accepted)}");

    public static ApiException Expired(string message) => new(StatusCodes.Status410Gone, "Expired", message);

    public static ApiException TooLarge(string message) => new(StatusCodes.Status413RequestEntityTooLarge, "RequestEntityTooLarge", message);

    public static ApiException Unavailable(string message) =>
        new(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable", message) { RetryAfterSeconds = 1 };

    public static ApiException Forbidden(IApiResource type, string name, string detail) =>
        new(StatusCodes.Status403Forbidden, "Forbidden", $"{type.QualifiedName} \"{name}\" is forbidden: {detail}", Describe(type, name));

    public static ApiException Internal(string message) =>
        new(StatusCodes.Status500InternalServerError, "InternalError", $"Internal error occurred: {message}");

    /// <summary>422 Invalid with one cause per bad field, as NewInvalid renders it.</summary>
    public static ApiException Invalid(IApiResource type, string name, IReadOnlyList<FieldError> errors)
    {
        var status = InvalidError.Status(type, name, errors);
        return new ApiException(StatusCodes.Status422UnprocessableEntity, "Invalid", InvalidError.Message(type, name, errors), status["details"]!.DeepClone().AsObject());
    }

    private static JsonObject Describe(IApiResource type, string name) => new()
    {
        ["name"] = name,
        ["group"] = type.Group,
        ["kind"] = type.Name,
    };
}
