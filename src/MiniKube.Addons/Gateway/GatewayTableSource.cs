using MiniKube.Addons.Dns;
using MiniKube.Addons.Ingress;

namespace MiniKube.Addons.Gateway;

/// <summary>
/// The Gateway API as a source of the ingress data plane's table: its own informers (so a
/// cluster without the Gateway API CRDs, whose lists fail and are retried, never holds the
/// Ingresses back), and <see cref="GatewayBinding"/> → <see cref="GatewayTranslator"/> over them.
/// </summary>
public sealed class GatewayTableSource : IProxyTableSource
{
    private readonly SharedInformers _informers;
    private readonly GatewayInformers _gateway;
    private readonly GatewayPorts _ports;
    private volatile bool _synced;

    public GatewayTableSource(IKubernetes client, ILoggerFactory loggers, TimeProvider time, GatewayPorts ports)
    {
        _informers = new SharedInformers(client, loggers, new SharedInformerOptions { Time = time });
        _gateway = new GatewayInformers(_informers);
        _ports = ports;
        _gateway.OnChange(key => Changed?.Invoke(key));
    }

    public event Action<string>? Changed;

    public Task RunAsync(CancellationToken cancellationToken) => _informers.RunWithAsync(
        async ct =>
        {
            _synced = true;
            Changed?.Invoke("");
            await Task.Delay(Timeout.Infinite, ct);
        },
        cancellationToken);

    public ProxyTable Build(IServiceDirectory services, Func<string, string, V1Secret?> secrets)
    {
        if (!_synced)
        {
            return ProxyTable.Empty;
        }
        var inputs = _gateway.Inputs(services, secrets, _ports);
        return GatewayTranslator.Translate(GatewayBinding.Compute(inputs), inputs);
    }
}
