using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// The ValidatingAdmissionPolicy plugin (apiserver admission/plugin/policy/validating), validating
/// phase only: every binding whose policy exists is evaluated by <see cref="PolicyEvaluator"/>.
/// A failed validation warns (validationActions Warn: "Validation failed for
/// ValidatingAdmissionPolicy 'p' with binding 'b': …") and refuses (Deny) with the first denial
/// as upstream words it: "&lt;resource&gt; "name" is forbidden: ValidatingAdmissionPolicy 'p' with
/// binding 'b' denied request: …", the reason the validation names (Invalid, 422, by default).
/// Audit is accepted and does nothing: this server keeps no audit log. Bindings are read from the
/// watch cache first: without any, a write costs one cache lookup.
/// </summary>
public sealed class ValidatingAdmissionPolicyPlugin : IAdmissionPlugin
{
    private readonly CompiledObjects<IReadOnlyList<AdmissionPolicyBinding>> bindings;
    private readonly CompiledObjects<IReadOnlyDictionary<string, AdmissionPolicy>> policies;
    private readonly PolicyEvaluator evaluator;

    /// <param name="reads">Bindings, policies, params and namespaces, from the watch cache.</param>
    /// <param name="resources">Resolves a paramKind, custom kinds included.</param>
    /// <param name="cel">The engine expressions are compiled with; cel-net's by default.</param>
    public ValidatingAdmissionPolicyPlugin(CachedReads reads, ApiResources resources, ICelEngine? cel = null)
    {
        cel ??= CelNetEngine.Instance;
        bindings = new(reads, ResourceCatalog.Find("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings")!,
            objects => objects.Select(o => new AdmissionPolicyBinding(o)).ToList());
        policies = new(reads, ResourceCatalog.Find("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies")!,
            objects => objects.Select(o => new AdmissionPolicy(o, cel)).ToDictionary(p => p.Name, StringComparer.Ordinal));
        evaluator = new PolicyEvaluator(reads, resources);
    }

    public string Name => "ValidatingAdmissionPolicy";

    public async Task ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Policies never see the admission configuration kinds, as webhooks do not, so a broken one can be removed.
        if (WebhookInvoker.IsExempt(request.Type))
        {
            return;
        }
        var bound = await bindings.CurrentAsync(cancellationToken);
        if (bound.Count == 0)
        {
            return;
        }
        var byName = await policies.CurrentAsync(cancellationToken);
        ApiException? refusal = null;
        foreach (var binding in bound)
        {
            if (!byName.TryGetValue(binding.PolicyName, out var policy))
            {
                continue;
            }
            foreach (var decision in await evaluator.EvaluateAsync(policy, binding, request, cancellationToken))
            {
                if (decision.Failure || binding.Deny)
                {
                    refusal ??= Denied(request, policy.Name, binding.Name, decision);
                }
                if (!decision.Failure && binding.Warn)
                {
                    RequestWarnings.Add($"Validation failed for ValidatingAdmissionPolicy '{policy.Name}' with binding '{binding.Name}': {decision.Message}");
                }
            }
        }
        if (refusal is not null)
        {
            throw refusal;
        }
    }

    /// <summary>
    /// admission.NewForbidden with the decision's reason and its code (Unauthorized 401, Forbidden
    /// 403, RequestEntityTooLarge 413, else Invalid 422), the message repeated as a cause.
    /// </summary>
    public static ApiException Denied(AdmissionRequest request, string policy, string binding, PolicyDecision decision)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(decision);
        var message = $"ValidatingAdmissionPolicy '{policy}' with binding '{binding}' denied request: {decision.Message}";
        var forbidden = ApiException.Forbidden(request.Type, request.Name, message);
        var text = request.Name.Length > 0 ? forbidden.Message : $"{request.Type.QualifiedName} is forbidden: {message}";
        var reason = decision.Reason ?? "Invalid";
        var code = reason switch
        {
            "Unauthorized" => StatusCodes.Status401Unauthorized,
            "Forbidden" => StatusCodes.Status403Forbidden,
            "RequestEntityTooLarge" => StatusCodes.Status413RequestEntityTooLarge,
            _ => StatusCodes.Status422UnprocessableEntity,
        };
        var details = forbidden.Details!;
        details["causes"] = new JsonArray(new JsonObject { ["message"] = message });
        return new ApiException(code, reason, text, details);
    }
}
