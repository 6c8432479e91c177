using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Events written through events.k8s.io/v1, checked in their stored core form with the
/// events.k8s.io field names, as pkg/apis/core/validation/events.go does for that request
/// version: the legacy rules, then the strict ones (eventTime, type, no deprecated fields, a
/// well-formed series), and on update the fields that may not change.
/// </summary>
internal static class EventsValidation
{
    private const int ReportingInstanceLimit = 128;
    private const int ActionLimit = 128;
    private const int ReasonLimit = 128;
    private const int NoteLimit = 1024;

    public static void Create(JsonObject obj, List<FieldError> errors)
    {
        var ns = obj.Obj("metadata").StrOrEmpty("namespace");
        var regardingNamespace = obj.Obj("involvedObject").StrOrEmpty("namespace");
        if (obj.StrOrEmpty("eventTime").Length == 0)
        {
            errors.Add(FieldError.Required(FieldPath.Of("eventTime")));
            if (regardingNamespace.Length == 0 ? ns is not ("" or "default") : ns != regardingNamespace)
            {
                errors.Add(FieldError.Invalid(FieldPath.Of("involvedObject", "namespace"), BadValue.Of(regardingNamespace), "does not match event.namespace"));
            }
        }
        else
        {
            if (regardingNamespace.Length == 0 && ns is not ("default" or "kube-system"))
            {
                errors.Add(FieldError.Invalid(FieldPath.Of("involvedObject", "namespace"), BadValue.Of(regardingNamespace), "does not match event.namespace"));
            }
            var controller = obj.StrOrEmpty("reportingComponent");
            if (controller.Length == 0)
            {
                errors.Add(FieldError.Required(FieldPath.Of("reportingController")));
            }
            ContainerValidation.QualifiedName(controller, FieldPath.Of("reportingController"), errors);
            Limited(obj, "reportingInstance", "reportingInstance", ReportingInstanceLimit, required: true, errors);
            Limited(obj, "action", "action", ActionLimit, required: true, errors);
            Limited(obj, "reason", "reason", ReasonLimit, required: true, errors);
            Limited(obj, "message", "note", NoteLimit, required: false, errors);
        }
        var type = obj.StrOrEmpty("type");
        if (type is not ("Normal" or "Warning"))
        {
            errors.Add(FieldError.Invalid(FieldPath.Of("type"), BadValue.Of(""), $"has invalid value: {type}"));
        }
        foreach (var (core, events) in new[] { ("firstTimestamp", "deprecatedFirstTimestamp"), ("lastTimestamp", "deprecatedLastTimestamp") })
        {
            if (obj.StrOrEmpty(core).Length > 0)
            {
                errors.Add(FieldError.Invalid(FieldPath.Of(events), BadValue.Of(""), "needs to be unset"));
            }
        }
        if (obj.Int("count") is { } count && count != 0)
        {
            errors.Add(FieldError.Invalid(FieldPath.Of("deprecatedCount"), BadValue.Of(""), "needs to be unset"));
        }
        if (obj.Obj("source").StrOrEmpty("component").Length > 0 || obj.Obj("source").StrOrEmpty("host").Length > 0)
        {
            errors.Add(FieldError.Invalid(FieldPath.Of("deprecatedSource"), BadValue.Of(""), "needs to be unset"));
        }
        if (obj.Obj("series") is { } series)
        {
            if ((series.Int("count") ?? 0) < 2)
            {
                errors.Add(FieldError.Invalid(FieldPath.Of("series.count"), BadValue.Of(""), "should be at least 2"));
            }
            if (series.StrOrEmpty("lastObservedTime").Length == 0)
            {
                errors.Add(FieldError.Required(FieldPath.Of("series.lastObservedTime")));
            }
        }
    }

    public static void Update(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        Create(obj, errors);
        foreach (var (core, events) in new[]
        {
            ("involvedObject", "regarding"), ("reason", "reason"), ("related", "related"), ("reportingComponent", "reportingController"),
            ("reportingInstance", "reportingInstance"), ("action", "action"), ("type", "type"), ("eventTime", "eventTime"),
        })
        {
            if (!JsonNode.DeepEquals(obj[core], old[core]))
            {
                errors.Add(FieldError.Invalid(FieldPath.Of(events), BadValue.Go("{...}"), MetaValidation.ImmutableMessage));
            }
        }
    }

    private static void Limited(JsonObject obj, string field, string name, int limit, bool required, List<FieldError> errors)
    {
        var value = obj.StrOrEmpty(field);
        if (required && value.Length == 0)
        {
            errors.Add(FieldError.Required(FieldPath.Of(name)));
        }
        if (value.Length > limit)
        {
            errors.Add(FieldError.Invalid(FieldPath.Of(name), BadValue.Of(""), $"can have at most {limit} characters"));
        }
    }
}
