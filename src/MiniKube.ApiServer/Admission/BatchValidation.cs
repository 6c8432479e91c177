using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Job and CronJob rules: pkg/apis/batch/validation/validation.go. A Job's pods must restart
/// OnFailure or Never; unless manualSelector is set its selector must be the generated one; its
/// selector, completions and template are fixed after create.
/// </summary>
internal static class BatchValidation
{
    private static readonly FieldPath Spec = FieldPath.Of("spec");
    private static readonly string[] CompletionModes = ["NonIndexed", "Indexed"];
    private static readonly string[] ConcurrencyPolicies = ["Allow", "Forbid", "Replace"];
    private static readonly string[] PodReplacementPolicies = ["TerminatingOrFailed", "Failed"];
    private const int MaxCronJobNameLength = 52; // the 63-character label limit less 11 for the generated Job suffix

    public static void Job(JsonObject job, List<FieldError> errors)
    {
        GeneratedSelector(job, errors);
        var spec = job.Obj("spec");
        JobSpec(spec, Spec, errors);
        var selector = spec.Obj("selector");
        if (selector is null)
        {
            errors.Add(FieldError.Required(Spec.Child("selector")));
        }
        else
        {
            SelectorValidation.Validate(selector, Spec.Child("selector"), errors);
            var labels = spec.Obj("template").Obj("metadata").Obj("labels");
            if (SelectorValidation.IsConvertible(selector) && !SelectorValidation.Matches(selector, labels))
            {
                errors.Add(FieldError.Invalid(Spec.Child("template").Child("metadata").Child("labels"), BadValue.Go(GoSyntax.StringMap(labels)), "`selector` does not match template `labels`"));
            }
        }
    }

    public static void JobUpdate(JsonObject job, JsonObject old, List<FieldError> errors)
    {
        Job(job, errors);
        var spec = job.Obj("spec");
        var oldSpec = old.Obj("spec");
        if (!JsonNode.DeepEquals(spec?["completions"], oldSpec?["completions"]))
        {
            errors.Add(FieldError.Invalid(Spec.Child("completions"), BadValue.Of(spec.Int("completions")), MetaValidation.ImmutableMessage));
        }
        if (!JsonNode.DeepEquals(spec?["selector"], oldSpec?["selector"]))
        {
            errors.Add(FieldError.Invalid(Spec.Child("selector"), BadValue.Go(GoSyntax.LabelSelector(spec.Obj("selector"))), MetaValidation.ImmutableMessage));
        }
        if (!JsonNode.DeepEquals(spec?["template"], oldSpec?["template"]))
        {
            errors.Add(FieldError.Invalid(Spec.Child("template"), BadValue.Go("core.PodTemplateSpec{...}"), MetaValidation.ImmutableMessage));
        }
        if (!JsonNode.DeepEquals(spec?["completionMode"], oldSpec?["completionMode"]))
        {
            errors.Add(FieldError.Invalid(Spec.Child("completionMode"), BadValue.Of(spec.StrOrEmpty("completionMode")), MetaValidation.ImmutableMessage));
        }
    }

    public static void CronJob(JsonObject cronJob, List<FieldError> errors)
    {
        var name = cronJob.Obj("metadata").StrOrEmpty("name");
        if (Formats.ByteLength(name) > MaxCronJobNameLength)
        {
            errors.Add(FieldError.Invalid(FieldPath.Of("metadata", "name"), BadValue.Of(name), $"must be no more than {MaxCronJobNameLength} characters"));
        }
        CronJobSpec(cronJob.Obj("spec"), allowTimeZoneInSchedule: false, errors);
    }

    public static void CronJobUpdate(JsonObject cronJob, JsonObject old, List<FieldError> errors) =>
        CronJobSpec(cronJob.Obj("spec"), old.Obj("spec").StrOrEmpty("schedule").Contains("TZ", StringComparison.Ordinal), errors);

