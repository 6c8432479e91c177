using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Registry;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// The MutatingAdmissionWebhook plugin (apiserver admission/plugin/webhook/mutating): calls the
/// matching webhooks of every MutatingWebhookConfiguration one after another, in configuration
/// name order, and applies each answer's JSONPatch to the object before the next webhook sees
/// it; the patched object gets the kind's defaults and is validated by the kind's rules later in
/// the write. Webhooks with reinvocationPolicy IfNeeded run once more when a later webhook
/// changed the object after them. A failed call under failurePolicy Fail refuses the write with
/// a 500 "Internal error occurred: failed calling webhook …"; under Ignore it is logged and skipped.
/// </summary>
public sealed class MutatingWebhookPlugin(WebhookConfigurations configurations, WebhookInvoker invoker, ILogger<MutatingWebhookPlugin> logger)
    : WebhookPlugin(configurations, logger, mutating: true)
{
    public override string Name => "MutatingAdmissionWebhook";

    protected override async Task DispatchAsync(IReadOnlyList<Webhook> hooks, AdmissionRequest request, CancellationToken cancellationToken)
    {
        var reinvocation = new Reinvocation();
        await RoundAsync(hooks, request, reinvocation, cancellationToken);
        if (reinvocation.Pending.Count > 0)
        {
            // Upstream re-runs admission once; a webhook first skipped is not called for the first time then.
            var again = hooks.Where(h => reinvocation.Pending.Contains(h.Uid)).ToList();
            reinvocation = new Reinvocation();
            await RoundAsync(again, request, reinvocation, cancellationToken);
        }
    }

    private async Task RoundAsync(IReadOnlyList<Webhook> hooks, AdmissionRequest request, Reinvocation reinvocation, CancellationToken cancellationToken)
    {
        foreach (var hook in hooks)
        {
            var changed = false;
            try
            {
                if (await invoker.ShouldCallAsync(hook, request, cancellationToken) is not { } call)
                {
                    continue;
                }
                var response = await invoker.CallAsync(call, request, mutating: true, cancellationToken);
                if (response.Patch is { } patch)
                {
                    changed = WebhookPatch.Apply(call, request, patch);
                }
            }
            catch (WebhookFailureException failure)
            {
                // Under failurePolicy Ignore the write goes on without this webhook's patch.
                if (Weigh(hook, failure) is { } refusal)
                {
                    throw refusal;
                }
            }
            if (changed)
            {
                // Every IfNeeded webhook that ran before this change must see the changed object.
                reinvocation.Pending.UnionWith(reinvocation.Invoked);
                reinvocation.Invoked.Clear();
            }
            if (hook.ReinvokeIfNeeded)
            {
                reinvocation.Invoked.Add(hook.Uid);
            }
        }
    }

    /// <summary>Upstream's webhookReinvokeContext: IfNeeded webhooks invoked since the last change, and those to run again.</summary>
    private sealed class Reinvocation
    {
        public HashSet<string> Invoked { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Pending { get; } = new(StringComparer.Ordinal);
    }
}
