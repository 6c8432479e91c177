using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;
using MiniKube.ApiServer.Webhooks;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// What the mutating and validating webhook plugins share (apiserver
/// admission/plugin/webhook/generic): which webhooks a write is sent to (rules, namespace and
/// object selectors, matchConditions), building the AdmissionReview, calling the webhook over
/// <see cref="WebhookClient"/>, and upstream's errors: a call that fails is a
/// <see cref="WebhookFailureException"/> the plugin weighs against the failurePolicy; a refusal is the
/// webhook's Status with "admission webhook "x" denied the request: …".
/// </summary>
public sealed class WebhookInvoker(CachedReads reads, WebhookClient client)
{
    private readonly AdmissionMatching matching = new(reads);
    private static readonly string[] ExemptKinds =
        ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"];

    /// <summary>
    /// Webhooks never see their own configurations (rules.IsExemptAdmissionConfigurationResource),
    /// so a broken webhook can always be removed.
    /// </summary>
    public static bool IsExempt(ResourceType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Group == "admissionregistration.k8s.io" && ExemptKinds.Contains(type.Kind);
    }

    /// <summary>
    /// The call to make to <paramref name="hook"/> for this write, or null when the webhook does
    /// not select it. Throws an <see cref="ApiException"/> when the namespace cannot be read, and
    /// a <see cref="WebhookFailureException"/> when a matchCondition fails to evaluate under failurePolicy Fail.
    /// </summary>
    public async Task<WebhookCall?> ShouldCallAsync(Webhook hook, AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(request);
        if (WebhookRules.Match(hook.Rules, hook.ExactMatch, request) is not { } form)
        {
            return null;
        }
        if (!await matching.NamespaceMatchesAsync(hook.NamespaceSelector, request, cancellationToken) || !AdmissionMatching.ObjectMatches(hook.ObjectSelector, request))
        {
            return null;
        }
        var obj = request.Operation == AdmissionOperation.Delete ? null : AdmissionMatching.InForm(form, request.Type, request.Object);
        var oldObj = request.OldObject is { } old ? AdmissionMatching.InForm(form, request.Type, old) : null;
        var uid = Guid.NewGuid().ToString();
        var review = AdmissionReview.Request(request, form, obj, oldObj, uid);
        if (hook.MatchConditions.Count > 0 && !MatchConditionsHold(hook, review))
        {
            return null;
        }
        return new WebhookCall(hook, form, uid, review, obj);
    }

    /// <summary>
    /// Sends the review and reads the answer. Refusal of a dry run by a webhook with side effects
    /// and a denial are <see cref="ApiException"/>s; everything else that goes wrong is a
    /// <see cref="WebhookFailureException"/>. Warnings go to the response's Warning headers.
    /// </summary>
    public async Task<ReviewResponse> CallAsync(WebhookCall call, AdmissionRequest request, bool mutating, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(request);
        var hook = call.Hook;
        if (request.DryRun && hook.SideEffects is not ("None" or "NoneOnDryRun"))
        {
            if (hook.SideEffects is null)
            {
                throw new WebhookFailureException(hook.Name, "Webhook SideEffects is nil");
            }
            throw ApiException.BadRequest($"admission webhook \"{hook.Name}\" does not support dry run");
        }
        if (hook.ReviewVersion is not { } version)
        {
            throw new WebhookFailureException(hook.Name, "webhook does not accept known AdmissionReview versions");
        }
        if (hook.Target is not { } target)
        {
            throw new WebhookFailureException(hook.Name, "could not get REST client: " + hook.TargetError);
        }
        JsonObject answer;
        try
        {
            answer = await client.PostAsync(target, AdmissionReview.Envelope(version, call.Review), hook.Timeout, cancellationToken);
        }
        catch (WebhookCallException e)
        {
            throw new WebhookFailureException(hook.Name, "failed to call webhook: " + e.Message, e);
        }
        ReviewResponse response;
        try
        {
            response = AdmissionReview.Read(answer, version, call.Uid, mutating);
        }
        catch (InvalidReviewException e)
        {
            throw new WebhookFailureException(hook.Name, "received invalid webhook response: " + e.Message, e);
        }
        foreach (var warning in response.Warnings)
        {
            RequestWarnings.Add(warning);
        }
        if (!response.Allowed)
        {
            throw Denied(hook.Name, response.Status);
        }
        return response;
    }

    /// <summary>
    /// webhookerrors.ToStatusErr: the webhook's Status, failing, at least a 400, its message
    /// prefixed with "admission webhook "x" denied the request".
    /// </summary>
    public static ApiException Denied(string webhook, JsonObject? status)
    {
        var deniedBy = $"admission webhook \"{webhook}\" denied the request";
        var code = (int)(status.Int("code") ?? 0);
        if (code < 400)
        {
            code = 400;
        }
        var message = status.StrOrEmpty("message");
        var reason = status.StrOrEmpty("reason");
        var text = message.Length > 0 ? $"{deniedBy}: {message}" : reason.Length > 0 ? $"{deniedBy}: {reason}" : $"{deniedBy} without explanation";
        return new ApiException(code, reason, text, status.Obj("details")?.DeepClone().AsObject());
    }

    // matchconditions/matcher.go: any false skips the webhook; errors (with none false) follow failurePolicy.
    private static bool MatchConditionsHold(Webhook hook, JsonObject review)
    {
        var activation = new CelActivation()
            .Bind("object", review["object"])
            .Bind("oldObject", review["oldObject"])
            .Bind("request", review);
        var errors = new List<string>();
        foreach (var condition in hook.MatchConditions)
        {
            if (condition.Compiled.Program is not { } program)
            {
                errors.Add($"compilation failed: {condition.Compiled.Error}");
                continue;
            }
            var outcome = program.Evaluate(activation);
            if (outcome.IsError)
            {
                errors.Add($"failed to evaluate {condition.Name}: {outcome.Error}");
            }
            else if (outcome.Value is { Kind: CelValueKind.Bool, Raw: false })
            {
                return false;
            }
            else if (!outcome.IsTrue)
            {
                errors.Add($"matchCondition {condition.Name} did not evaluate to a bool");
            }
        }
        if (errors.Count == 0)
        {
            return true;
        }
        if (hook.FailOpen)
        {
            return false;
        }
        throw new WebhookFailureException(hook.Name, errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]");
    }
}

/// <summary>One webhook call about to be made: the webhook, the form it sees, the review's request and the object in that form.</summary>
public sealed record WebhookCall(Webhook Hook, ResourceType Form, string Uid, JsonObject Review, JsonObject? Object);

/// <summary>
/// A call that did not yield a verdict (upstream's webhookutil.ErrCallingWebhook): the webhook
/// was unreachable, timed out, answered badly, or its matchConditions failed. Its message is
/// upstream's: <c>failed calling webhook "x": failed to call webhook: Post "…": …</c>.
/// </summary>
public sealed class WebhookFailureException(string webhook, string reason, Exception? inner = null)
    : Exception($"failed calling webhook \"{webhook}\": {reason}", inner)
{
    public string Webhook { get; } = webhook;
}