    private static void CronJobSpec(JsonObject? spec, bool allowTimeZoneInSchedule, List<FieldError> errors)
    {
        var schedule = spec.StrOrEmpty("schedule");
        var path = Spec.Child("schedule");
        if (schedule.Length == 0)
        {
            errors.Add(FieldError.Required(path));
        }
        else
        {
            if (!CronSchedule.TryParse(schedule, out _, out var problem))
            {
                errors.Add(FieldError.Invalid(path, BadValue.Of(schedule), problem));
            }
            var hasTimeZone = schedule.Contains("TZ", StringComparison.Ordinal);
            if (allowTimeZoneInSchedule && hasTimeZone && spec.Has("timeZone"))
            {
                errors.Add(FieldError.Invalid(path, BadValue.Of(schedule), "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
            }
            else if (!allowTimeZoneInSchedule && hasTimeZone)
            {
                errors.Add(FieldError.Invalid(path, BadValue.Of(schedule), "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
            }
        }
        MetaValidation.NonNegative(spec.Int("startingDeadlineSeconds"), Spec.Child("startingDeadlineSeconds"), errors);
        if (spec.Str("timeZone") is { } timeZone)
        {
            TimeZone(timeZone, Spec.Child("timeZone"), errors);
        }
        ContainerValidation.Enum(spec.StrOrEmpty("concurrencyPolicy"), ConcurrencyPolicies, Spec.Child("concurrencyPolicy"), errors);
        var template = spec.Obj("jobTemplate");
        var templatePath = Spec.Child("jobTemplate");
        JobSpec(template.Obj("spec"), templatePath.Child("spec"), errors);
        if (template.Obj("spec").Obj("selector") is { } selector)
        {
            errors.Add(FieldError.Invalid(templatePath.Child("spec").Child("selector"), BadValue.Go(GoSyntax.LabelSelector(selector)), "`selector` will be auto-generated"));
        }
        if (template.Obj("spec").Bool("manualSelector") == true)
        {
            errors.Add(FieldError.NotSupported(templatePath.Child("spec").Child("manualSelector"), BadValue.Of(true), ["nil", "false"]));
        }
        MetaValidation.NonNegative(spec.Int("successfulJobsHistoryLimit"), Spec.Child("successfulJobsHistoryLimit"), errors);
        MetaValidation.NonNegative(spec.Int("failedJobsHistoryLimit"), Spec.Child("failedJobsHistoryLimit"), errors);
    }

    // validateJobSpec: counts, completion mode, the pod template and its restart policy.
    private static void JobSpec(JsonObject? spec, FieldPath path, List<FieldError> errors)
    {
        foreach (var field in new[] { "parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished" })
        {
            MetaValidation.NonNegative(spec.Int(field), path.Child(field), errors);
        }
        if (spec.Str("completionMode") is { } mode)
        {
            if (!CompletionModes.Contains(mode))
            {
                errors.Add(FieldError.NotSupported(path.Child("completionMode"), BadValue.Of(mode), CompletionModes));
            }
            if (mode == "Indexed" && !spec.Has("completions"))
            {
                errors.Add(FieldError.Required(path.Child("completions"), "when completion mode is Indexed"));
            }
        }
        if (spec.Str("podReplacementPolicy") is { } replacement && !PodReplacementPolicies.Contains(replacement))
        {
            errors.Add(FieldError.NotSupported(path.Child("podReplacementPolicy"), BadValue.Of(replacement), PodReplacementPolicies));
        }
        var template = spec.Obj("template");
        PodSpecValidation.ValidateTemplate(template, path.Child("template"), errors);
        var restart = template.Obj("spec").StrOrEmpty("restartPolicy");
        if (restart is not ("OnFailure" or "Never"))
        {
            errors.Add(FieldError.NotSupported(path.Child("template").Child("spec").Child("restartPolicy"), BadValue.Of(restart), ["OnFailure", "Never"]));
        }
    }

    // validateGeneratedSelector: a generated selector must select exactly this Job's pods.
    private static void GeneratedSelector(JsonObject job, List<FieldError> errors)
    {
        var spec = job.Obj("spec");
        if (spec.Bool("manualSelector") == true || spec.Obj("selector") is not { } selector)
        {
            return;
        }
        var meta = job.Obj("metadata");
        var uid = meta.StrOrEmpty("uid");
        if (uid.Length == 0)
        {
            errors.Add(FieldError.Required(FieldPath.Of("metadata", "uid")));
        }
        var name = meta.StrOrEmpty("name");
        var templateMeta = spec.Obj("template").Obj("metadata");
        var templatePath = Spec.Child("template").Child("metadata");
        HasLabel(templateMeta, templatePath, "controller-uid", uid, errors);
        HasLabel(templateMeta, templatePath, "job-name", name, errors);
        HasLabel(templateMeta, templatePath, "batch.kubernetes.io/controller-uid", uid, errors);
        HasLabel(templateMeta, templatePath, "batch.kubernetes.io/job-name", name, errors);
        var expected = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid };
        if (SelectorValidation.IsConvertible(selector) && !SelectorValidation.Matches(selector, expected))
        {
            errors.Add(FieldError.Invalid(Spec.Child("selector"), BadValue.Go(GoSyntax.LabelSelector(selector)), "`selector` not auto-generated"));
        }
    }

    // ValidateHasLabel.
    private static void HasLabel(JsonObject? meta, FieldPath path, string key, string expected, List<FieldError> errors)
    {
        var labels = meta.Obj("labels");
        var at = path.Child("labels").Key(key);
        if (labels?[key] is not { } actual)
        {
            errors.Add(FieldError.Required(at, $"must be '{expected}'"));
        }
        else if (GoSyntax.ScalarText(actual) != expected)
        {
            errors.Add(FieldError.Invalid(at, BadValue.Go(GoSyntax.StringMap(labels)), $"must be '{expected}'"));
        }
    }

    private static void TimeZone(string timeZone, FieldPath path, List<FieldError> errors)
    {
        if (timeZone.Length == 0)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(timeZone), "unknown time zone"));
            return;
        }
        if (string.Equals(timeZone, "Local", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(timeZone), "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
            return;
        }
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(timeZone), $"unknown time zone {timeZone}"));
        }
    }
}
