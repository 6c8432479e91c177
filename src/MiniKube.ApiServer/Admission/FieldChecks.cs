using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Checks every kind's validation repeats: a string field that must be set and, when set, must
/// pass a format check (upstream's "if len(x) == 0 { Required } else { for _, msg := range
/// IsX(x) { Invalid } }"), and a union of which exactly one member is set.
/// </summary>
internal static class FieldChecks
{
    /// <summary>Required (with the detail) when empty, else one Invalid per message of the check.</summary>
    public static void RequiredFormat(string value, Func<string, IEnumerable<string>> check, FieldPath path, List<FieldError> errors, string requiredDetail = "")
    {
        if (value.Length == 0)
        {
            errors.Add(FieldError.Required(path, requiredDetail));
            return;
        }
        foreach (var message in check(value))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(value), message));
        }
    }

    /// <summary>A union whose members' errors carry their own field names.</summary>
    public static void OneOf(JsonObject union, IEnumerable<string> members, string what, FieldPath path, List<FieldError> errors, Action<string, JsonObject, FieldPath> validate) =>
        OneOf(union, members.Select(member => (member, member)), what, path, errors, validate);

    /// <summary>
    /// A union such as a probe's handler or a volume's source: the first member set is validated
    /// where it stands, every further one is Forbidden ("may not specify more than 1 {what}"), and
    /// none at all is Required ("must specify a {what}").
    /// </summary>
    /// <param name="members">The member fields in upstream's order, each with the name its Forbidden error carries.</param>
    /// <param name="validate">Validates the member that counts: its field, object and path.</param>
    public static void OneOf(JsonObject union, IEnumerable<(string Field, string ReportedAs)> members, string what, FieldPath path, List<FieldError> errors,
        Action<string, JsonObject, FieldPath> validate)
    {
        var count = 0;
        foreach (var (field, reportedAs) in members)
        {
            if (union.Obj(field) is not { } member)
            {
                continue;
            }
            if (count++ > 0)
            {
                errors.Add(FieldError.Forbidden(path.Child(reportedAs), $"may not specify more than 1 {what}"));
                continue;
            }
            validate(field, member, path.Child(field));
        }
        if (count == 0)
        {
            errors.Add(FieldError.Required(path, $"must specify a {what}"));
        }
    }
}
