using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Registry;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// The ValidatingAdmissionWebhook plugin (apiserver admission/plugin/webhook/validating): sends
/// the object as it will be stored to every matching webhook of every
/// ValidatingWebhookConfiguration at once and refuses the write when any denies it (the
/// webhook's Status, "admission webhook "x" denied the request: …") or fails under failurePolicy
/// Fail (500 "Internal error occurred: failed calling webhook …"). Calls failing under Ignore
/// are logged and skipped. When several refuse, the first webhook in order gives the answer.
/// </summary>
public sealed class ValidatingWebhookPlugin(WebhookConfigurations configurations, WebhookInvoker invoker, ILogger<ValidatingWebhookPlugin> logger)
    : WebhookPlugin(configurations, logger, mutating: false)
{
    public override string Name => "ValidatingAdmissionWebhook";

    protected override async Task DispatchAsync(IReadOnlyList<Webhook> hooks, AdmissionRequest request, CancellationToken cancellationToken)
    {
        // Selection and the reviews are built one by one (JSON trees are not safe to read
        // concurrently); only the HTTP calls run in parallel, as upstream's goroutines.
        var calls = new List<Task<Exception?>>();
        foreach (var hook in hooks)
        {
            WebhookCall? call;
            try
            {
                call = await invoker.ShouldCallAsync(hook, request, cancellationToken);
            }
            catch (WebhookFailureException failure)
            {
                calls.Add(Task.FromResult<Exception?>(Weigh(hook, failure)));
                continue;
            }
            if (call is not null)
            {
                calls.Add(CallAsync(call, request, cancellationToken));
            }
        }
        var outcomes = await Task.WhenAll(calls);
        if (outcomes.FirstOrDefault(e => e is not null) is { } refusal)
        {
            throw refusal;
        }
    }

    private async Task<Exception?> CallAsync(WebhookCall call, AdmissionRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await invoker.CallAsync(call, request, mutating: false, cancellationToken);
            return null;
        }
        catch (WebhookFailureException failure)
        {
            return Weigh(call.Hook, failure);
        }
        catch (ApiException refusal)
        {
            return refusal;
        }
    }
}
