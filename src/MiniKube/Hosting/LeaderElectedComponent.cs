using k8s;
using Microsoft.Extensions.Logging;
using MiniKube.Client.LeaderElection;

namespace MiniKube.Hosting;

/// <summary>
/// A control-plane loop that must run in one process of the cluster at a time (the scheduler,
/// the controller manager): it stands for election on its Lease in kube-system and runs the
/// loop only while it leads. Losing the lease stops the loop (its token is cancelled and it is
/// awaited), then the component stands again, as a standby; several servers over one etcd thus
/// hand the work over within the lease duration. Ready as soon as it takes part in the election.
/// It acts as <c>identity</c>, its own user, never the admin.
/// </summary>
internal sealed partial class LeaderElectedComponent(string name, string leaseName, ComponentIdentity identity, IClusterAccess cluster, Func<IKubernetes, CancellationToken, Task> lead, ILoggerFactory loggers) : IComponent
{
    private readonly ILogger _logger = loggers.CreateLogger<LeaderElectedComponent>();

    public string Name => name;

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        using var client = new Kubernetes(cluster.ClientConfiguration(identity));
        var elector = new LeaderElector(client, new LeaderElectionOptions { LeaseName = leaseName }, loggers.CreateLogger<LeaderElector>());
        ready.Set();
        while (!stoppingToken.IsCancellationRequested)
        {
            await elector.RunAsync(async leading =>
            {
                LogLeading(name, elector.Identity);
                await lead(client, leading);
            }, stoppingToken);
            if (!stoppingToken.IsCancellationRequested)
            {
                LogLost(name);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.Host + 700, Level = LogLevel.Information, Message = "{Component} is leading as {Identity}")]
    private partial void LogLeading(string component, string identity);

    [LoggerMessage(EventId = LogEvents.Host + 701, Level = LogLevel.Warning, Message = "{Component} lost its lease; standing by for election again")]
    private partial void LogLost(string component);
}
