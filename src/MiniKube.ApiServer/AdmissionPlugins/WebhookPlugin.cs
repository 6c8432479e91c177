using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Registry;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// What both webhook plugins do around their dispatch (apiserver admission/plugin/webhook/generic
/// Webhook.Dispatch): skip the exempt admission kinds and writes when no webhook is configured,
/// and weigh a failed call against the webhook's failurePolicy.
/// </summary>
public abstract class WebhookPlugin(WebhookConfigurations configurations, ILogger logger) : IAdmissionPlugin
{
    public abstract string Name { get; }

    public virtual Task AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The configured webhooks this write may go to; empty for exempt kinds or without configurations.</summary>
    protected Task<IReadOnlyList<Webhook>> HooksAsync(AdmissionRequest request, CancellationToken cancellationToken) =>
        configurations.ForAsync(request, cancellationToken);

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
