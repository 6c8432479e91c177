
namespace MiniKube.ApiServer.Errors;

/// <summary>
/// An API error on its way to the client as a Kubernetes <c>Status</c>: the HTTP code, the
/// reason kubectl prints in "Error from server (Reason)", the message, and optional details.
/// Messages follow apimachinery pkg/api/errors/errors.go word for word, and so does the shape of
/// <c>details</c>: present exactly where that file's constructor sets it, with Go's omitempty
/// (an empty group, name or kind is left out, so a routing 404 carries <c>"details":{}</c>).
/// Clients read it: kubectl debug tells "no such pod" from "no such endpoint" by details.name.
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

    /// <summary>
    /// A path nothing serves. Upstream answers it from go-restful through NewGenericServerResponse
    /// with an empty GroupResource, so details is present and empty.
    /// </summary>
    public static ApiException PathNotFound() =>
        new(StatusCodes.Status404NotFound, "NotFound", "the server could not find the requested resource", []);

    public static ApiException AlreadyExists(IApiResource type, string name) =>
        new(StatusCodes.Status409Conflict, "AlreadyExists", $"{type.QualifiedName} \"{name}\" already exists", Describe(type, name));

    public static ApiException Conflict(IApiResource type, string name, string detail) =>
        new(StatusCodes.Status409Conflict, "Conflict", $"Operation cannot be fulfilled on {type.QualifiedName} \"{name}\": {detail}", Describe(type, name));

    /// <summary>409 Conflict for a group and resource the catalog does not serve as such (TokenRequest's <c>Pod</c> bound object).</summary>
    public static ApiException Conflict(string group, string resource, string name, string detail) =>
        Conflict(new KindName(group, resource), name, detail);

    public static ApiException StaleVersion(IApiResource type, string name) =>
        Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException BadRequest(string message) => new(StatusCodes.Status400BadRequest, "BadRequest", message);

    /// <summary>A verb the route does not serve: go-restful's 405 through NewGenericServerResponse (empty details).</summary>
    public static ApiException MethodNotAllowed() =>
        new(StatusCodes.Status405MethodNotAllowed, "MethodNotAllowed", "the server does not allow this method on the requested resource", []);

    public static ApiException UnsupportedMediaType(string contentType, IEnumerable<string> accepted) =>
        new(StatusCodes.Status415UnsupportedMediaType, "UnsupportedMediaType",
            $"the body of the request was in an unknown format - accepted media types include: {string.Join(", ", accepted)}");

    public static ApiException Expired(string message) => new(StatusCodes.Status410Gone, "Expired", message);

    public static ApiException TooLarge(string message) => new(StatusCodes.Status413RequestEntityTooLarge, "RequestEntityTooLarge", message);

    public static ApiException Unavailable(string message) =>
        new(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable", message) { RetryAfterSeconds = 1 };

    /// <summary>NewForbidden: a request for no resource (a non-resource path) has neither type nor name.</summary>
    public static ApiException Forbidden(IApiResource? type, string name, string detail) => type switch
    {
        null => new(StatusCodes.Status403Forbidden, "Forbidden", $"forbidden: {detail}", new JsonObject()),
        _ when name.Length == 0 => new(StatusCodes.Status403Forbidden, "Forbidden", $"{type.QualifiedName} is forbidden: {detail}", Describe(type, name)),
        _ => new(StatusCodes.Status403Forbidden, "Forbidden", $"{type.QualifiedName} \"{name}\" is forbidden: {detail}", Describe(type, name)),
    };

    /// <summary>NewInternalError: the cause repeats the bare message.</summary>
    public static ApiException Internal(string message) =>
        new(StatusCodes.Status500InternalServerError, "InternalError", $"Internal error occurred: {message}",
            new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });

    /// <summary>
    /// A not-older-than read the store has not reached in time (storage errors.go
    /// NewTooLargeResourceVersionError): NewTimeoutError's 504 with a one-second retry hint and
    /// the ResourceVersionTooLarge cause client-go's reflector looks for.
    /// </summary>
    public static ApiException TooLargeResourceVersion(long minimum, long current) =>
        new(StatusCodes.Status504GatewayTimeout, "Timeout",
            string.Create(CultureInfo.InvariantCulture, $"Timeout: Too large resource version: {minimum}, current: {current}"),
            new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ResourceVersionTooLarge", ["message"] = "Too large resource version" }) })
        {
            RetryAfterSeconds = 1,
        };

    /// <summary>422 Invalid with one cause per bad field, as NewInvalid renders it.</summary>
    public static ApiException Invalid(IApiResource type, string name, IReadOnlyList<FieldError> errors)
    {
        var status = InvalidError.Status(type, name, errors);
        return new ApiException(StatusCodes.Status422UnprocessableEntity, "Invalid", InvalidError.Message(type, name, errors), status["details"]!.DeepClone().AsObject());
    }

    /// <summary>422 Invalid for a kind the catalog does not serve (Scale, Binding, PatchOptions), named by group and kind as NewInvalid takes them.</summary>
    public static ApiException Invalid(string group, string kind, string name, params FieldError[] errors) =>
        Invalid(new KindName(group, kind), name, errors);

    // The resource's name stands in the kind field, as upstream's errors built from a GroupResource.
    private static JsonObject Describe(IApiResource type, string name) => StatusDetails(type.Group, type.Name, name);

    /// <summary>StatusDetails as Go marshals it: name and group are omitempty.</summary>
    internal static JsonObject StatusDetails(string group, string kind, string name)
    {
        var details = new JsonObject();
        if (name.Length > 0)
        {
            details["name"] = name;
        }
        if (group.Length > 0)
        {
            details["group"] = group;
        }
        details["kind"] = kind;
        return details;
    }

    // A group and kind only: what NewInvalid needs of a kind that has no resource of its own here.
    private sealed record KindName(string Group, string Kind) : IApiResource
    {
        public string Name => Kind;

        public string QualifiedName => Group.Length == 0 ? Kind : $"{Kind}.{Group}";
    }
}
