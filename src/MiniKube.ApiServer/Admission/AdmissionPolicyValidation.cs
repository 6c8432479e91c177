using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding checks as v1.32's
/// pkg/apis/admissionregistration/validation/validation.go makes them: failurePolicy,
/// paramKind, matchConstraints (required, with at least one resourceRule) and matchResources
/// through the webhook rule checks of <see cref="AdmissionRegistrationValidation"/>,
/// matchConditions, variables (CEL identifiers), validations (expression and messageExpression
/// compiled with <see cref="ICelEngine"/>, message, reason), auditAnnotations, and a binding's
/// policyName, paramRef and validationActions. An update that keeps the matchConditions does not
/// recompile them (as upstream's ignoreMatchConditions).
/// </summary>
internal static class AdmissionPolicyValidation
{
    private static readonly FieldPath Spec = FieldPath.Of("spec");
    private static readonly string[] Reasons = ["Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized"];
    private static readonly string[] Actions = ["Audit", "Deny", "Warn"];
    private static readonly string[] NotFoundActions = ["Deny", "Allow"];
    private static readonly HashSet<string> CelReserved = new(StringComparer.Ordinal)
    {
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
        "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
    };

    private const int MaxAuditAnnotations = 20;
    private const int MaxValueExpressionLength = 5 * 1024;

    /// <summary>What a policy's validations, variables and audit annotations may name; params only with a paramKind.</summary>
    public static CelDeclarations Declarations(bool hasParams) => hasParams ? WithParams : WithoutParams;

    private static readonly CelDeclarations WithParams = CelDeclarations.Admission;
    private static readonly CelDeclarations WithoutParams = new(CelDeclarations.Admission.Variables.Where(v => v != "params").ToArray());

    public static void Policy(JsonObject obj, List<FieldError> errors) => Policy(obj, null, errors);

    public static void PolicyUpdate(JsonObject obj, JsonObject old, List<FieldError> errors) => Policy(obj, old, errors);

    public static void Binding(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        var policyName = spec.StrOrEmpty("policyName");
        errors.AddRange(policyName.Length == 0
            ? [FieldError.Required(Spec.Child("policyName"))]
            : Formats.IsDns1123Subdomain(policyName).Select(message => FieldError.Invalid(Spec.Child("policyName"), BadValue.Of(policyName), message)));
        if (spec.Obj("paramRef") is { } paramRef)
        {
            ParamRef(paramRef, Spec.Child("paramRef"), errors);
        }
        if (spec.Obj("matchResources") is { } matchResources)
        {
            MatchResources(matchResources, Spec.Child("matchResources"), errors);
        }
        ValidationActions(spec.Arr("validationActions"), Spec.Child("validationActions"), errors);
    }

    public static void BindingUpdate(JsonObject obj, JsonObject old, List<FieldError> errors) => Binding(obj, errors);

    private static void Policy(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        var spec = obj.Obj("spec") ?? [];
        if (spec["failurePolicy"] is null)
        {
            errors.Add(FieldError.Required(Spec.Child("failurePolicy")));
        }
        else
        {
            AdmissionRegistrationValidation.Enum(spec, "failurePolicy", AdmissionRegistrationValidation.FailurePolicies, Spec, errors);
        }
        var paramKind = spec.Obj("paramKind");
        if (paramKind is not null)
        {
            ParamKind(paramKind, Spec.Child("paramKind"), errors);
        }
        var declarations = Declarations(paramKind is not null);
        if (spec.Obj("matchConstraints") is not { } constraints)
        {
            errors.Add(FieldError.Required(Spec.Child("matchConstraints")));
        }
        else
        {
            MatchResources(constraints, Spec.Child("matchConstraints"), errors);
            // At least one resourceRule: it is what gives the expressions their types upstream.
            if (constraints.Arr("resourceRules") is not { Count: > 0 })
            {
                errors.Add(FieldError.Required(Spec.Child("matchConstraints").Child("resourceRules")));
            }
        }
        if (old is null || !JsonNode.DeepEquals(spec["matchConditions"], old.Obj("spec")?["matchConditions"]))
        {
            AdmissionRegistrationValidation.MatchConditions(spec.Arr("matchConditions"), declarations, Spec.Child("matchConditions"), errors);
        }
        foreach (var (index, variable) in spec.Items("variables"))
        {
            Variable(variable, declarations, Spec.Child("variables").Index(index), errors);
        }
        var validations = spec.Arr("validations");
        var annotations = spec.Arr("auditAnnotations");
        if (validations is not { Count: > 0 } && annotations is not { Count: > 0 })
        {
            const string detail = "validations or auditAnnotations must contain at least one item";
            errors.Add(FieldError.Required(Spec.Child("validations"), detail));
            errors.Add(FieldError.Required(Spec.Child("auditAnnotations"), detail));
            return;
        }
        foreach (var (index, validation) in spec.Items("validations"))
        {
            Validation(validation, declarations, Spec.Child("validations").Index(index), errors);
        }
        AuditAnnotations(obj, annotations, declarations, errors);
    }

