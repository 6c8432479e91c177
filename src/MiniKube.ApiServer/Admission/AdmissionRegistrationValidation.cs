using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// MutatingWebhookConfiguration and ValidatingWebhookConfiguration checks as v1.32's
/// pkg/apis/admissionregistration/validation/validation.go makes them: fully qualified webhook
/// names unique in the configuration, rules (operations, groups, versions, resources with their
/// wildcard rules, scope), enums, sideEffects None/NoneOnDryRun, timeouts of 1–30 s, selectors,
/// clientConfig (exactly one of url or service; apiserver pkg/util/webhook/validation.go),
/// admissionReviewVersions, and matchConditions compiled with <see cref="ICelEngine"/>. An update
/// relaxes what the stored object already broke, as upstream's update options do.
/// </summary>
internal static class AdmissionRegistrationValidation
{
    private static readonly FieldPath WebhooksPath = FieldPath.Of("webhooks");
    internal static readonly string[] FailurePolicies = ["Fail", "Ignore"];
    internal static readonly string[] MatchPolicies = ["Equivalent", "Exact"];
    private static readonly string[] NoSideEffects = ["None", "NoneOnDryRun"];
    private static readonly string[] AllSideEffects = ["None", "NoneOnDryRun", "Some", "Unknown"];
    private static readonly string[] Operations = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
    private static readonly string[] ReinvocationPolicies = ["IfNeeded", "Never"];
    private static readonly string[] Scopes = ["*", "Cluster", "Namespaced"];
    private static readonly string[] ReviewVersions = ["v1", "v1beta1"];
    private const int MaxMatchConditions = 64;

    /// <summary>The variables of a webhook's matchConditions (no params: webhooks have none).</summary>
    public static CelDeclarations MatchConditionVariables { get; } = new(["object", "oldObject", "request", "authorizer"]);

    /// <summary>The CEL engine matchConditions are compiled with; replaceable for tests.</summary>
    public static ICelEngine Cel { get; set; } = CelNetEngine.Instance;

    public static void MutatingWebhookConfiguration(JsonObject obj, List<FieldError> errors) =>
        Configuration(obj, null, mutating: true, errors);

    public static void MutatingWebhookConfigurationUpdate(JsonObject obj, JsonObject old, List<FieldError> errors) =>
        Configuration(obj, old, mutating: true, errors);

    public static void ValidatingWebhookConfiguration(JsonObject obj, List<FieldError> errors) =>
        Configuration(obj, null, mutating: false, errors);

    public static void ValidatingWebhookConfigurationUpdate(JsonObject obj, JsonObject old, List<FieldError> errors) =>
        Configuration(obj, old, mutating: false, errors);

