using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// HorizontalPodAutoscalers in their stored autoscaling/v2 form, as
/// pkg/apis/autoscaling/validation/validation.go of v1.32 checks them (HPAScaleToZero off).
/// </summary>
internal static class AutoscalingValidation
{
    private static readonly FieldPath Spec = FieldPath.Of("spec");
    private static readonly string[] MetricTypes = ["ContainerResource", "External", "Object", "Pods", "Resource"];
    private static readonly string[] TargetTypes = ["AverageValue", "Utilization", "Value"];
    private static readonly string[] SelectPolicies = ["Disabled", "Max", "Min"];
    private static readonly string[] PolicyTypes = ["Percent", "Pods"];
    private const int MaxStabilizationWindowSeconds = 3600;
    private const int MaxPeriodSeconds = 1800;

    public static void HorizontalPodAutoscaler(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        var min = spec.Int("minReplicas");
        if (min is < 1)
        {
            errors.Add(FieldError.Invalid(Spec.Child("minReplicas"), BadValue.Of(min.Value), "must be greater than or equal to 1"));
        }
        var max = spec.Int("maxReplicas") ?? 0;
        if (max < 1)
        {
            errors.Add(FieldError.Invalid(Spec.Child("maxReplicas"), BadValue.Of(max), "must be greater than 0"));
        }
        if (min is { } m && max < m)
        {
            errors.Add(FieldError.Invalid(Spec.Child("maxReplicas"), BadValue.Of(max), "must be greater than or equal to `minReplicas`"));
        }
        CrossVersionReference(spec.Obj("scaleTargetRef"), Spec.Child("scaleTargetRef"), errors);
        foreach (var (i, metric) in spec.Items("metrics"))
        {
            Metric(metric, Spec.Child("metrics").Index(i), errors);
        }
        if (spec.Obj("behavior") is { } behavior)
        {
            Rules(behavior.Obj("scaleUp"), Spec.Child("behavior").Child("scaleUp"), errors);
            Rules(behavior.Obj("scaleDown"), Spec.Child("behavior").Child("scaleDown"), errors);
        }
    }

    private static void CrossVersionReference(JsonObject? reference, FieldPath path, List<FieldError> errors)
    {
        foreach (var field in new[] { "kind", "name" })
        {
            var value = reference.StrOrEmpty(field);
            if (value.Length == 0)
            {
                errors.Add(FieldError.Required(path.Child(field)));
            }
            else if (value.Contains('/', StringComparison.Ordinal) || value.Contains('%', StringComparison.Ordinal) || value is "." or "..")
            {
                var message = value is "." or ".." ? $"may not be '{value}'" : $"may not contain '{(value.Contains('/', StringComparison.Ordinal) ? "/" : "%")}'";
                errors.Add(FieldError.Invalid(path.Child(field), BadValue.Of(value), message));
            }
        }
    }

