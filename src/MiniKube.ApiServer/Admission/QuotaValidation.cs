using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// ResourceQuota and LimitRange as v1.32 checks them (pkg/apis/core/validation
/// ValidateResourceQuota, validateResourceQuotaScopes, validateScopeSelector, ValidateLimitRange):
/// quota resource names and amounts, scopes and the resources they may apply to, limit types,
/// and the order of min ≤ defaultRequest ≤ default ≤ max. Quantities in messages are canonical
/// (Quantity.String), as upstream prints them.
/// </summary>
internal static class QuotaValidation
{
    private static readonly FieldPath Spec = FieldPath.Of("spec");

    private static readonly HashSet<string> StandardResources =
    [
        "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage", "limits.cpu", "limits.memory",
        "limits.ephemeral-storage", "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
        "persistentvolumeclaims", "storage", "requests.storage", "services.nodeports", "services.loadbalancers",
    ];

    private static readonly HashSet<string> StandardQuotaResources =
    [
        "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage", "requests.ephemeral-storage",
        "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "services", "replicationcontrollers", "resourcequotas",
        "secrets", "persistentvolumeclaims", "configmaps", "services.nodeports", "services.loadbalancers",
    ];

    private static readonly HashSet<string> IntegerResources =
    [
        "pods", "services", "replicationcontrollers", "resourcequotas", "services.nodeports", "services.loadbalancers", "secrets",
        "configmaps", "persistentvolumeclaims",
    ];

    private static readonly HashSet<string> PodComputeResources = ["cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"];

    private static readonly HashSet<string> StandardScopes = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity"];

    private static readonly string[][] ConflictingScopes = [["BestEffort", "NotBestEffort"], ["Terminating", "NotTerminating"]];

    private static readonly HashSet<string> ExistsOnlyScopes = ["BestEffort", "NotBestEffort", "Terminating", "NotTerminating", "CrossNamespacePodAffinity"];

    private static readonly HashSet<string> LimitTypes = ["Pod", "Container", "PersistentVolumeClaim"];

    public static void ResourceQuota(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        ResourceAmounts(spec.Obj("hard"), Spec.Child("hard"), errors);
        Scopes(spec, errors);
        ScopeSelector(spec, errors);
        Status(obj, errors);
    }

    /// <summary>ValidateResourceQuotaStatus: the names and amounts of status.hard and status.used.</summary>
    public static void Status(JsonObject obj, List<FieldError> errors)
    {
        ResourceAmounts(obj.Obj("status").Obj("hard"), FieldPath.Of("status", "hard"), errors);
        ResourceAmounts(obj.Obj("status").Obj("used"), FieldPath.Of("status", "used"), errors);
    }

