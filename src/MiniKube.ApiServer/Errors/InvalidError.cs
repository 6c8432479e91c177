
namespace MiniKube.ApiServer.Errors;

/// <summary>
/// The 422 Invalid answer for a list of field errors, built as apimachinery's
/// pkg/api/errors NewInvalid builds it: the message
/// <c>&lt;Kind&gt;[.&lt;group&gt;] "&lt;name&gt;" is invalid: &lt;errors&gt;</c> (one distinct error bare,
/// several in <c>[a, b]</c>, duplicates dropped) and one cause per error.
/// </summary>
public static class InvalidError
{
    /// <summary>The Status message, e.g. <c>Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0</c>.</summary>
    public static string Message(IApiResource type, string name, IReadOnlyList<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(errors);
        var prefix = $"{QualifiedKind(type)} {GoSyntax.Quote(name)} is invalid";
        var distinct = errors.Select(e => e.Message).Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count switch
        {
            0 => prefix,
            1 => $"{prefix}: {distinct[0]}",
            _ => $"{prefix}: [{string.Join(", ", distinct)}]",
        };
    }

    /// <summary>The causes of <c>details.causes</c>: reason, message (without the field) and field, per error.</summary>
    public static JsonArray Causes(IReadOnlyList<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var causes = new JsonArray();
        foreach (var error in errors)
        {
            causes.Add(new JsonObject { ["reason"] = error.Reason, ["message"] = error.Body, ["field"] = error.Field });
        }
        return causes;
    }

    /// <summary>The whole Status object to send with HTTP 422.</summary>
    public static JsonObject Status(IApiResource type, string name, IReadOnlyList<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(type);
        var details = ApiException.StatusDetails(type.Group, type.Kind, name);
        details["causes"] = Causes(errors);
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message(type, name, errors),
            ["reason"] = "Invalid",
            ["details"] = details,
            ["code"] = 422,
        };
    }

    // schema.GroupKind.String(): Kind, or Kind.group.
    private static string QualifiedKind(IApiResource type) => type.Group.Length == 0 ? type.Kind : $"{type.Kind}.{type.Group}";
}
