namespace MiniKube.ApiServer.Errors;

/// <summary>
/// Why a field is invalid; the names are the machine-readable reasons that go into a Status'
/// causes (apimachinery pkg/util/validation/field/errors.go, ErrorType).
/// </summary>
public enum FieldErrorType
{
    FieldValueNotFound,
    FieldValueRequired,
    FieldValueDuplicate,
    FieldValueInvalid,
    FieldValueNotSupported,
    FieldValueForbidden,
    FieldValueTooLong,
    FieldValueTooMany,
    FieldValueTypeInvalid,
    InternalError,
}

/// <summary>
/// One field-level validation error, rendered exactly as kube-apiserver v1.32 renders
/// field.Error: <c>&lt;field&gt;: &lt;type&gt;[: &lt;value&gt;][: &lt;detail&gt;]</c>. Required, Forbidden,
/// TooLong and Internal never show their value (apimachinery field/errors.go ErrorBody).
/// </summary>
/// <param name="Type">The error type.</param>
/// <param name="Field">The field path, e.g. spec.containers[0].image.</param>
/// <param name="Value">The offending value, already in Go's rendering.</param>
/// <param name="Detail">Free text after the value; may be empty.</param>
public sealed record FieldError(FieldErrorType Type, string Field, BadValue Value, string Detail)
{
    /// <summary>The reason string of a Status cause, e.g. FieldValueInvalid.</summary>
    public string Reason => Type.ToString();

    /// <summary>The message without the field (a Status cause's message).</summary>
    public string Body
    {
        get
        {
            var body = Type switch
            {
                FieldErrorType.FieldValueRequired or FieldErrorType.FieldValueForbidden
                    or FieldErrorType.FieldValueTooLong or FieldErrorType.InternalError => TypeText,
                _ when Value.IsOmitted => TypeText,
                _ => $"{TypeText}: {Value.Text}",
            };
            return Detail.Length == 0 ? body : $"{body}: {Detail}";
        }
    }

    /// <summary>The full message, as it appears inside a 422 Status message.</summary>
    public string Message => $"{Field}: {Body}";

    public override string ToString() => Message;

    private string TypeText => Type switch
    {
        FieldErrorType.FieldValueNotFound => "Not found",
        FieldErrorType.FieldValueRequired => "Required value",
        FieldErrorType.FieldValueDuplicate => "Duplicate value",
        FieldErrorType.FieldValueInvalid => "Invalid value",
        FieldErrorType.FieldValueNotSupported => "Unsupported value",
        FieldErrorType.FieldValueForbidden => "Forbidden",
        FieldErrorType.FieldValueTooLong => "Too long",
        FieldErrorType.FieldValueTooMany => "Too many",
        FieldErrorType.FieldValueTypeInvalid => "Invalid value",
        _ => "Internal error",
    };

    public static FieldError Required(FieldPath field, string detail = "") =>
        new(FieldErrorType.FieldValueRequired, field.ToString(), BadValue.Of(""), detail);

    public static FieldError Invalid(FieldPath field, BadValue value, string detail) =>
        new(FieldErrorType.FieldValueInvalid, field.ToString(), value, detail);

    /// <summary>A value of the wrong type (field.TypeInvalid); reads like Invalid, with its own reason.</summary>
    public static FieldError TypeInvalid(FieldPath field, BadValue value, string detail) =>
        new(FieldErrorType.FieldValueTypeInvalid, field.ToString(), value, detail);

    public static FieldError Duplicate(FieldPath field, BadValue value) =>
        new(FieldErrorType.FieldValueDuplicate, field.ToString(), value, "");

    public static FieldError NotFound(FieldPath field, BadValue value) =>
        new(FieldErrorType.FieldValueNotFound, field.ToString(), value, "");

    public static FieldError Forbidden(FieldPath field, string detail) =>
        new(FieldErrorType.FieldValueForbidden, field.ToString(), BadValue.Of(""), detail);

    /// <summary>An enum field holding something else; lists the allowed values, each Go-quoted.</summary>
    public static FieldError NotSupported(FieldPath field, BadValue value, IEnumerable<string> supported)
    {
        ArgumentNullException.ThrowIfNull(supported);
        var quoted = supported.Select(GoSyntax.Quote).ToList();
        var detail = quoted.Count == 0 ? "" : "supported values: " + string.Join(", ", quoted);
        return new(FieldErrorType.FieldValueNotSupported, field.ToString(), value, detail);
    }

    public static FieldError TooLong(FieldPath field, int maxBytes) =>
        new(FieldErrorType.FieldValueTooLong, field.ToString(), BadValue.Omitted,
            maxBytes >= 0 ? $"may not be more than {maxBytes} bytes" : "value is too long");

    public static FieldError TooMany(FieldPath field, int actual, int max) =>
        new(FieldErrorType.FieldValueTooMany, field.ToString(), actual >= 0 ? BadValue.Of(actual) : BadValue.Omitted,
            max >= 0 ? $"must have at most {max} items" : "has too many items");
}