    public static void LimitRange(JsonObject obj, List<FieldError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (index, limit) in obj.Obj("spec").Items("limits"))
        {
            var at = Spec.Child("limits").Index(index);
            var type = limit.StrOrEmpty("type");
            LimitType(type, at.Child("type"), errors);
            if (!seen.Add(type))
            {
                errors.Add(FieldError.Duplicate(at.Child("type"), BadValue.Of(type)));
            }
            var lists = new Dictionary<string, Dictionary<string, ExactQuantity>>(StringComparer.Ordinal);
            foreach (var field in new[] { "max", "min", "default", "defaultRequest", "maxLimitRequestRatio" })
            {
                if (type == "Pod" && field is "default" or "defaultRequest")
                {
                    if (limit.Obj(field) is { Count: > 0 })
                    {
                        errors.Add(FieldError.Forbidden(at.Child(field), "may not be specified when `type` is 'Pod'"));
                    }
                    continue;
                }
                var list = lists[field] = new Dictionary<string, ExactQuantity>(StringComparer.Ordinal);
                foreach (var (name, value) in Sorted(limit.Obj(field)))
                {
                    LimitResourceName(type, name, at.Child(field).Key(name), errors);
                    list[name] = ExactQuantity.TryParse(Quantity.Text(value), out var quantity) ? quantity : ExactQuantity.Zero;
                }
            }
            if (type == "PersistentVolumeClaim" && limit.Obj("min")?["storage"] is null && limit.Obj("max")?["storage"] is null)
            {
                errors.Add(FieldError.Required(at.Child("limits"), "either minimum or maximum storage value is required, but neither was provided"));
            }
            LimitOrder(lists, at, errors);
        }
    }

    // ValidateLimitRange's order checks, in its order: the smaller field, the larger, the field
    // reported, whether its value is the smaller one's, and the message.
    private static readonly (string Low, string High, string At, bool ShowLow, Func<ExactQuantity, ExactQuantity, string> Message)[] OrderChecks =
    [
        ("min", "max", "min", true, (lo, hi) => $"min value {lo} is greater than max value {hi}"),
        ("min", "defaultRequest", "defaultRequest", false, (lo, hi) => $"min value {lo} is greater than default request value {hi}"),
        ("defaultRequest", "max", "defaultRequest", true, (lo, hi) => $"default request value {lo} is greater than max value {hi}"),
        ("defaultRequest", "default", "defaultRequest", true, (lo, hi) => $"default request value {lo} is greater than default limit value {hi}"),
        ("min", "default", "default", true, (lo, hi) => $"min value {lo} is greater than default value {hi}"),
        ("default", "max", "default", false, (lo, hi) => $"default value {lo} is greater than max value {hi}"),
    ];

    // The pairwise checks of ValidateLimitRange, per resource named anywhere in the item.
    private static void LimitOrder(Dictionary<string, Dictionary<string, ExactQuantity>> lists, FieldPath at, List<FieldError> errors)
    {
        var none = new Dictionary<string, ExactQuantity>();
        Dictionary<string, ExactQuantity> List(string field) => lists.GetValueOrDefault(field) ?? none;
        foreach (var name in lists.Values.SelectMany(l => l.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            foreach (var (low, high, field, showLow, message) in OrderChecks)
            {
                if (List(low).TryGetValue(name, out var small) && List(high).TryGetValue(name, out var large) && small.Value > large.Value)
                {
                    errors.Add(Invalid(at.Child(field).Key(name), showLow ? small : large, message(small, large)));
                }
            }
            var hasMin = List("min").TryGetValue(name, out var lo);
            var hasMax = List("max").TryGetValue(name, out var hi);
            var hasDefault = List("default").TryGetValue(name, out var limit);
            var hasRequest = List("defaultRequest").TryGetValue(name, out var request);
            var hasRatio = List("maxLimitRequestRatio").TryGetValue(name, out var ratio);
            if (hasRatio && ratio.Value < 1)
            {
                errors.Add(Invalid(at.Child("maxLimitRequestRatio").Key(name), ratio, $"ratio {ratio} is less than 1"));
            }
            if (hasRatio && hasMin && hasMax && lo.Value != 0 && ratio.Value > hi.Value / lo.Value)
            {
                var bound = (double)(hi.Value / lo.Value);
                errors.Add(Invalid(at.Child("maxLimitRequestRatio").Key(name), ratio,
                    $"ratio {ratio} is greater than max/min = {bound.ToString("F6", CultureInfo.InvariantCulture)}"));
            }
            // Resources that cannot be overcommitted (hugepages, extended ones) need default == defaultRequest.
            if (!OvercommitAllowed(name) && hasDefault && hasRequest && limit.Value != request.Value)
            {
                errors.Add(Invalid(at.Child("defaultRequest").Key(name), request, $"default value {limit} must equal to defaultRequest value {request} in {name}"));
            }
        }
    }

    private static bool OvercommitAllowed(string name) =>
        (!name.Contains('/', StringComparison.Ordinal) || name.Contains("kubernetes.io/", StringComparison.Ordinal)) && !name.StartsWith("hugepages-", StringComparison.Ordinal);

    private static FieldError Invalid(FieldPath path, ExactQuantity value, string detail) => FieldError.Invalid(path, BadValue.Go(value.ToString()), detail);

    private static void LimitType(string type, FieldPath path, List<FieldError> errors)
    {
        var before = errors.Count;
        foreach (var message in Formats.IsQualifiedName(type))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(type), message));
        }
        if (errors.Count == before && !type.Contains('/', StringComparison.Ordinal) && !LimitTypes.Contains(type))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(type), "must be a standard limit type or fully qualified"));
        }
    }

    // validateLimitRangeResourceName: container resources for Pod and Container, any standard resource otherwise.
    private static void LimitResourceName(string type, string name, FieldPath path, List<FieldError> errors)
    {
        if (!ResourceName(name, path, errors))
        {
            return;
        }
        if (type is "Pod" or "Container" && !name.Contains('/', StringComparison.Ordinal)
            && name is not ("cpu" or "memory" or "ephemeral-storage") && !name.StartsWith("hugepages-", StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(name), "must be a standard resource for containers"));
        }
    }

    /// <summary>validateResourceName: a qualified name, standard unless fully qualified. False when it already failed.</summary>
    private static bool ResourceName(string name, FieldPath path, List<FieldError> errors)
    {
        var before = errors.Count;
        foreach (var message in Formats.IsQualifiedName(name))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(name), message));
        }
        if (errors.Count == before && !name.Contains('/', StringComparison.Ordinal) && !StandardResources.Contains(name) && !IsHugePages(name))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(name), "must be a standard resource type or fully qualified"));
        }
        return errors.Count == before;
    }

    private static bool IsHugePages(string name) => name.StartsWith("hugepages-", StringComparison.Ordinal) || name.StartsWith("requests.hugepages-", StringComparison.Ordinal);

    // ValidateResourceQuotaResourceName and ValidateResourceQuantityValue for each entry.
    private static void ResourceAmounts(JsonObject? list, FieldPath path, List<FieldError> errors)
    {
        foreach (var (name, value) in Sorted(list))
        {
            var at = path.Key(name);
            if (ResourceName(name, at, errors) && !name.Contains('/', StringComparison.Ordinal) && !StandardQuotaResources.Contains(name) && !name.StartsWith("requests.hugepages-", StringComparison.Ordinal))
            {
                errors.Add(FieldError.Invalid(at, BadValue.Of(name), "must be a standard resource for quota"));
            }
            if (!ExactQuantity.TryParse(Quantity.Text(value), out var amount))
            {
                continue;
            }
            if (amount.Value < 0)
            {
                errors.Add(Invalid(at, amount, MetaValidation.NegativeMessage));
            }
            if (IsInteger(name) && amount.Milli % 1000 != 0)
            {
                errors.Add(Invalid(at, amount, "must be an integer"));
            }
        }
    }

    // helper.IsIntegerResourceName: the object counts and extended resources.
    private static bool IsInteger(string name) =>
        IntegerResources.Contains(name) || (name.Contains('/', StringComparison.Ordinal) && !name.Contains("kubernetes.io/", StringComparison.Ordinal)
            && !name.StartsWith("requests.", StringComparison.Ordinal) && !name.StartsWith("count/", StringComparison.Ordinal));

    private static void Scopes(JsonObject? spec, List<FieldError> errors)
    {
        var scopes = MetaValidation.Strings(spec.Arr("scopes")).ToList();
        if (scopes.Count == 0)
        {
            return;
        }
        var path = Spec.Child("scopes");
        var shown = BadValue.Go("[]core.ResourceQuotaScope{" + string.Join(", ", scopes.Select(GoSyntax.Quote)) + "}");
        var hard = Sorted(spec.Obj("hard")).Select(p => p.Key).ToList();
        foreach (var scope in scopes)
        {
            if (!StandardScopes.Contains(scope))
            {
                errors.Add(FieldError.Invalid(path, shown, "unsupported scope"));
            }
            foreach (var name in hard.Where(n => StandardQuotaResources.Contains(n) && !ScopeFits(scope, n)))
            {
                errors.Add(FieldError.Invalid(path, shown, "unsupported scope applied to resource"));
            }
        }
        foreach (var pair in ConflictingScopes.Where(pair => pair.All(scopes.Contains)))
        {
            errors.Add(FieldError.Invalid(path, shown, "conflicting scopes"));
        }
    }

    private static void ScopeSelector(JsonObject? spec, List<FieldError> errors)
    {
        if (spec.Obj("scopeSelector") is not { } selector)
        {
            return;
        }
        var path = Spec.Child("scopeSelector").Child("matchExpressions");
        var hard = Sorted(spec.Obj("hard")).Select(p => p.Key).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, requirement) in selector.Items("matchExpressions"))
        {
            var scope = requirement.StrOrEmpty("scopeName");
            var op = requirement.StrOrEmpty("operator");
            var values = requirement.Arr("values");
            if (!StandardScopes.Contains(scope))
            {
                errors.Add(FieldError.Invalid(path.Child("scopeName"), BadValue.Of(scope), "unsupported scope"));
            }
            foreach (var name in hard.Where(n => StandardQuotaResources.Contains(n) && !ScopeFits(scope, n)))
            {
                errors.Add(FieldError.Invalid(path, BadValue.Go("core.ScopeSelector{...}"), "unsupported scope applied to resource"));
            }
            if (ExistsOnlyScopes.Contains(scope) && op != "Exists")
            {
                errors.Add(FieldError.Invalid(path.Child("operator"), BadValue.Of(op),
                    "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"));
            }
            switch (op)
            {
                case "In" or "NotIn":
                    if (values is not { Count: > 0 })
                    {
                        errors.Add(FieldError.Required(path.Child("values"), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
                    }
                    break;
                case "Exists" or "DoesNotExist":
                    if (values is { Count: > 0 })
                    {
                        errors.Add(FieldError.Invalid(path.Child("values"), BadValue.Go("[]string{" + string.Join(", ", MetaValidation.Strings(values).Select(GoSyntax.Quote)) + "}"),
                            "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
                    }
                    break;
                default:
                    errors.Add(FieldError.Invalid(path.Child("operator"), BadValue.Of(op), "not a valid selector operator"));
                    break;
            }
            seen.Add(scope);
        }
        foreach (var pair in ConflictingScopes.Where(pair => pair.All(seen.Contains)))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Go("core.ScopeSelector{...}"), "conflicting scopes"));
        }
    }

    // IsResourceQuotaScopeValidForResource: pod scopes apply to pods and their compute resources only.
    private static bool ScopeFits(string scope, string resource) => scope switch
    {
        "Terminating" or "NotTerminating" or "NotBestEffort" or "PriorityClass" or "CrossNamespacePodAffinity" => resource == "pods" || PodComputeResources.Contains(resource),
        "BestEffort" => resource == "pods",
        _ => true,
    };

    private static IEnumerable<KeyValuePair<string, JsonNode?>> Sorted(JsonObject? list) =>
        list is null ? [] : list.OrderBy(p => p.Key, StringComparer.Ordinal);
}
