using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// metav1.LabelSelector checks and matching: apimachinery meta/v1/validation ValidateLabelSelector
/// and meta/v1 helpers LabelSelectorAsSelector. An absent selector selects nothing; an empty one
/// ({}) selects everything.
/// </summary>
internal static class SelectorValidation
{
    public static void Validate(JsonObject? selector, FieldPath path, List<FieldError> errors)
    {
        if (selector is null)
        {
            return;
        }
        MetaValidation.ValidateLabels(selector, "matchLabels", path.Child("matchLabels"), errors);
        foreach (var (index, requirement) in selector.Items("matchExpressions"))
        {
            var at = path.Child("matchExpressions").Index(index);
            var op = requirement.StrOrEmpty("operator");
            var values = MetaValidation.Strings(requirement.Arr("values")).ToList();
            switch (op)
            {
                case "In" or "NotIn":
                    if (values.Count == 0)
                    {
                        errors.Add(FieldError.Required(at.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
                    }
                    break;
                case "Exists" or "DoesNotExist":
                    if (values.Count > 0)
                    {
                        errors.Add(FieldError.Forbidden(at.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    }
                    break;
                default:
                    errors.Add(FieldError.Invalid(at.Child("operator"), BadValue.Of(op), "not a valid selector operator"));
                    break;
            }
            MetaValidation.ValidateLabelName(requirement.StrOrEmpty("key"), at.Child("key"), errors);
            for (var i = 0; i < values.Count; i++)
            {
                foreach (var message in Formats.IsValidLabelValue(values[i]))
                {
                    errors.Add(FieldError.Invalid(at.Child("values").Index(i), BadValue.Of(values[i]), message));
                }
            }
        }
    }

    /// <summary>True when the selector converts to a labels.Selector (LabelSelectorAsSelector gives no error).</summary>
    public static bool IsConvertible(JsonObject? selector)
    {
        var scratch = new List<FieldError>();
        Validate(selector, FieldPath.Root, scratch);
        return scratch.Count == 0;
    }

    /// <summary>True for a present selector without labels or expressions, which selects everything.</summary>
    public static bool IsEmpty(JsonObject? selector) =>
        selector is not null && selector.Obj("matchLabels") is not { Count: > 0 } && selector.Arr("matchExpressions") is not { Count: > 0 };

    /// <summary>
    /// Whether the labels satisfy the selector, with the one meaning of a selector
    /// (<see cref="LabelSelector"/>); callers check <see cref="IsConvertible"/> first, and a
    /// selector that does not convert matches nothing.
    /// </summary>
    public static bool Matches(JsonObject? selector, JsonObject? labels)
    {
        try
        {
            return JsonLabelSelector.From(selector).Matches(labels);
        }
        catch (InvalidSelectorException)
        {
            return false;
        }
    }
}