    private static void Metric(JsonObject metric, FieldPath path, List<FieldError> errors)
    {
        var type = metric.StrOrEmpty("type");
        if (type.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("type"), "must specify a metric source type"));
        }
        else if (!MetricTypes.Contains(type))
        {
            errors.Add(FieldError.NotSupported(path.Child("type"), BadValue.Of(type), MetricTypes));
        }
        var sources = new[] { ("object", "Object"), ("pods", "Pods"), ("resource", "Resource"), ("containerResource", "ContainerResource"), ("external", "External") };
        var populated = 0;
        foreach (var (field, sourceType) in sources)
        {
            if (metric.Obj(field) is not { } source)
            {
                if (type == sourceType)
                {
                    errors.Add(FieldError.Required(path.Child(field), "must populate information for the given metric source"));
                }
                continue;
            }
            populated++;
            if (type != sourceType && type.Length > 0)
            {
                errors.Add(FieldError.Forbidden(path.Child(field), "must populate the given metric source only"));
            }
            var at = path.Child(field);
            switch (field)
            {
                case "resource" or "containerResource":
                    if (source.StrOrEmpty("name").Length == 0)
                    {
                        errors.Add(FieldError.Required(at.Child("name"), "must specify a resource name"));
                    }
                    if (field == "containerResource" && source.StrOrEmpty("container").Length == 0)
                    {
                        errors.Add(FieldError.Required(at.Child("container"), "must specify a container"));
                    }
                    Target(source.Obj("target"), at.Child("target"), errors);
                    break;
                case "object":
                    CrossVersionReference(source.Obj("describedObject"), at.Child("describedObject"), errors);
                    Identifier(source.Obj("metric"), at.Child("metric"), errors);
                    Target(source.Obj("target"), at.Child("target"), errors);
                    break;
                default:
                    Identifier(source.Obj("metric"), at.Child("metric"), errors);
                    Target(source.Obj("target"), at.Child("target"), errors);
                    break;
            }
        }
        if (populated > 1 && type.Length == 0)
        {
            errors.Add(FieldError.Forbidden(path, "must populate the given metric source only"));
        }
    }

    private static void Identifier(JsonObject? metric, FieldPath path, List<FieldError> errors)
    {
        FieldChecks.RequiredFormat(metric.StrOrEmpty("name"), Formats.IsDns1123Subdomain, path.Child("name"), errors, "must specify a metric name");
        if (metric.Obj("selector") is { } selector)
        {
            SelectorValidation.Validate(selector, path.Child("selector"), errors);
        }
    }

    private static void Target(JsonObject? target, FieldPath path, List<FieldError> errors)
    {
        var type = target.StrOrEmpty("type");
        if (type.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("type"), "must specify a metric target type"));
        }
        else if (!TargetTypes.Contains(type))
        {
            errors.Add(FieldError.NotSupported(path.Child("type"), BadValue.Of(type), TargetTypes));
        }
        if (target.Int("averageUtilization") is { } utilization && utilization < 1)
        {
            errors.Add(FieldError.Invalid(path.Child("averageUtilization"), BadValue.Of(utilization), "must be greater than 0"));
        }
        var needed = type switch
        {
            "Utilization" => "averageUtilization",
            "Value" => "value",
            "AverageValue" => "averageValue",
            _ => null,
        };
        if (needed is not null && target?[needed] is null)
        {
            errors.Add(FieldError.Required(path.Child(needed), $"must set {needed} when metric target type is {type}"));
        }
    }

    private static void Rules(JsonObject? rules, FieldPath path, List<FieldError> errors)
    {
        if (rules is null)
        {
            return;
        }
        if (rules.Int("stabilizationWindowSeconds") is { } window)
        {
            if (window < 0)
            {
                errors.Add(FieldError.Invalid(path.Child("stabilizationWindowSeconds"), BadValue.Of(window), "must be greater than or equal to zero"));
            }
            if (window > MaxStabilizationWindowSeconds)
            {
                errors.Add(FieldError.Invalid(path.Child("stabilizationWindowSeconds"), BadValue.Of(window),
                    $"must be less than or equal to {MaxStabilizationWindowSeconds}"));
            }
        }
        if (rules.Str("selectPolicy") is { } policy && !SelectPolicies.Contains(policy))
        {
            errors.Add(FieldError.NotSupported(path.Child("selectPolicy"), BadValue.Of(policy), SelectPolicies));
        }
        if (rules.Arr("policies") is not { Count: > 0 })
        {
            errors.Add(FieldError.Required(path.Child("policies"), "must specify at least one Policy"));
        }
        foreach (var (i, item) in rules.Items("policies"))
        {
            var at = path.Child("policies").Index(i);
            var type = item.StrOrEmpty("type");
            if (!PolicyTypes.Contains(type))
            {
                errors.Add(FieldError.NotSupported(at.Child("type"), BadValue.Of(type), PolicyTypes));
            }
            if ((item.Int("value") ?? 0) <= 0)
            {
                errors.Add(FieldError.Invalid(at.Child("value"), BadValue.Of(item.Int("value") ?? 0), "must be greater than zero"));
            }
            var period = item.Int("periodSeconds") ?? 0;
            if (period <= 0)
            {
                errors.Add(FieldError.Invalid(at.Child("periodSeconds"), BadValue.Of(period), "must be greater than zero"));
            }
            if (period > MaxPeriodSeconds)
            {
                errors.Add(FieldError.Invalid(at.Child("periodSeconds"), BadValue.Of(period), $"must be less than or equal to {MaxPeriodSeconds}"));
            }
        }
    }
}
