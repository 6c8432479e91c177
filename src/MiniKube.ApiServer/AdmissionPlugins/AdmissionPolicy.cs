using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// One stored ValidatingAdmissionPolicy, read and compiled once per version (upstream's
/// validating.Policy with its compiled validator): defaults already applied by the kind's
/// strategy; a stored expression that no longer compiles keeps its error and fails at
/// evaluation under the failurePolicy. Immutable and shared by concurrent requests.
/// </summary>
public sealed class AdmissionPolicy
{
    public AdmissionPolicy(JsonObject source, ICelEngine cel)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(cel);
        Name = ObjectMeta.Name(source) ?? "";
        var spec = source.Obj("spec") ?? [];
        FailOpen = spec.Str("failurePolicy") == "Ignore";
        if (spec.Obj("paramKind") is { } paramKind)
        {
            ParamKind = (paramKind.StrOrEmpty("apiVersion"), paramKind.StrOrEmpty("kind"));
        }
        var declarations = AdmissionPolicyValidation.Declarations(ParamKind is not null);
        MatchConstraints = spec.Obj("matchConstraints") is { } constraints ? new PolicyMatch(constraints) : null;
        MatchConditions = spec.Items("matchConditions")
            .Select(c => new MatchCondition(c.Item.StrOrEmpty("name"), Compile(c.Item.StrOrEmpty("expression"))))
            .ToList();
        Variables = spec.Items("variables")
            .Select(v => new PolicyVariable(v.Item.StrOrEmpty("name"), Compile(v.Item.StrOrEmpty("expression"))))
            .ToList();
        Validations = spec.Items("validations")
            .Select(v => new PolicyValidation(
                v.Item.StrOrEmpty("expression").Trim(),
                Compile(v.Item.StrOrEmpty("expression")),
                v.Item.StrOrEmpty("message").Trim(),
                v.Item.Str("messageExpression") is { Length: > 0 } messageExpression ? Compile(messageExpression) : null,
                v.Item.Str("reason")))
            .ToList();

        CelCompilation Compile(string expression) => cel.Compile(expression.Trim(), declarations);
    }

    public string Name { get; }

    /// <summary>failurePolicy Ignore: evaluation and configuration errors admit the write.</summary>
    public bool FailOpen { get; }

    /// <summary>The paramKind's apiVersion and kind; null for a policy without params.</summary>
    public (string ApiVersion, string Kind)? ParamKind { get; }

    /// <summary>Null only for a policy stored without (rejected by validation, so never in practice).</summary>
    public PolicyMatch? MatchConstraints { get; }

    public IReadOnlyList<MatchCondition> MatchConditions { get; }

    public IReadOnlyList<PolicyVariable> Variables { get; }

    public IReadOnlyList<PolicyValidation> Validations { get; }
}

/// <summary>A composited variable: <c>variables.&lt;name&gt;</c> in later expressions.</summary>
public sealed record PolicyVariable(string Name, CelCompilation Compiled);

/// <summary>One validation: the expression, its static message or messageExpression, and the reason of its denial (Invalid when unset).</summary>
public sealed record PolicyValidation(string Expression, CelCompilation Compiled, string Message, CelCompilation? MessageExpression, string? Reason);

/// <summary>
/// One stored ValidatingAdmissionPolicyBinding: the policy it binds, its paramRef, its own
/// matchResources (narrowing the policy's), and what a failed validation does.
/// </summary>
public sealed class AdmissionPolicyBinding
{
    public AdmissionPolicyBinding(JsonObject source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Name = ObjectMeta.Name(source) ?? "";
        var spec = source.Obj("spec") ?? [];
        PolicyName = spec.StrOrEmpty("policyName");
        if (spec.Obj("paramRef") is { } paramRef)
        {
            ParamRef = new PolicyParamRef(
                paramRef.Str("name") is { Length: > 0 } name ? name : null,
                paramRef.Str("namespace") is { Length: > 0 } ns ? ns : null,
                paramRef.Obj("selector"),
                paramRef.Str("parameterNotFoundAction") != "Allow");
        }
        MatchResources = spec.Obj("matchResources") is { } match ? new PolicyMatch(match) : null;
        var actions = MetaValidation.Strings(spec.Arr("validationActions")).ToList();
        Deny = actions.Contains("Deny");
        Warn = actions.Contains("Warn");
    }

    public string Name { get; }

    public string PolicyName { get; }

    public PolicyParamRef? ParamRef { get; }

    public PolicyMatch? MatchResources { get; }

    /// <summary>validationActions has Deny: a failed validation refuses the write.</summary>
    public bool Deny { get; }

    /// <summary>validationActions has Warn: a failed validation becomes a Warning header.</summary>
    public bool Warn { get; }
}

/// <summary>A binding's paramRef: one param by name, or all matching a selector; a missing param denies unless Allow.</summary>
public sealed record PolicyParamRef(string? Name, string? Namespace, JsonObject? Selector, bool DenyWhenNotFound);

/// <summary>
/// matchConstraints or matchResources (apiserver admission/plugin/policy/matching): resource
/// rules with resourceNames, excludeResourceRules, namespace and object selectors, matchPolicy.
/// Resource rules reuse <see cref="WebhookRules"/>.
/// </summary>
public sealed class PolicyMatch(JsonObject source)
{
    private readonly List<JsonObject> rules = source.Items("resourceRules").Select(r => r.Item).ToList();
    private readonly List<JsonObject> excludeRules = source.Items("excludeResourceRules").Select(r => r.Item).ToList();
    private readonly bool exact = source.Str("matchPolicy") == "Exact";

    public JsonObject? NamespaceSelector { get; } = source.Obj("namespaceSelector");

    public JsonObject? ObjectSelector { get; } = source.Obj("objectSelector");

    /// <summary>
    /// The form of the resource the policy sees (the request's own or an equivalent one), or
    /// null when no rule selects the write or an exclude rule does.
    /// </summary>
    public ResourceType? Match(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (WebhookRules.Match(Named(excludeRules, request), exact, request) is not null)
        {
            return null;
        }
        // No resourceRules (a binding's matchResources may leave them out) constrains nothing.
        return rules.Count == 0 ? request.Type : WebhookRules.Match(Named(rules, request), exact, request);
    }

    // resourceNames narrows a rule to named objects; an empty list names all of them.
    private static List<JsonObject> Named(List<JsonObject> list, AdmissionRequest request) =>
        list.Where(rule => rule.Arr("resourceNames") is not { Count: > 0 } names
            || MetaValidation.Strings(names).Contains(request.Name)).ToList();
}
