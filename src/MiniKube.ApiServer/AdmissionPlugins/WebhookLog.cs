using Microsoft.Extensions.Logging;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>The webhook plugins' logs, in upstream's words (klog "Failed calling webhook, failing open/closed").</summary>
internal static partial class WebhookLog
{
    /// <summary>A failed call under failurePolicy Ignore (upstream also annotates the audit event).</summary>
    [LoggerMessage(EventId = LogEvents.ApiServer + 400, Level = LogLevel.Warning, Message = "Failed calling webhook, failing open {Webhook}: {Error}")]
    public static partial void FailingOpen(ILogger logger, string webhook, string error);

    [LoggerMessage(EventId = LogEvents.ApiServer + 401, Level = LogLevel.Warning, Message = "Failed calling webhook, failing closed {Webhook}: {Error}")]
    public static partial void FailingClosed(ILogger logger, string webhook, string error);
}
