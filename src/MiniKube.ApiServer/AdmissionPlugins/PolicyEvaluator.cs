using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// A failed validation of one policy through one binding (upstream's PolicyDecision with action
/// Deny): the message, the Status reason it asks for (null: Invalid), and whether it is a
/// configuration or evaluation failure (which refuses under failurePolicy Fail whatever the
/// binding's validationActions) rather than a validation that returned false.
/// </summary>
public sealed record PolicyDecision(string Message, string? Reason, bool Failure);

/// <summary>
/// Evaluates one policy through one binding for a write, as apiserver
/// admission/plugin/policy/validating (dispatcher.go, validator.go) and generic/policy_dispatcher.go
/// do: match the policy's matchConstraints and then the binding's matchResources (rules, selectors),
/// collect the params named by the paramRef, and per param run the matchConditions, the
/// variables and the validations with object, oldObject, request, params, namespaceObject and
/// variables bound. Variables are evaluated in order before the validations (upstream evaluates
/// them lazily: here a variable that fails is left out, and only an expression that reads it fails).
/// <c>authorizer</c> compiles but is not bound, so an expression using it fails at evaluation.
/// </summary>
public sealed class PolicyEvaluator(CachedReads reads, ApiResources resources)
{
    private readonly AdmissionMatching matching = new(reads);

    /// <summary>The denials (and failures) of <paramref name="policy"/> bound by <paramref name="binding"/>; empty when it admits or does not apply.</summary>
    public async Task<IReadOnlyList<PolicyDecision>> EvaluateAsync(
        AdmissionPolicy policy, AdmissionPolicyBinding binding, AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentNullException.ThrowIfNull(request);
        if (policy.MatchConstraints is not { } constraints || constraints.Match(request) is not { } form
            || !await SelectorsMatchAsync(constraints, request, cancellationToken))
        {
            return [];
        }
        if (binding.MatchResources is { } narrowed && (narrowed.Match(request) is null || !await SelectorsMatchAsync(narrowed, request, cancellationToken)))
        {
            return [];
        }
        IReadOnlyList<JsonObject?> parameters;
        try
        {
            parameters = await ParamsAsync(policy, binding, request, cancellationToken);
        }
        catch (PolicyConfigurationException e)
        {
            return policy.FailOpen ? [] : [new PolicyDecision("failed to configure binding: " + e.Message, null, true)];
        }
        var obj = request.Operation == AdmissionOperation.Delete ? null : AdmissionMatching.InForm(form, request.Type, request.Object);
        var oldObj = request.OldObject is { } old ? AdmissionMatching.InForm(form, request.Type, old) : null;
        var review = AdmissionReview.Request(request, form, obj, oldObj, Guid.NewGuid().ToString());
        var namespaceObject = request.Namespace is { Length: > 0 } ns ? await matching.NamespaceAsync(ns, cancellationToken) : null;
        var decisions = new List<PolicyDecision>();
        foreach (var param in parameters)
        {
            var activation = new CelActivation()
                .Bind("object", review["object"])
                .Bind("oldObject", review["oldObject"])
                .Bind("request", review)
                .Bind("params", param)
                .Bind("namespaceObject", namespaceObject);
            Validate(policy, activation, decisions);
        }
        return decisions;
    }

    private async Task<bool> SelectorsMatchAsync(PolicyMatch match, AdmissionRequest request, CancellationToken cancellationToken) =>
        AdmissionMatching.ObjectMatches(match.ObjectSelector, request)
        && await matching.NamespaceMatchesAsync(match.NamespaceSelector, request, cancellationToken);

    // One set of bindings for one param: matchConditions, then variables, then every validation.
    private static void Validate(AdmissionPolicy policy, CelActivation activation, List<PolicyDecision> decisions)
    {
        var variables = new JsonObject();
        activation.Bind("variables", variables);
        if (MatchConditionFailure(policy, activation) is { } failure)
        {
            if (failure.Length > 0 && !policy.FailOpen)
            {
                decisions.Add(new PolicyDecision(failure, null, true));
            }
            return;
        }
        foreach (var variable in policy.Variables)
        {
            if (variable.Compiled.Program?.Evaluate(activation) is { IsError: false, Value: { } value })
            {
                // A new object each time: the activation converts a bound JSON tree once.
                variables = variables.DeepClone().AsObject();
                variables[variable.Name] = value.ToJson();
                activation.Bind("variables", variables);
            }
        }
        foreach (var validation in policy.Validations)
        {
            if (validation.Compiled.Program is not { } program)
            {
                Fail(policy, $"compilation error: {validation.Compiled.Error}", decisions);
                continue;
            }
            var outcome = program.Evaluate(activation);
            if (outcome.IsError)
            {
                Fail(policy, $"expression '{validation.Expression}' resulted in error: {outcome.Error}", decisions);
            }
            else if (!outcome.IsTrue)
            {
                decisions.Add(new PolicyDecision(Message(validation, activation), validation.Reason, false));
            }
        }
    }

