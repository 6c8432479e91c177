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
public sealed partial class ValidatingWebhookPlugin(WebhookConfigurations configurations, WebhookInvoker invoker, ILogger<ValidatingWebhookPlugin> logger) : IAdmissionPlugin
{
    public string Name => "ValidatingAdmissionWebhook";

    public async Task ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (WebhookInvoker.IsExempt(request.Type))
        {
            return;
        }
        var hooks = await configurations.CurrentAsync(cancellationToken);
        if (hooks.Count == 0)
        {
            return;
        }
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
                calls.Add(Task.FromResult<Exception?>(Outcome(hook, failure)));
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
            return Outcome(call.Hook, failure);
        }
        catch (ApiException refusal)
        {
            return refusal;
        }
    }

    private ApiException? Outcome(Webhook hook, WebhookFailureException failure)
    {
        if (hook.FailOpen)
        {
            LogFailingOpen(logger, hook.Name, failure.Message);
            return null;
        }
        LogFailingClosed(logger, hook.Name, failure.Message);
        return ApiException.Internal(failure.Message);
    }

    [LoggerMessage(EventId = LogEvents.ApiServer + 402, Level = LogLevel.Warning, Message = "Failed calling webhook, failing open {Webhook}: {Error}")]
    private static partial void LogFailingOpen(ILogger logger, string webhook, string error);

    [LoggerMessage(EventId = LogEvents.ApiServer + 403, Level = LogLevel.Warning, Message = "Failed calling webhook, failing closed {Webhook}: {Error}")]
    private static partial void LogFailingClosed(ILogger logger, string webhook, string error);
}
