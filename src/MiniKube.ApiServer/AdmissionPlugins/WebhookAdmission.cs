using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Webhooks;
using MiniKube.Storage;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// The admission webhook plugins of one API server and what they share: reads through the
/// watch cache, one <see cref="WebhookClient"/> (with the Service resolver, also for other
/// webhook callers such as CRD conversion), and the configurations of each kind. Disposing
/// closes the client's connections.
/// </summary>
public sealed class WebhookAdmission : IDisposable
{
    public WebhookAdmission(IStore store, IListCache? cache, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        var reads = new CachedReads(store, cache);
        Client = new WebhookClient(new WebhookServiceResolver(reads));
        var invoker = new WebhookInvoker(reads, Client);
        var cel = CelNetEngine.Instance;
        Mutating = new MutatingWebhookPlugin(
            new WebhookConfigurations(reads, ResourceCatalog.Find("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations")!, cel),
            invoker, loggers.CreateLogger<MutatingWebhookPlugin>());
        Validating = new ValidatingWebhookPlugin(
            new WebhookConfigurations(reads, ResourceCatalog.Find("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations")!, cel),
            invoker, loggers.CreateLogger<ValidatingWebhookPlugin>());
    }

    /// <summary>The HTTPS client webhooks are called with (caBundle trust, Service resolution, timeouts).</summary>
    public WebhookClient Client { get; }

    public IAdmissionPlugin Mutating { get; }

    public IAdmissionPlugin Validating { get; }

    public void Dispose() => Client.Dispose();
}