    private static void Configuration(JsonObject obj, JsonObject? old, bool mutating, List<FieldError> errors)
    {
        var options = Options.For(obj, old);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (index, hook) in obj.Items("webhooks"))
        {
            var path = WebhooksPath.Index(index);
            Webhook(hook, path, mutating, options, errors);
            AdmissionReviewVersions(hook.Arr("admissionReviewVersions"), options.RequireRecognizedReviewVersion, path.Child("admissionReviewVersions"), errors);
            var name = hook.StrOrEmpty("name");
            if (options.RequireUniqueNames && name.Length > 0 && !names.Add(name))
            {
                errors.Add(FieldError.Duplicate(path.Child("name"), BadValue.Of(name)));
            }
        }
    }

    private static void Webhook(JsonObject hook, FieldPath path, bool mutating, Options options, List<FieldError> errors)
    {
        FullyQualifiedName(hook.StrOrEmpty("name"), path.Child("name"), errors);
        foreach (var (index, rule) in hook.Items("rules"))
        {
            RuleWithOperations(rule, path.Child("rules").Index(index), errors);
        }
        Enum(hook, "failurePolicy", FailurePolicies, path, errors);
        Enum(hook, "matchPolicy", MatchPolicies, path, errors);
        var allowedSideEffects = options.RequireNoSideEffects ? NoSideEffects : AllSideEffects;
        if (hook["sideEffects"] is null)
        {
            errors.Add(FieldError.Required(path.Child("sideEffects"), "must specify one of " + string.Join(", ", allowedSideEffects)));
        }
        else
        {
            Enum(hook, "sideEffects", allowedSideEffects, path, errors);
        }
        if (hook.Int("timeoutSeconds") is { } timeout && timeout is > 30 or < 1)
        {
            errors.Add(FieldError.Invalid(path.Child("timeoutSeconds"), BadValue.Of(timeout), "the timeout value must be between 1 and 30 seconds"));
        }
        SelectorValidation.Validate(hook.Obj("namespaceSelector"), path.Child("namespaceSelector"), errors);
        SelectorValidation.Validate(hook.Obj("objectSelector"), path.Child("objectSelector"), errors);
        if (mutating)
        {
            Enum(hook, "reinvocationPolicy", ReinvocationPolicies, path, errors);
        }
        ClientConfig(hook.Obj("clientConfig"), path.Child("clientConfig"), errors);
        if (!options.IgnoreMatchConditions)
        {
            MatchConditions(hook.Arr("matchConditions"), MatchConditionVariables, path.Child("matchConditions"), errors);
        }
    }

    /// <summary>utilvalidation.IsFullyQualifiedName: a DNS subdomain of at least three labels.</summary>
    public static void FullyQualifiedName(string name, FieldPath path, List<FieldError> errors)
    {
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required(path));
            return;
        }
        var problems = Formats.IsDns1123Subdomain(name);
        if (problems.Count > 0)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(name), string.Join(",", problems)));
        }
        else if (name.Split('.').Length < 3)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(name), "should be a domain with at least three segments separated by dots"));
        }
    }

    internal static void RuleWithOperations(JsonObject rule, FieldPath path, List<FieldError> errors)
    {
        var operations = rule.Arr("operations");
        var values = MetaValidation.Strings(operations).ToList();
        if (values.Count == 0)
        {
            errors.Add(FieldError.Required(path.Child("operations")));
        }
        if (values.Count > 1 && values.Contains("*"))
        {
            errors.Add(FieldError.Invalid(path.Child("operations"), BadValue.Go(TypedSlice("admissionregistration.OperationType", values)), "if '*' is present, must not specify other operations"));
        }
        for (var i = 0; i < values.Count; i++)
        {
            if (!Operations.Contains(values[i]))
            {
                errors.Add(FieldError.NotSupported(path.Child("operations").Index(i), BadValue.Of(values[i]), Operations));
            }
        }
        Rule(rule, path, errors);
    }

    /// <summary>validateRule with subresources allowed (webhook rules).</summary>
    private static void Rule(JsonObject rule, FieldPath path, List<FieldError> errors)
    {
        var groups = MetaValidation.Strings(rule.Arr("apiGroups")).ToList();
        if (groups.Count == 0)
        {
            errors.Add(FieldError.Required(path.Child("apiGroups")));
        }
        if (groups.Count > 1 && groups.Contains("*"))
        {
            errors.Add(FieldError.Invalid(path.Child("apiGroups"), BadValue.Go(GoSyntax.StringSlice(rule.Arr("apiGroups"))), "if '*' is present, must not specify other API groups"));
        }
        var versions = MetaValidation.Strings(rule.Arr("apiVersions")).ToList();
        if (versions.Count == 0)
        {
            errors.Add(FieldError.Required(path.Child("apiVersions")));
        }
        if (versions.Count > 1 && versions.Contains("*"))
        {
            errors.Add(FieldError.Invalid(path.Child("apiVersions"), BadValue.Go(GoSyntax.StringSlice(rule.Arr("apiVersions"))), "if '*' is present, must not specify other API versions"));
        }
        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i].Length == 0)
            {
                errors.Add(FieldError.Required(path.Child("apiVersions").Index(i)));
            }
        }
        Resources(rule.Arr("resources"), path.Child("resources"), errors);
        if (rule["scope"] is { } scope && !Scopes.Contains(JsonFields.ScalarText(scope)))
        {
            errors.Add(FieldError.NotSupported(path.Child("scope"), BadValue.Of(JsonFields.ScalarText(scope)), Scopes));
        }
    }

    // validateResources: "x/*" and "*/x" must not overlap other entries, "*/*" stands alone, and "*" excludes plain resources.
    private static void Resources(JsonArray? list, FieldPath path, List<FieldError> errors)
    {
        var resources = MetaValidation.Strings(list).ToList();
        if (resources.Count == 0)
        {
            errors.Add(FieldError.Required(path));
        }
        var wildcardSubresources = new HashSet<string>(StringComparer.Ordinal);
        var wildcardResources = new HashSet<string>(StringComparer.Ordinal);
        var doubleWildcard = false;
        var singleWildcard = false;
        var plainResource = false;
        for (var i = 0; i < resources.Count; i++)
        {
            var entry = resources[i];
            if (entry.Length == 0)
            {
                errors.Add(FieldError.Required(path.Index(i)));
                continue;
            }
            doubleWildcard |= entry == "*/*";
            singleWildcard |= entry == "*";
            var slash = entry.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                // As upstream: the last plain entry decides (a later "*" resets it).
                plainResource = entry != "*";
                continue;
            }
            var (resource, subresource) = (entry[..slash], entry[(slash + 1)..]);
            if (wildcardSubresources.Contains(resource))
            {
                errors.Add(FieldError.Invalid(path.Index(i), BadValue.Of(entry), $"if '{resource}/*' is present, must not specify {entry}"));
            }
            if (wildcardResources.Contains(subresource))
            {
                errors.Add(FieldError.Invalid(path.Index(i), BadValue.Of(entry), $"if '*/{subresource}' is present, must not specify {entry}"));
            }
            if (subresource == "*")
            {
                wildcardSubresources.Add(resource);
            }
            if (resource == "*")
            {
                wildcardResources.Add(subresource);
            }
        }
        if (resources.Count > 1 && doubleWildcard)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Go(GoSyntax.StringSlice(list)), "if '*/*' is present, must not specify other resources"));
        }
        if (singleWildcard && plainResource)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Go(GoSyntax.StringSlice(list)), "if '*' is present, must not specify other resources without subresources"));
        }
    }

    private static void AdmissionReviewVersions(JsonArray? list, bool requireRecognized, FieldPath path, List<FieldError> errors)
    {
        var versions = MetaValidation.Strings(list).ToList();
        if (versions.Count == 0)
        {
            errors.Add(FieldError.Required(path, "must specify one of " + string.Join(", ", ReviewVersions)));
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var recognized = false;
        for (var i = 0; i < versions.Count; i++)
        {
            var version = versions[i];
            if (!seen.Add(version))
            {
                errors.Add(FieldError.Invalid(path.Index(i), BadValue.Of(version), "duplicate version"));
                continue;
            }
            foreach (var message in Formats.IsDns1035Label(version))
            {
                errors.Add(FieldError.Invalid(path.Index(i), BadValue.Of(version), message));
            }
            recognized |= ReviewVersions.Contains(version);
        }
        if (requireRecognized && !recognized)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Go(GoSyntax.StringSlice(list)), "must include at least one of " + string.Join(", ", ReviewVersions)));
        }
    }

    private static void ClientConfig(JsonObject? config, FieldPath path, List<FieldError> errors)
    {
        var url = config.Str("url");
        var service = config.Obj("service");
        if ((url is null) == (service is null))
        {
            errors.Add(FieldError.Required(path, "exactly one of url or service is required"));
        }
        else if (url is not null)
        {
            WebhookUrl(url, path.Child("url"), errors);
        }
        else
        {
            WebhookService(service!, path.Child("service"), errors);
        }
    }

    /// <summary>apiserver pkg/util/webhook ValidateWebhookURL with https forced.</summary>
    public static void WebhookUrl(string url, FieldPath path, List<FieldError> errors)
    {
        const string form = "; desired format: https://host[/path]";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            // Go's url.Parse accepts most strings; what it cannot read has no scheme or host for us either.
            var scheme = url.IndexOf("://", StringComparison.Ordinal) is var at and > 0 ? url[..at] : "";
            if (scheme != "https")
            {
                errors.Add(FieldError.Invalid(path, BadValue.Of(scheme), "'https' is the only allowed URL scheme" + form));
            }
            errors.Add(FieldError.Invalid(path, BadValue.Of(""), "host must be specified" + form));
            return;
        }
        if (uri.Scheme != "https")
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(uri.Scheme), "'https' is the only allowed URL scheme" + form));
        }
        if (uri.Host.Length == 0)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(""), "host must be specified" + form));
        }
        if (uri.UserInfo.Length > 0)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(uri.UserInfo), "user information is not permitted in the URL"));
        }
        if (uri.Fragment.Length > 1)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(uri.Fragment[1..]), "fragments are not permitted in the URL"));
        }
        if (uri.Query.Length > 1)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(uri.Query[1..]), "query parameters are not permitted in the URL"));
        }
    }

    /// <summary>apiserver pkg/util/webhook ValidateWebhookService.</summary>
    public static void WebhookService(JsonObject service, FieldPath path, List<FieldError> errors)
    {
        if (service.StrOrEmpty("name").Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("name"), "service name is required"));
        }
        if (service.StrOrEmpty("namespace").Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("namespace"), "service namespace is required"));
        }
        var port = service.Int("port") ?? 0;
        if (Formats.IsValidPortNum(port) is { Count: > 0 } portErrors)
        {
            errors.Add(FieldError.Invalid(path.Child("port"), BadValue.Of(port), "port is not valid: " + string.Join(", ", portErrors)));
        }
        if (service.Str("path") is not { } urlPath || urlPath is "" or "/")
        {
            return;
        }
        if (urlPath == "//")
        {
            errors.Add(FieldError.Invalid(path.Child("path"), BadValue.Of(urlPath), "segment[0] may not be empty"));
            return;
        }
        if (!urlPath.StartsWith('/'))
        {
            errors.Add(FieldError.Invalid(path.Child("path"), BadValue.Of(urlPath), "must start with a '/'"));
        }
        var check = urlPath[1..];
        if (check.EndsWith('/'))
        {
            check = check[..^1];
        }
        var steps = check.Split('/');
        for (var i = 0; i < steps.Length; i++)
        {
            if (steps[i].Length == 0)
            {
                errors.Add(FieldError.Invalid(path.Child("path"), BadValue.Of(urlPath), $"segment[{i.ToString(CultureInfo.InvariantCulture)}] may not be empty"));
                continue;
            }
            foreach (var failure in Formats.IsDns1123Subdomain(steps[i]))
            {
                errors.Add(FieldError.Invalid(path.Child("path"), BadValue.Of(urlPath), $"segment[{i.ToString(CultureInfo.InvariantCulture)}]: {failure}"));
            }
        }
    }

    /// <summary>validateMatchConditions: at most 64, unique qualified names, expressions compiling with <paramref name="declarations"/>.</summary>
    internal static void MatchConditions(JsonArray? list, CelDeclarations declarations, FieldPath path, List<FieldError> errors)
    {
        if (list is null)
        {
            return;
        }
        if (list.Count > MaxMatchConditions)
        {
            errors.Add(FieldError.TooMany(path, list.Count, MaxMatchConditions));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var condition = list[i] as JsonObject;
            var at = path.Index(i);
            var expression = condition.StrOrEmpty("expression").Trim();
            if (expression.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("expression")));
            }
            else if (Cel.Compile(expression, declarations) is { Error: { } compileError })
            {
                errors.Add(FieldError.Invalid(at.Child("expression"), BadValue.Of(expression), "compilation failed: " + compileError));
            }
            var name = condition.StrOrEmpty("name");
            if (name.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("name")));
            }
            else
            {
                MetaValidation.ValidateLabelName(name, at.Child("name"), errors);
                if (!names.Add(name))
                {
                    errors.Add(FieldError.Duplicate(at.Child("name"), BadValue.Of(name)));
                }
            }
        }
    }

    internal static void Enum(JsonObject owner, string field, string[] allowed, FieldPath path, List<FieldError> errors)
    {
        if (owner[field] is { } value && !allowed.Contains(JsonFields.ScalarText(value)))
        {
            errors.Add(FieldError.NotSupported(path.Child(field), BadValue.Of(JsonFields.ScalarText(value)), allowed));
        }
    }

    internal static string TypedSlice(string type, IEnumerable<string> values) =>
        "[]" + type + "{" + string.Join(", ", values.Select(GoSyntax.Quote)) + "}";

    /// <summary>
    /// What an update still enforces (validationOptions of ValidateXxxWebhookConfigurationUpdate):
    /// a rule the stored object already broke is not enforced again, so old objects stay editable.
    /// </summary>
    private sealed record Options(bool IgnoreMatchConditions, bool RequireNoSideEffects, bool RequireRecognizedReviewVersion, bool RequireUniqueNames)
    {
        public static Options For(JsonObject obj, JsonObject? old)
        {
            if (old is null)
            {
                return new(false, true, true, true);
            }
            var oldHooks = old.Items("webhooks").Select(h => h.Item).ToList();
            var newHooks = obj.Items("webhooks").Select(h => h.Item).ToList();
            var sameConditions = oldHooks.Count == newHooks.Count
                && oldHooks.Zip(newHooks).All(p => JsonNode.DeepEquals(p.First["matchConditions"], p.Second["matchConditions"]));
            return new(
                sameConditions,
                oldHooks.All(h => NoSideEffects.Contains(h.Str("sideEffects"))),
                oldHooks.All(h => h.Arr("admissionReviewVersions") is not { Count: > 0 } versions
                    || MetaValidation.Strings(versions).Any(ReviewVersions.Contains)),
                oldHooks.Select(h => h.StrOrEmpty("name")).Distinct(StringComparer.Ordinal).Count() == oldHooks.Count);
        }
    }
}