    private static void ParamKind(JsonObject kind, FieldPath path, List<FieldError> errors)
    {
        var apiVersion = kind.StrOrEmpty("apiVersion");
        if (apiVersion.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("apiVersion")));
        }
        else if (apiVersion.Count(c => c == '/') > 1)
        {
            errors.Add(FieldError.Invalid(path.Child("apiVersion"), BadValue.Of(apiVersion), "unexpected GroupVersion string: " + apiVersion));
        }
        else
        {
            var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
            var (group, version) = apiVersion == "/" ? ("", "") : slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
            if (group.Length > 0 && Formats.IsDns1123Subdomain(group) is { Count: > 0 } groupErrors)
            {
                errors.Add(FieldError.Invalid(path.Child("apiVersion"), BadValue.Of(group), string.Join(",", groupErrors)));
            }
            if (version.Length == 0)
            {
                errors.Add(FieldError.Invalid(path.Child("apiVersion"), BadValue.Of(apiVersion), "version must be specified"));
            }
            else if (Formats.IsDns1035Label(version) is { Count: > 0 } versionErrors)
            {
                errors.Add(FieldError.Invalid(path.Child("apiVersion"), BadValue.Of(version), string.Join(",", versionErrors)));
            }
        }
        var kindName = kind.StrOrEmpty("kind");
        if (kindName.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("kind")));
        }
        else if (Formats.IsDns1035Label(kindName.ToLowerInvariant()) is { Count: > 0 } kindErrors)
        {
            errors.Add(FieldError.Invalid(path.Child("kind"), BadValue.Of(kindName), "may have mixed case, but should otherwise match: " + string.Join(",", kindErrors)));
        }
    }

    /// <summary>validateMatchResources: the defaulted fields are required, selectors strict, every rule checked.</summary>
    private static void MatchResources(JsonObject match, FieldPath path, List<FieldError> errors)
    {
        if (match["matchPolicy"] is null)
        {
            errors.Add(FieldError.Required(path.Child("matchPolicy")));
        }
        else
        {
            AdmissionRegistrationValidation.Enum(match, "matchPolicy", AdmissionRegistrationValidation.MatchPolicies, path, errors);
        }
        foreach (var selector in (string[])["namespaceSelector", "objectSelector"])
        {
            if (match.Obj(selector) is { } value)
            {
                SelectorValidation.Validate(value, path.Child(selector), errors);
            }
            else
            {
                errors.Add(FieldError.Required(path.Child(selector)));
            }
        }
        foreach (var list in (string[])["resourceRules", "excludeResourceRules"])
        {
            foreach (var (index, rule) in match.Items(list))
            {
                NamedRule(rule, path.Child(list).Index(index), errors);
            }
        }
    }

    private static void NamedRule(JsonObject rule, FieldPath path, List<FieldError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var names = MetaValidation.Strings(rule.Arr("resourceNames")).ToList();
        for (var i = 0; i < names.Count; i++)
        {
            foreach (var message in NameRules.PathSegment(names[i], false))
            {
                errors.Add(FieldError.Invalid(path.Child("resourceNames").Index(i), BadValue.Of(names[i]), message));
            }
            if (!seen.Add(names[i]))
            {
                errors.Add(FieldError.Duplicate(path.Child("resourceNames").Index(i), BadValue.Of(names[i])));
            }
        }
        AdmissionRegistrationValidation.RuleWithOperations(rule, path, errors);
    }

    private static void Variable(JsonObject variable, CelDeclarations declarations, FieldPath path, List<FieldError> errors)
    {
        var name = variable.StrOrEmpty("name");
        if (name.Trim().Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("name"), "name is not specified"));
        }
        else if (!IsCelIdentifier(name))
        {
            errors.Add(FieldError.Invalid(path.Child("name"), BadValue.Of(name), "name is not a valid CEL identifier"));
        }
        var expression = variable.StrOrEmpty("expression");
        if (expression.Trim().Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("expression"), "expression is not specified"));
        }
        else
        {
            Compiles(expression, declarations, path.Child("expression"), errors);
        }
    }

    private static void Validation(JsonObject validation, CelDeclarations declarations, FieldPath path, List<FieldError> errors)
    {
        var expression = validation.StrOrEmpty("expression");
        if (expression.Trim().Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("expression"), "expression is not specified"));
        }
        else
        {
            Compiles(expression, declarations, path.Child("expression"), errors);
        }
        var messageExpression = validation.StrOrEmpty("messageExpression");
        if (messageExpression.Length > 0 && messageExpression.Trim().Length == 0)
        {
            errors.Add(FieldError.Invalid(path.Child("messageExpression"), BadValue.Of(messageExpression), "must be non-empty if specified"));
        }
        else if (messageExpression.Length > 0)
        {
            Compiles(messageExpression, declarations, path.Child("messageExpression"), errors);
        }
        var message = validation.StrOrEmpty("message");
        if (message.Length > 0 && message.Trim().Length == 0)
        {
            errors.Add(FieldError.Invalid(path.Child("message"), BadValue.Of(message), "message must be non-empty if specified"));
        }
        else if (message.Trim().AsSpan().IndexOfAny('\n', '\r') >= 0)
        {
            errors.Add(FieldError.Invalid(path.Child("message"), BadValue.Of(message), "message must not contain line breaks"));
        }
        if (validation.Str("reason") is { } reason && !Reasons.Contains(reason))
        {
            errors.Add(FieldError.NotSupported(path.Child("reason"), BadValue.Of(reason), Reasons));
        }
    }

    private static void AuditAnnotations(JsonObject policy, JsonArray? annotations, CelDeclarations declarations, List<FieldError> errors)
    {
        if (annotations is null)
        {
            return;
        }
        var path = Spec.Child("auditAnnotations");
        if (annotations.Count > MaxAuditAnnotations)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Omitted, $"must not have more than {MaxAuditAnnotations} auditAnnotations"));
        }
        var policyName = ObjectMeta.Name(policy) ?? "";
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (index, annotation) in policy.Obj("spec").Items("auditAnnotations"))
        {
            var at = path.Index(index);
            var key = annotation.StrOrEmpty("key");
            if (policyName.Length == 0)
            {
                errors.Add(FieldError.Invalid(at.Child("key"), BadValue.Of(key), "requires metadata.name be non-empty"));
            }
            else
            {
                // The annotation is recorded as "<policy>/<key>": that must be a qualified name.
                MetaValidation.ValidateLabelName(policyName + "/" + key, at.Child("key"), errors);
            }
            var value = annotation.StrOrEmpty("valueExpression").Trim();
            if (value.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("valueExpression"), "valueExpression is not specified"));
            }
            else if (value.Length > MaxValueExpressionLength)
            {
                errors.Add(FieldError.Required(at.Child("valueExpression"), $"must not exceed {MaxValueExpressionLength} bytes in length"));
            }
            else
            {
                Compiles(value, declarations, at.Child("valueExpression"), errors);
            }
            if (!keys.Add(key))
            {
                errors.Add(FieldError.Duplicate(at.Child("key"), BadValue.Of(key)));
            }
        }
    }

    private static void ParamRef(JsonObject paramRef, FieldPath path, List<FieldError> errors)
    {
        var name = paramRef.StrOrEmpty("name");
        var selector = paramRef.Obj("selector");
        const string exclusive = "name and selector are mutually exclusive";
        if (name.Length > 0)
        {
            foreach (var message in NameRules.PathSegment(name, false))
            {
                errors.Add(FieldError.Invalid(path.Child("name"), BadValue.Of(name), message));
            }
            if (selector is not null)
            {
                errors.Add(FieldError.Forbidden(path.Child("name"), exclusive));
            }
        }
        if (selector is not null)
        {
            SelectorValidation.Validate(selector, path.Child("selector"), errors);
            if (name.Length > 0)
            {
                errors.Add(FieldError.Forbidden(path.Child("selector"), exclusive));
            }
        }
        if (name.Length == 0 && selector is null)
        {
            errors.Add(FieldError.Required(path, "one of name or selector must be specified"));
        }
        var action = paramRef.StrOrEmpty("parameterNotFoundAction");
        if (action.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("parameterNotFoundAction")));
        }
        else if (!NotFoundActions.Contains(action))
        {
            errors.Add(FieldError.NotSupported(path.Child("parameterNotFoundAction"), BadValue.Of(action), NotFoundActions));
        }
    }

    private static void ValidationActions(JsonArray? list, FieldPath path, List<FieldError> errors)
    {
        var actions = MetaValidation.Strings(list).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < actions.Count; i++)
        {
            if (!Actions.Contains(actions[i]))
            {
                errors.Add(FieldError.NotSupported(path.Index(i), BadValue.Of(actions[i]), Actions));
            }
            if (!seen.Add(actions[i]))
            {
                errors.Add(FieldError.Duplicate(path.Index(i), BadValue.Of(actions[i])));
            }
        }
        if (seen.Contains("Deny") && seen.Contains("Warn"))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Go(AdmissionRegistrationValidation.TypedSlice("admissionregistration.ValidationAction", actions)),
                "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)"));
        }
        if (seen.Count == 0)
        {
            errors.Add(FieldError.Required(path, "at least one validation action is required"));
        }
    }

    private static void Compiles(string expression, CelDeclarations declarations, FieldPath path, List<FieldError> errors)
    {
        if (AdmissionRegistrationValidation.Cel.Compile(expression.Trim(), declarations) is { Error: { } error })
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(expression), "compilation failed: " + error));
        }
    }

    private static bool IsCelIdentifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !CelReserved.Contains(name);
}