    // Null when the conditions hold; "" when one is false (the policy does not apply); else the errors.
    private static string? MatchConditionFailure(AdmissionPolicy policy, CelActivation activation)
    {
        var errors = new List<string>();
        foreach (var condition in policy.MatchConditions)
        {
            var outcome = condition.Compiled.Program?.Evaluate(activation);
            if (outcome is null)
            {
                errors.Add($"compilation failed: {condition.Compiled.Error}");
            }
            else if (outcome.IsError)
            {
                errors.Add($"failed to evaluate {condition.Name}: {outcome.Error}");
            }
            else if (outcome.Value is { Kind: CelValueKind.Bool, Raw: false })
            {
                return "";
            }
            else if (!outcome.IsTrue)
            {
                errors.Add($"matchCondition {condition.Name} did not evaluate to a bool");
            }
        }
        return errors.Count switch
        {
            0 => null,
            1 => errors[0],
            _ => "[" + string.Join(", ", errors) + "]",
        };
    }

    private static void Fail(AdmissionPolicy policy, string message, List<PolicyDecision> decisions)
    {
        if (!policy.FailOpen)
        {
            decisions.Add(new PolicyDecision(message, null, true));
        }
    }

    // validator.go: the messageExpression's string when it gives a usable one, else the message, else the expression.
    private static string Message(PolicyValidation validation, CelActivation activation)
    {
        if (validation.MessageExpression?.Program?.Evaluate(activation) is { IsError: false, Value: { } value }
            && value.AsString() is { } text && text.Trim().Length > 0 && text.AsSpan().IndexOfAny('\n', '\r') < 0)
        {
            return text.Trim();
        }
        return validation.Message.Length > 0 ? validation.Message : $"failed expression: {validation.Expression}";
    }

    // policy_dispatcher.go collectParams: [null] without paramKind; the named param or all the selector matches.
    private async Task<IReadOnlyList<JsonObject?>> ParamsAsync(
        AdmissionPolicy policy, AdmissionPolicyBinding binding, AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (policy.ParamKind is not { } paramKind)
        {
            return [null];
        }
        if (binding.ParamRef is not { } paramRef)
        {
            // As the API documents it: a paramKind without a paramRef evaluates once with params null.
            return [null];
        }
        var slash = paramKind.ApiVersion.IndexOf('/', StringComparison.Ordinal);
        var (group, version) = slash < 0 ? ("", paramKind.ApiVersion) : (paramKind.ApiVersion[..slash], paramKind.ApiVersion[(slash + 1)..]);
        var type = resources.FindKind(group, version, paramKind.Kind)
            ?? throw new PolicyConfigurationException($"failed to find resource referenced by paramKind: '{paramKind.ApiVersion}, Kind={paramKind.Kind}'");
        string? ns = null;
        if (type.Namespaced)
        {
            ns = paramRef.Namespace ?? request.Namespace;
            if (string.IsNullOrEmpty(ns))
            {
                throw new PolicyConfigurationException("cannot use namespaced paramRef in policy binding that matches cluster-scoped resources");
            }
        }
        else if (paramRef.Namespace is not null)
        {
            throw new PolicyConfigurationException("paramRef.namespace must not be provided for a cluster-scoped `paramKind`");
        }
        var found = new List<JsonObject?>();
        if (paramRef.Name is { } name)
        {
            if (await reads.GetAsync(type, ns, name, cancellationToken) is { } stored)
            {
                found.Add(type.FromStorage(ObjectCodec.Decode(stored.Value, stored.ModRevision)));
            }
        }
        else
        {
            found.AddRange((await reads.ListAsync(type, ns, cancellationToken))
                .Select(kv => ObjectCodec.Decode(kv.Value, kv.ModRevision))
                .Where(param => SelectorValidation.Matches(paramRef.Selector, param.Obj("metadata").Obj("labels") ?? []))
                .Select(type.FromStorage));
        }
        if (found.Count == 0 && paramRef.DenyWhenNotFound)
        {
            throw new PolicyConfigurationException("no params found for policy binding with `Deny` parameterNotFoundAction");
        }
        return found;
    }

    private sealed class PolicyConfigurationException(string message) : Exception(message);
}
