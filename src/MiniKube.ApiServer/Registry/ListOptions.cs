using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// The query parameters of a LIST or WATCH (apimachinery meta/v1 ListOptions), validated as
/// kube-apiserver validates them (apimachinery pkg/apis/meta/internalversion/validation).
/// </summary>
public sealed record ListOptions
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>The resourceVersion parameter as sent: null (unset), "0", or a number.</summary>
    public string? ResourceVersion { get; init; }

    public string? ResourceVersionMatch { get; init; }

    public int Limit { get; init; }

    public string? Continue { get; init; }

    public bool Watch { get; init; }

    public bool AllowWatchBookmarks { get; init; }

    public bool SendInitialEvents { get; init; }

    public int? TimeoutSeconds { get; init; }

    /// <summary>The numeric resourceVersion, 0 when unset or "0".</summary>
    public long Revision => ResourceVersion is { Length: > 0 } rv ? long.Parse(rv, CultureInfo.InvariantCulture) : 0;

    public static ListOptions Parse(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var options = new ListOptions
        {
            LabelSelector = Value(query, "labelSelector"),
            FieldSelector = Value(query, "fieldSelector"),
            ResourceVersion = Value(query, "resourceVersion"),
            ResourceVersionMatch = Value(query, "resourceVersionMatch"),
            Limit = Integer(query, "limit") ?? 0,
            Continue = Value(query, "continue"),
            Watch = Boolean(query, "watch"),
            AllowWatchBookmarks = Boolean(query, "allowWatchBookmarks"),
            SendInitialEvents = Boolean(query, "sendInitialEvents"),
            TimeoutSeconds = Integer(query, "timeoutSeconds"),
        };
        options.Validate();
        return options;
    }

    /// <summary>Query booleans arrive as true/false or, from the C# client, 1/0.</summary>
    public static bool Boolean(IQueryCollection query, string name) =>
        Value(query, name) is { } value && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));

    public static string? Value(IQueryCollection query, string name)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.TryGetValue(name, out var values) && values.Count > 0 && values[0] is { Length: > 0 } value ? value : null;
    }

    public static int? Integer(IQueryCollection query, string name)
    {
        var value = Value(query, name);
        if (value is null)
        {
            return null;
        }
        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= 0
            ? number
            : throw ApiException.BadRequest($"invalid value for {name}: \"{value}\"");
    }

    private void Validate()
    {
        if (ResourceVersion is { } rv && !long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw Invalid(FieldError.Invalid(FieldPath.Of("resourceVersion"), BadValue.Of(rv), "must be a non-negative integer"));
        }
        if (ResourceVersionMatch is { } match)
        {
            if (match is not ("Exact" or "NotOlderThan"))
            {
                throw Invalid(FieldError.NotSupported(FieldPath.Of("resourceVersionMatch"), BadValue.Of(match), ["Exact", "NotOlderThan"]));
            }
            if (!Watch && ResourceVersion is null)
            {
                throw Invalid(FieldError.Forbidden(FieldPath.Of("resourceVersionMatch"), "resourceVersionMatch is forbidden unless resourceVersion is provided"));
            }
            if (Continue is not null)
            {
                throw Invalid(FieldError.Forbidden(FieldPath.Of("resourceVersionMatch"), "resourceVersionMatch is forbidden when continue is provided"));
            }
            if (match == "Exact" && ResourceVersion == "0")
            {
                throw Invalid(FieldError.Forbidden(FieldPath.Of("resourceVersionMatch"), "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
            }
        }
        if (SendInitialEvents)
        {
            if (!Watch)
            {
                throw Invalid(FieldError.Forbidden(FieldPath.Of("sendInitialEvents"), "sendInitialEvents is forbidden for list"));
            }
            if (ResourceVersionMatch != "NotOlderThan")
            {
                throw Invalid(FieldError.Forbidden(FieldPath.Of("resourceVersionMatch"), "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
            }
        }
    }

    // validation.ValidateListOptions' errors, through NewInvalid of ListOptions.meta.k8s.io.
    private static ApiException Invalid(FieldError error) => ApiException.Invalid("meta.k8s.io", "ListOptions", "", error);
}
