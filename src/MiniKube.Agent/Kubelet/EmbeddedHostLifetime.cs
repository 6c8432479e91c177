using Microsoft.Extensions.Hosting;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// The lifetime of a web host that lives inside mkube's own host: it does not listen for
/// SIGINT/SIGTERM (the default console lifetime would, stopping this host on its own and racing
/// the process's ordered shutdown); the component that owns it stops it.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
