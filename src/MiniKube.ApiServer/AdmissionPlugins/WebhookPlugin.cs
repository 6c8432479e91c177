using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Registry;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// What both webhook plugins do around their dispatch (apiserver admission/plugin/webhook/generic
/// Webhook.Dispatch): run in one phase only (the mutating plugin in admit, the validating one in
/// validate), skip the exempt admission kinds and writes when no webhook is configured, hand the
/// matching webhooks to the plugin's dispatcher, and weigh a failed call against the webhook's
/// failurePolicy.
/// </summary>
public abstract class WebhookPlugin(WebhookConfigurations configurations, ILogger logger, bool mutating) : IAdmissionPlugin
{
    public abstract string Name { get; }

    public Task AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken) =>
        mutating ? DispatchConfiguredAsync(request, cancellationToken) : Task.CompletedTask;

    public Task ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken) =>
        mutating ? Task.CompletedTask : DispatchConfiguredAsync(request, cancellationToken);

    /// <summary>Calls the webhooks this write goes to (never an empty list), as upstream's mutating or validating dispatcher.</summary>
    protected abstract Task DispatchAsync(IReadOnlyList<Webhook> hooks, AdmissionRequest request, CancellationToken cancellationToken);

    private async Task DispatchConfiguredAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        var hooks = await configurations.ForAsync(request, cancellationToken);
        if (hooks.Count > 0)
        {
            await DispatchAsync(hooks, request, cancellationToken);
        }
    }

    /// <summary>
    /// A call that failed: null under failurePolicy Ignore (logged, the write goes on), else the
    /// 500 "Internal error occurred: failed calling webhook …" that refuses the write.
    /// </summary>
    protected ApiException? Weigh(Webhook hook, WebhookFailureException failure)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(failure);
        if (hook.FailOpen)
        {
            WebhookLog.FailingOpen(logger, hook.Name, failure.Message);
            return null;
        }
        WebhookLog.FailingClosed(logger, hook.Name, failure.Message);
        return ApiException.Internal(failure.Message);
    }
}
